"""The one top-k of shopsense: every retriever and recommender selects through here."""

from typing import NamedTuple

import numpy as np
import numpy.typing as npt


class TopK(NamedTuple):
    """Indices into the scored array and their scores, best first."""

    indices: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]


def top_k(scores: npt.ArrayLike, k: int) -> TopK:
    """Return the ``k`` highest scores in descending order (ties broken by lower index).

    ``-inf`` and NaN scores are never returned, so callers mask items out by
    setting their score to ``-inf``.
    """
    arr = np.asarray(scores, dtype=np.float64).ravel()
    valid = np.flatnonzero(np.isfinite(arr) | (arr == np.inf))
    if k <= 0 or valid.size == 0:
        return TopK(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
    vals = arr[valid]
    if k < vals.size:
        part = np.argpartition(-vals, k - 1)[:k]
    else:
        part = np.arange(vals.size)
    # stable sort on (-score, index) so ties resolve by position
    order = np.lexsort((valid[part], -vals[part]))
    chosen = valid[part][order]
    return TopK(chosen.astype(np.int64), arr[chosen])
