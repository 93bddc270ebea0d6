"""Choose a hybrid's blend weights on the training data itself (an inner leave-last-out).

Each user's newest item is held out of the training events, every component is
fitted on the rest, and the weight vector from a small grid with the best NDCG@k
on up to ``max_users`` users wins. Scores are min-max scaled per user, exactly as
the hybrid blends them, so the chosen weights carry over.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from shopsense.events.interactions import Interactions, subset
from shopsense.recommend.base import FloatArray, IntArray, Recommender, minmax

Prior = Callable[[int], float]


def hold_out_newest(data: Interactions) -> tuple[Interactions, dict[int, int]]:
    """Training events minus each user's newest item (users with ≥ 2 distinct items)."""
    keep = np.ones(data.ev_item.size, dtype=bool)
    targets: dict[int, int] = {}
    for user in range(data.n_users):
        s = data.events_of(user)
        items = data.ev_item[s]
        if items.size == 0 or np.unique(items).size < 2:
            continue
        target = int(items[-1])
        targets[user] = target
        keep[s] &= items != target
    return subset(data, keep), targets


def _ndcg_single(scores: npt.NDArray[np.float32], targets: IntArray, k: int) -> float:
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    rows = np.arange(scores.shape[0])
    target_scores = scores[rows, targets]
    better = (scores[rows[:, None], part] > target_scores[:, None]).sum(axis=1)
    hit = (part == targets[:, None]).any(axis=1)
    return float(np.where(hit, 1.0 / np.log2(better + 2.0), 0.0).mean())


def tune_weights(
    components: Sequence[Recommender],
    popularity: FloatArray,
    prior: Prior,
    data: Interactions,
    *,
    grid: Sequence[float] = (0.0, 0.25, 1.0),
    max_users: int = 200,
    k: int = 10,
) -> tuple[float, ...]:
    """Fit ``components`` on an inner split of ``data`` and return the best weights."""
    inner, targets = hold_out_newest(data)
    users = sorted(targets)
    if len(users) > max_users:
        users = [users[int(j)] for j in np.linspace(0, len(users) - 1, max_users)]
    for model in components:
        model.fit(inner)
    histories = [inner.history(u) for u in users]
    stacked = [
        np.stack(
            [np.nan_to_num(minmax(m.score(h)), neginf=0.0).astype(np.float32) for h in histories]
        )
        for m in components
    ]
    base = np.stack([prior(h.items.size) * popularity for h in histories]).astype(np.float32)
    seen = np.zeros_like(base, dtype=bool)
    for row, h in enumerate(histories):
        seen[row, h.items] = True
    target_idx = np.array([targets[u] for u in users], np.int64)
    best, best_w = -1.0, tuple(1.0 for _ in components)
    for weights in itertools.product(grid, repeat=len(components)):
        if not any(weights):
            continue
        blended = base.copy()
        for w, block in zip(weights, stacked, strict=True):
            if w:
                blended += np.float32(w) * block
        blended[seen] = -np.inf
        score = _ndcg_single(blended, target_idx, k)
        if score > best:
            best, best_w = score, tuple(weights)
    return best_w
