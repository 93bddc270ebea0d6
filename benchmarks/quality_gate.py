"""Quality gate speed and dedup quality, each beside a baseline in the same run.

    .venv/bin/python benchmarks/quality_gate.py [--runs 3] [--skip-speed] [--skip-dedup]

1. Gate speed (cleaning + every check + duplicate clusters, in memory, no store
   writes) over the 44k-row Myntra catalogue and over the 24.6k-offer
   Walmart+Amazon union; beside it, plain parsing of the same file (no gate).
2. Cross-shop matching on Abt–Buy (D2) and Walmart–Amazon (D8): shopsense's rule
   and learned (5-fold by left offer, held-out) scorers against a TF-IDF cosine
   threshold baseline over all n·m pairs whose threshold is picked in hindsight
   on the gold pairs (a favour to the baseline). The learned scorer twice on the
   same candidate pairs and folds: with the evidence columns it had before
   (``before``) and with every column now (``after``).
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from _common import report, shared_data
from shopsense.catalog.ingest import IngestOptions
from shopsense.catalog.matching.dedup import DedupConfig, find_duplicates
from shopsense.catalog.matching.evidence import BASE_FEATURES, FEATURES, context_matrix
from shopsense.catalog.matching.matcher import PairTable
from shopsense.catalog.matching.scoring import decide, rule_score
from shopsense.catalog.quality.checks import product_checks
from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.quality.gate import QualityGate
from shopsense.catalog.quality.score import completeness
from shopsense.catalog.reading import read_products
from shopsense.evaluation.dedup import (
    DedupEvalOptions,
    Labelled,
    Scores,
    held_out_scores,
    labelled_pairs,
    on_gold_offers,
    predicted_pairs,
    prf,
    read_gold,
)
from shopsense.models.sentence_encoder import MultilingualUSE

NOW = datetime.now(UTC)
MYNTRA = ("title=productDisplayName", "category=masterCategory/subCategory/articleType")
# the evidence columns of the learned scorer before issue 3's second round (title cosines
# … embedding_cosine): the "before" row is that scorer, re-run here on the same pairs
FEATURES_BEFORE = FEATURES.index("embedding_cosine") + 1


def gate_once(files: list[tuple[Path, IngestOptions]]) -> dict[str, float]:
    config = QualityConfig()
    c0 = time.process_time()
    t0 = time.perf_counter()
    products = []
    for path, options in files:
        products.extend(read_products(path, options, QualityGate(config, NOW)).products)
    t1 = time.perf_counter()
    for check in product_checks(config, NOW):
        check.run(products)
    t2 = time.perf_counter()
    fields = config.score.completeness_fields
    clusters = find_duplicates(products, [completeness(p, fields) for p in products], DedupConfig())
    t3 = time.perf_counter()
    cpu = time.process_time() - c0
    return {
        "cpu_s": cpu,
        "products": len(products),
        "clean_s": t1 - t0,
        "checks_s": t2 - t1,
        "dedup_s": t3 - t2,
        "gate_s": t3 - t0,
        "clusters": len(clusters),
    }


def parse_once(files: list[tuple[Path, IngestOptions]]) -> float:
    t0 = time.perf_counter()
    for path, options in files:
        read_products(path, options)
    return time.perf_counter() - t0


def speed(name: str, files: list[tuple[Path, IngestOptions]], runs: int) -> dict[str, Any]:
    gates = [gate_once(files) for _ in range(runs)]
    parses = [parse_once(files) for _ in range(runs)]
    med = {k: statistics.median(g[k] for g in gates) for k in gates[0]}
    return {
        "set": name,
        "runs": runs,
        "products": int(med["products"]),
        "parse_only_s": statistics.median(parses),
        "clean_s": med["clean_s"],
        "checks_s": med["checks_s"],
        "dedup_s": med["dedup_s"],
        "gate_s": med["gate_s"],
        "gate_cpu_s": med["cpu_s"],
        "clusters": int(med["clusters"]),
        "under_60s": med["gate_s"] < 60,
    }


def tfidf_baseline(left: Path, right: Path, gold_path: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    opts = IngestOptions(sep="|")
    lp, rp = read_products(left, opts).products, read_products(right, opts).products
    gold = read_gold(gold_path, "|")
    vec = TfidfVectorizer(sublinear_tf=True).fit([p.title for p in lp + rp])
    sims = (vec.transform([p.title for p in lp]) @ vec.transform([p.title for p in rp]).T).tocoo()
    best = None
    for t in np.arange(0.3, 0.95, 0.05):
        keep = sims.data >= t
        pred = {(lp[i].id, rp[j].id) for i, j in zip(sims.row[keep], sims.col[keep], strict=True)}
        scores = prf(pred, gold)
        if best is None or scores.f1 > best[1].f1:
            best = (float(t), scores)
    assert best is not None
    return {"threshold": round(best[0], 2), "scores": best[1], "s": time.perf_counter() - t0}


def _held_out(
    data: Labelled, columns: int, picks_gold: set[tuple[str, str]]
) -> tuple[Scores, Scores]:
    table = data.table
    sub = PairTable(table.left, table.right, table.pairs, table.features[:, :columns])
    scores = held_out_scores(sub, data.labels, 5, 0)
    picks = decide(table.pairs, scores, 0.5, one_to_one=True)
    pred = predicted_pairs(table, picks)
    return prf(pred, picks_gold), prf(on_gold_offers(pred, picks_gold), picks_gold)


class CachedUSE:
    """The packaged sentence encoder with its vectors kept in a pickle under /tmp."""

    name, dim = "use-m3-512", 512

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = (
            pickle.loads(path.read_bytes()) if path.exists() else {}
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        todo = sorted({t for t in texts if t not in self.vectors})
        if todo:
            self.vectors.update(zip(todo, MultilingualUSE().encode(todo), strict=True))
            self.path.write_bytes(pickle.dumps(self.vectors))
        return np.stack([self.vectors[t] for t in texts])


def with_embeddings(data: Labelled, encoder: CachedUSE) -> Labelled:
    """The same pairs with the sentence-embedding cosine filled in (and the rule context
    recomputed, since the rule uses it)."""
    table = data.table
    vec_l = encoder.encode([table.left[i].title for i, _ in table.pairs])
    vec_r = encoder.encode([table.right[j].title for _, j in table.pairs])
    features = table.features.copy()
    features[:, FEATURES.index("embedding_cosine")] = np.einsum("ij,ij->i", vec_l, vec_r)
    base = len(BASE_FEATURES)
    features[:, base:] = context_matrix(table.pairs, rule_score(features[:, :base]))
    return Labelled(
        PairTable(table.left, table.right, table.pairs, features), data.labels, data.gold
    )


def dedup(name: str, left: str, right: str, embeddings: bool) -> list[dict[str, Any]]:
    folder = shared_data() / "entity_matching" / name
    opts = DedupEvalOptions(read=IngestOptions(sep="|"))
    clock: dict[str, float] = {}
    t0 = time.perf_counter()
    data = labelled_pairs(folder / left, folder / right, folder / "gt.csv", opts, clock)
    table, gold = data.table, data.gold
    rule = decide(table.pairs, rule_score(table.features), 0.5, one_to_one=True)
    rule_pred = {
        (table.left[table.pairs[i][0]].id, table.right[table.pairs[i][1]].id) for i in rule
    }
    t1 = time.perf_counter()
    before = _held_out(data, FEATURES_BEFORE, gold)
    t2 = time.perf_counter()
    after = _held_out(data, len(FEATURES), gold)
    t3 = time.perf_counter()
    extra, t4 = [], t3
    if embeddings:
        cached = with_embeddings(data, CachedUSE(Path(f"/tmp/shopsense-bench-use-{name}.pkl")))
        extra = [("learned, after + USE title cosine", _held_out(cached, len(FEATURES), gold))]
        t4 = time.perf_counter()
    base = tfidf_baseline(folder / left, folder / right, folder / "gt.csv")
    pc = round(int(data.labels.sum()) / len(gold), 4)
    rr = round(1 - len(table.pairs) / (len(table.left) * len(table.right)), 4)
    rows = [
        {
            "set": name,
            "method": "TF-IDF cosine ≥ t (t best in hindsight)",
            **vars(base["scores"]),
            "pc": None,
            "rr": None,
            "seconds": base["s"],
        },
    ]
    for method, (scores, on_gold), seconds in (
        (
            "shopsense rule (no labels)",
            (prf(rule_pred, gold), prf(on_gold_offers(rule_pred, gold), gold)),
            t1 - t0,
        ),
        ("learned, before (14 features, 5-fold held-out)", before, t2 - t1),
        ("learned, after (23 features, 5-fold held-out)", after, t3 - t2),
        *((method, scores, t4 - t3) for method, scores in extra),
    ):
        rows.append(
            {
                "set": name,
                "method": method,
                **vars(scores),
                "f1_on_gold_offers": on_gold.f1,
                "pc": pc,
                "rr": rr,
                "seconds": seconds,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-dedup", action="store_true")
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="also the learned scorer with the sentence-embedding cosine (vectors cached in /tmp)",
    )
    args = parser.parse_args()
    data = shared_data()
    if not args.skip_speed:
        d8 = data / "entity_matching" / "D8"
        rows = [
            speed(
                "myntra styles_full (44k)",
                [(data / "myntra_fashion" / "styles_full.csv.zip", IngestOptions(mapping=MYNTRA))],
                args.runs,
            ),
            speed(
                "walmart+amazon union (24.6k)",
                [
                    (d8 / "walmart.csv", IngestOptions(sep="|", source="walmart")),
                    (d8 / "amazon.csv", IngestOptions(sep="|", source="amazon")),
                ],
                args.runs,
            ),
        ]
        report(
            "quality gate speed (in memory, medians)",
            rows,
            [
                "set",
                "runs",
                "products",
                "parse_only_s",
                "clean_s",
                "checks_s",
                "dedup_s",
                "gate_s",
                "gate_cpu_s",
                "clusters",
                "under_60s",
            ],
        )
    if not args.skip_dedup:
        rows = dedup("D2", "abt.csv", "buy.csv", args.embeddings)
        rows += dedup("D8", "walmart.csv", "amazon.csv", args.embeddings)
        report(
            "cross-shop matching vs TF-IDF baseline",
            rows,
            [
                "set",
                "method",
                "precision",
                "recall",
                "f1",
                "f1_on_gold_offers",
                "pc",
                "rr",
                "seconds",
            ],
        )


if __name__ == "__main__":
    main()
