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

RRF_K = 60

Keys = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float64]


def rrf(rankings: Sequence[Keys], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal-rank-fused score of every key in any of ``rankings`` (best first lists)."""
    out: dict[int, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            out[int(key)] = out.get(int(key), 0.0) + 1.0 / (k + rank)
    return out


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
