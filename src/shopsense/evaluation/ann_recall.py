"""Recall@k of an approximate nearest-neighbour answer against the exact one.

``plain``: the share of the exact top ``k`` keys the approximate answer holds.
With ties (identical vectors, e.g. thousands of products titled "Nike Men Black
T-shirt") any of the tied keys is an equally right answer, and which of them an
exact search lists is arbitrary; ``tie_aware`` therefore counts an approximate hit
as right when its exact similarity reaches the exact ``k``-th score.
"""

from __future__ import annotations

from collections.abc import Sequence

TIE_TOLERANCE = 1e-5


def plain_recall(found: Sequence[int], exact: Sequence[int], k: int) -> float:
    want = list(exact)[:k]
    if not want:
        return 1.0
    return len(set(list(found)[:k]) & set(want)) / len(want)


def tie_aware_recall(found_scores: Sequence[float], exact_scores: Sequence[float], k: int) -> float:
    """``found_scores`` are the exact similarities of the approximate top ``k``."""
    want = list(exact_scores)[:k]
    if not want:
        return 1.0
    kth = min(want)
    hits = sum(1 for s in list(found_scores)[:k] if s >= kth - TIE_TOLERANCE)
    return hits / len(want)
