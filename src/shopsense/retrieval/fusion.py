"""Score fusion of ranked lists (pure functions).

- Reciprocal rank fusion, Cormack, Clarke & Büttcher (SIGIR 2009):
  ``score(d) = Σ_lists 1 / (k + rank_list(d))`` with ranks from 1 and k = 60.
- Weighted fusion: each list's scores min-max normalised to [0, 1] over its own
  candidates, then ``Σ weight_list · norm_list(d)`` (0 where a list lacks d).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from shopsense.retrieval.key_lookup import KeyLookup

RRF_K = 60

Keys = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float64]


def union(rankings: Sequence[Keys]) -> Keys:
    """Every key of ``rankings``, once, in order of first appearance."""
    both = np.concatenate(
        [np.asarray(r, dtype=np.int64) for r in rankings] or [np.empty(0, np.int64)]
    )
    first = np.unique(both, return_index=True)[1]
    return both[np.sort(first)].astype(np.int64)


def positions(keys: Keys, ranking: Keys) -> npt.NDArray[np.intp]:
    """Index in ``keys`` of each entry of ``ranking``, every one of which ``keys`` holds."""
    return KeyLookup(keys).find(ranking)[0]


def rrf_scores(keys: Keys, rankings: Sequence[Keys], k: int = RRF_K) -> Scores:
    """Reciprocal-rank-fused score of each of ``keys`` (which hold every key of the
    best-first ``rankings``), added list by list in order, as :func:`rrf` adds them."""
    out = np.zeros(len(keys), dtype=np.float64)
    for ranking in rankings:
        ranking = np.asarray(ranking, dtype=np.int64)
        np.add.at(out, positions(keys, ranking), 1.0 / (k + np.arange(1, len(ranking) + 1)))
    return out


def rrf(rankings: Sequence[Keys], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal-rank-fused score of every key in any of ``rankings`` (best first lists)."""
    keys = union(rankings)
    return dict(zip(keys.tolist(), rrf_scores(keys, rankings, k).tolist(), strict=True))


def min_max(scores: Scores) -> Scores:
    """Scores mapped to [0, 1]; a constant list maps to 1."""
    if not len(scores):
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo <= 1e-12:
        return np.ones_like(scores)
    return (scores - lo) / (hi - lo)


def weighted(lists: Sequence[tuple[Keys, Scores, float]]) -> dict[int, float]:
    """Weighted sum of min-max normalised scores over ``(keys, scores, weight)`` lists."""
    out: dict[int, float] = {}
    for keys, scores, weight in lists:
        for key, s in zip(keys, min_max(np.asarray(scores, np.float64)), strict=True):
            out[int(key)] = out.get(int(key), 0.0) + weight * float(s)
    return out
