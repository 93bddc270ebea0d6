"""``shopsense eval dedup``: cross-shop matching against gold pairs, held-out only.

Precision, recall and F1 of the predicted matches against every gold pair
(gold pairs lost in blocking count as misses); blocking pair completeness
(share of gold pairs among the candidates) and reduction ratio
(1 − candidates / (n·m)) as in Christen, *Data Matching* (2012), §7. The learned
scorer is trained and scored by k-fold over left offers (all candidate pairs of
one left offer fall in one fold), so every reported prediction is held-out.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shopsense.catalog.ingest import IngestOptions
from shopsense.catalog.matching.blocking import BlockingConfig
from shopsense.catalog.matching.matcher import PairTable, gather
from shopsense.catalog.matching.records import match_records
from shopsense.catalog.matching.scoring import LearnedScorer, decide, rule_score
from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.quality.gate import QualityGate
from shopsense.catalog.reading import read_products
from shopsense.core.errors import InputError
from shopsense.models.sentence_encoder import TextEncoder


@dataclass(frozen=True)
class DedupEvalOptions:
    read: IngestOptions = IngestOptions()
    blocking: BlockingConfig = BlockingConfig()
    folds: int = 5
    threshold: float = 0.5
    one_to_one: bool = True
    seed: int = 0


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    predicted: int
    true_positives: int


@dataclass
class DedupEvalReport:
    left: str
    right: str
    left_rows: int
    right_rows: int
    gold_pairs: int
    candidates: int
    pair_completeness: float
    reduction_ratio: float
    rule: Scores
    learned: Scores | None
    # the same predictions, counting only pairs with an offer that has a gold pair: a gold
    # list that misses true matches (D8's does) counts them as false positives above
    rule_on_gold_offers: Scores | None = None
    learned_on_gold_offers: Scores | None = None
    folds: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def prf(predicted: set[tuple[str, str]], gold: set[tuple[str, str]]) -> Scores:
    """Precision, recall, F1 of a predicted pair set against the gold set."""
    tp = len(predicted & gold)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(gold) if gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(round(p, 4), round(r, 4), round(f1, 4), len(predicted), tp)


def on_gold_offers(
    predicted: set[tuple[str, str]], gold: set[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Predicted pairs whose left or right offer appears in some gold pair."""
    lefts, rights = {g[0] for g in gold}, {g[1] for g in gold}
    return {p for p in predicted if p[0] in lefts or p[1] in rights}


def read_gold(path: Path, sep: str | None) -> set[tuple[str, str]]:
    """Two columns (left id, right id) with a header line, split by ``sep`` (default: sniffed)."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    if len(lines) < 2:
        raise InputError(f"{path}: expected a header line and at least one pair")
    delimiter = sep or next((s for s in ("|", "\t", ",", ";") if s in lines[0]), ",")
    pairs = set()
    for n, line in enumerate(lines[1:], start=2):
        parts = [p.strip() for p in line.split(delimiter)]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise InputError(f"{path}:{n}: expected two ids separated by {delimiter!r}")
        pairs.add((parts[0], parts[1]))
    return pairs


def _best_threshold(
    pairs: Sequence[tuple[int, int]], scores: npt.NDArray[np.float64], labels: npt.NDArray[np.int64]
) -> float:
    """The threshold with the best F1 (one-to-one decisions) on these labelled pairs."""
    positives = max(1, int(labels.sum()))
    best, best_f1 = 0.5, -1.0
    for t in np.arange(0.1, 0.91, 0.05):
        picks = decide(pairs, scores, float(t), one_to_one=True)
        tp = int(labels[picks].sum()) if picks else 0
        f1 = 2 * tp / (len(picks) + positives) if picks else 0.0
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


def held_out_scores(
    table: PairTable, labels: npt.NDArray[np.int64], folds: int, seed: int
) -> npt.NDArray[np.float64]:
    """Each pair scored by a model that never saw its left offer's pairs.

    Inside each training part a quarter of the left offers is held back to pick
    the decision threshold; scores are shifted so that threshold sits at 0.5.
    """
    rng = np.random.default_rng(seed)
    lefts = np.array([p[0] for p in table.pairs])
    fold = rng.integers(0, folds, size=len(table.left))[lefts]
    inner = rng.random(len(table.left))[lefts] < 0.25
    out = np.zeros(len(table.pairs))
    for k in range(folds):
        test = fold == k
        if not test.any():
            continue
        fit, tune = ~test & ~inner, ~test & inner
        threshold = 0.5
        if labels[fit].any() and labels[tune].any():
            probe = LearnedScorer(seed).fit(table.features[fit], labels[fit].tolist())
            tune_idx = np.flatnonzero(tune)
            threshold = _best_threshold(
                [table.pairs[i] for i in tune_idx], probe.score(table.features[tune]), labels[tune]
            )
        scorer = LearnedScorer(seed).fit(table.features[~test], labels[~test].tolist())
        out[test] = np.clip(scorer.score(table.features[test]) - threshold + 0.5, 0.0, 1.0)
    return out


def predicted_pairs(table: PairTable, picks: Sequence[int]) -> set[tuple[str, str]]:
    return {(table.left[table.pairs[i][0]].id, table.right[table.pairs[i][1]].id) for i in picks}


@dataclass(frozen=True)
class Labelled:
    """Both catalogues' candidate pairs with their evidence, labelled by the gold pairs."""

    table: PairTable
    labels: npt.NDArray[np.int64]
    gold: set[tuple[str, str]]


