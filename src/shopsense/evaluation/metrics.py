"""Ranking metrics (pure functions over ranked ids and graded judgments).

- NDCG@k (Järvelin & Kekäläinen 2002) with linear gain and log2 discount:
  ``DCG@k = Σ_{i=1..k} grade_i / log2(i + 1)``, divided by the DCG of the ideal order
  of all judged grades; 0 when the query has no positive grade.
- MRR@k: ``1 / rank`` of the first result with grade > 0 within the top k, else 0.
- Recall@k: share of the positively graded products found in the top k.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

Qrels = Mapping[str, Mapping[str, float]]  # query id → product id → grade


def dcg(grades: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at(ranked: Sequence[str], judged: Mapping[str, float], k: int = 10) -> float:
    ideal = dcg(sorted((g for g in judged.values() if g > 0), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([judged.get(pid, 0.0) for pid in ranked[:k]]) / ideal


def mrr_at(ranked: Sequence[str], judged: Mapping[str, float], k: int = 10) -> float:
    for i, pid in enumerate(ranked[:k], start=1):
        if judged.get(pid, 0.0) > 0:
            return 1.0 / i
    return 0.0


def recall_at(ranked: Sequence[str], judged: Mapping[str, float], k: int) -> float:
    relevant = {pid for pid, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else 0.0


def summarise(runs: Mapping[str, Sequence[str]], qrels: Qrels) -> dict[str, float]:
    """Mean NDCG@10, MRR@10, Recall@1/@10/@100 over the judged queries of ``runs``."""
    qids = [q for q in runs if any(g > 0 for g in qrels.get(q, {}).values())]
    if not qids:
        return {
            "queries": 0,
            "ndcg@10": 0.0,
            "mrr@10": 0.0,
            "recall@1": 0.0,
            "recall@10": 0.0,
            "recall@100": 0.0,
        }

    def mean(fn: object) -> float:
        return float(np.mean([fn(runs[q], qrels[q]) for q in qids]))  # type: ignore[operator]

    return {
        "queries": len(qids),
        "ndcg@10": mean(lambda r, j: ndcg_at(r, j, 10)),
        "mrr@10": mean(lambda r, j: mrr_at(r, j, 10)),
        "recall@1": mean(lambda r, j: recall_at(r, j, 1)),
        "recall@10": mean(lambda r, j: recall_at(r, j, 10)),
        "recall@100": mean(lambda r, j: recall_at(r, j, 100)),
    }
