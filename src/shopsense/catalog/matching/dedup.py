"""Duplicates within one catalogue: exact keys, then near duplicates by blocking + scoring."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shopsense.catalog.matching.blocking import BlockingConfig
from shopsense.catalog.matching.clusters import DuplicateCluster, build_clusters
from shopsense.catalog.matching.matcher import gather
from shopsense.catalog.matching.records import MatchRecord, match_records, squash
from shopsense.catalog.matching.scoring import LearnedScorer, decide, rule_score
from shopsense.catalog.schema import Product
from shopsense.models.sentence_encoder import TextEncoder

Links = list[tuple[int, int, float, dict[str, Any]]]
# another source of duplicate links (e.g. image near-duplicates): (i, j, score, evidence)
LinkSource = Callable[[Sequence[Product]], Links]


def id_links(pairs: Sequence[tuple[str, str, float, dict[str, Any]]]) -> LinkSource:
    """A link source from pairs of product ids (pairs naming an absent product are dropped)."""

    def links(products: Sequence[Product]) -> Links:
        at = {p.id: i for i, p in enumerate(products)}
        return [(at[a], at[b], s, ev) for a, b, s, ev in pairs if a in at and b in at]

    return links


@dataclass(frozen=True)
class DedupConfig:
    blocking: BlockingConfig = field(default_factory=lambda: BlockingConfig(k=5))
    threshold: float = 0.85  # stricter than cross-shop: one shop rarely lists a product twice
    max_cluster: int = 50


def _exact_keys(record: MatchRecord, product: Product) -> list[tuple[str, str]]:
    keys = [("id", squash(record.id))]
    keys.extend(("code", code) for code in record.explicit)
    if product.effective_price is not None:
        keys.append(("title+price", f"{squash(record.title)}|{product.effective_price:.2f}"))
    return keys


def exact_links(records: Sequence[MatchRecord], products: Sequence[Product]) -> Links:
    """Pairs sharing a normalised id, a given model number/GTIN, or title and price."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (rec, product) in enumerate(zip(records, products, strict=True)):
        for key in _exact_keys(rec, product):
            if key[1]:
                groups[key].append(i)
    links: Links = []
    for (kind, value), members in groups.items():
        for other in members[1:]:
            links.append((members[0], other, 1.0, {"exact": kind, "key": value}))
    return links


def find_duplicates(
    products: Sequence[Product],
    preference: Sequence[float],
    config: DedupConfig,
    encoder: TextEncoder | None = None,
    extra: Sequence[LinkSource] = (),
    scorer: LearnedScorer | None = None,
) -> list[DuplicateCluster]:
    """Clusters of products that are the same item, each link with its evidence.

    Pairs are scored by ``scorer`` at its own threshold when given, else by the rule
    at ``config.threshold``. ``extra`` link sources (image near-duplicates, …) are
    joined like the text links.
    """
    if len(products) < 2:
        return []
    records = match_records(products)
    links = exact_links(records, products)
    table = gather(records, None, config.blocking, encoder)
    if scorer is None:
        scores, threshold = rule_score(table.features), config.threshold
    else:
        scores, threshold = scorer.score(table.features), scorer.threshold
    for i in decide(table.pairs, scores, threshold, one_to_one=False):
        a, b = table.pairs[i]
        links.append((a, b, float(scores[i]), table.evidence(i)))
    for source in extra:
        links.extend(source(products))
    return build_clusters([p.id for p in products], links, preference, config.max_cluster)