def labelled_pairs(
    left_path: Path,
    right_path: Path,
    gold_path: Path,
    options: DedupEvalOptions,
    clock: dict[str, float],
    *,
    now: datetime | None = None,
    encoder: TextEncoder | None = None,
) -> Labelled:
    """Read both files through the quality gate, block, gather evidence, label by ``gold``."""
    start = time.perf_counter()
    gate = QualityGate(QualityConfig(), now or datetime.now(UTC))
    left = match_records(read_products(left_path, options.read, gate).products)
    right = match_records(read_products(right_path, options.read, gate).products)
    gold = read_gold(gold_path, options.read.sep)
    clock["read_clean"] = time.perf_counter() - start
    t = time.perf_counter()
    table = gather(left, right, options.blocking, encoder)
    clock["block_and_evidence"] = time.perf_counter() - t
    ids = [(left[a].id, right[b].id) for a, b in table.pairs]
    labels = np.array([int(pair in gold) for pair in ids], dtype=np.int64)
    return Labelled(table, labels, gold)


def evaluate_dedup(
    left_path: Path,
    right_path: Path,
    gold_path: Path,
    options: DedupEvalOptions,
    *,
    now: datetime | None = None,
    encoder: TextEncoder | None = None,
) -> DedupEvalReport:
    """Match the two files and score against the gold pairs (learned scores held-out)."""
    clock: dict[str, float] = {}
    start = time.perf_counter()
    data = labelled_pairs(
        left_path, right_path, gold_path, options, clock, now=now, encoder=encoder
    )
    table, labels, gold = data.table, data.labels, data.gold
    t = time.perf_counter()
    rule = rule_score(table.features)
    rule_pairs = predicted_pairs(
        table, decide(table.pairs, rule, options.threshold, one_to_one=options.one_to_one)
    )
    learned_pairs = None
    if options.folds >= 2 and 0 < labels.sum() < len(labels):
        scores = held_out_scores(table, labels, options.folds, options.seed)
        picks = decide(table.pairs, scores, options.threshold, one_to_one=options.one_to_one)
        learned_pairs = predicted_pairs(table, picks)
    clock["score"] = time.perf_counter() - t
    clock["total"] = time.perf_counter() - start
    return DedupEvalReport(
        left=str(left_path),
        right=str(right_path),
        left_rows=len(table.left),
        right_rows=len(table.right),
        gold_pairs=len(gold),
        candidates=len(table.pairs),
        pair_completeness=round(int(labels.sum()) / len(gold), 4) if gold else 0.0,
        reduction_ratio=round(1 - len(table.pairs) / max(1, len(table.left) * len(table.right)), 4),
        rule=prf(rule_pairs, gold),
        learned=prf(learned_pairs, gold) if learned_pairs is not None else None,
        rule_on_gold_offers=prf(on_gold_offers(rule_pairs, gold), gold),
        learned_on_gold_offers=(
            prf(on_gold_offers(learned_pairs, gold), gold) if learned_pairs is not None else None
        ),
        folds=options.folds,
        seconds={k: round(v, 3) for k, v in clock.items()},
    )


def train_scorer(data: Labelled, folds: int, seed: int) -> tuple[LearnedScorer, dict[str, Any]]:
    """Fit the pair scorer on every labelled pair; its threshold is the one with the best F1
    on out-of-fold scores (k-fold by left offer), so it is chosen on predictions of models
    that never saw those offers."""
    table, labels = data.table, data.labels
    if not 0 < labels.sum() < len(labels):
        raise InputError("the gold pairs must cover some candidate pairs and leave others out")
    rng = np.random.default_rng(seed)
    lefts = np.array([p[0] for p in table.pairs])
    fold = rng.integers(0, max(2, folds), size=len(table.left))[lefts]
    oof = np.zeros(len(table.pairs))
    for k in range(max(2, folds)):
        test = fold == k
        if test.any() and labels[~test].any():
            model = LearnedScorer(seed).fit(table.features[~test], labels[~test].tolist())
            oof[test] = model.score(table.features[test])
    threshold = _best_threshold(table.pairs, oof, labels)
    scorer = LearnedScorer(seed, threshold).fit(table.features, labels.tolist())
    picks = decide(table.pairs, oof, threshold, one_to_one=True)
    oof_scores = prf(predicted_pairs(table, picks), data.gold)
    meta = {
        "pairs": len(table.pairs),
        "positives": int(labels.sum()),
        "gold_pairs": len(data.gold),
        "folds": max(2, folds),
        "out_of_fold": asdict(oof_scores),
    }
    return scorer, meta
