"""Choose a hybrid's blend weights on the training data itself (an inner leave-last-out).

Each user's newest item is held out of the training events, every component is
fitted on the rest, and the weights (and popularity prior) from a small grid with
the best NDCG@k on up to ``max_users`` users win — each user counted twice, with
the full history and seen through only the newest ``short`` events, so the blend
also serves near-cold shoppers. Scores are min-max scaled per
user exactly as the hybrid blends them. To keep this cheap on large catalogues,
each user is ranked over a candidate pool — the union of every component's and
popularity's top ``pool`` items — and a target outside the pool counts as a miss.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from shopsense.events.interactions import History, Interactions, history_of, subset
from shopsense.recommend.base import FloatArray, Recommender, minmax

F32 = npt.NDArray[np.float32]


class Blend(NamedTuple):
    weights: tuple[float, ...]
    prior: float
    ndcg: float


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


def _short(data: Interactions, user: int, n: int) -> History:
    """The user seen through only their newest ``n`` events (a near-cold shopper)."""
    s = data.events_of(user)
    return history_of(data.ev_item[s][-n:], data.ev_weight[s][-n:], data.config.history_half_life)


def _pool(rows: list[FloatArray], seen: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.int64]:
    picks = []
    for r in rows:
        r = r.copy()
        r[seen] = -np.inf
        n = min(size, r.size - 1)
        picks.append(np.argpartition(-r, n)[:n])
    pool = np.unique(np.concatenate(picks))
    return pool[~np.isin(pool, seen)]


def _ndcg(blended: F32, target_col: npt.NDArray[np.int64], k: int) -> float:
    if blended.shape[0] == 0:  # no held-out user (an empty or tiny log): nothing to score
        return 0.0
    rows = np.arange(blended.shape[0])
    has = target_col >= 0
    target_scores = np.where(has, blended[rows, np.maximum(target_col, 0)], np.inf)
    better = (blended > target_scores[:, None]).sum(axis=1)
    hit = has & (better < k)
    return float(np.where(hit, 1.0 / np.log2(better + 2.0), 0.0).mean())


def tune_weights(
    components: Sequence[Recommender],
    popularity: FloatArray,
    prior_events: float,
    data: Interactions,
    *,
    grid: Sequence[float] = (0.0, 0.25, 1.0),
    priors: Sequence[float] = (0.1, 0.5, 1.0),
    max_users: int = 1000,
    pool: int = 200,
    short: int = 2,
    k: int = 10,
) -> Blend:
    """Fit ``components`` on an inner split of ``data`` and return the best blend."""
    inner, targets = hold_out_newest(data)
    users = sorted(targets)
    if len(users) > max_users:
        users = [users[int(j)] for j in np.linspace(0, len(users) - 1, max_users)]
    for model in components:
        model.fit(inner)
    cases = [(u, h) for u in users for h in (inner.history(u), _short(inner, u, short))]
    width = pool * (len(components) + 1)
    blocks = np.full((len(components), len(cases), width), -np.inf, np.float32)
    pop_block = np.full((len(cases), width), -np.inf, np.float32)
    fade = np.zeros(len(cases), np.float32)
    target_col = np.full(len(cases), -1, np.int64)
    for row, (user, h) in enumerate(cases):
        rows = [np.nan_to_num(minmax(m.score(h)), neginf=0.0) for m in components]
        cand = _pool([*rows, popularity], h.items, pool)
        for c, r in enumerate(rows):
            blocks[c, row, : cand.size] = r[cand]
        pop_block[row, : cand.size] = popularity[cand]
        fade[row] = prior_events / (prior_events + h.items.size)
        where = np.flatnonzero(cand == targets[user])
        target_col[row] = int(where[0]) if where.size else -1
    best = Blend(tuple(1.0 for _ in components), priors[-1], -1.0)
    for weights in itertools.product(grid, repeat=len(components)):
        if not any(weights):
            continue
        mixed = sum(
            (np.float32(w) * b for w, b in zip(weights, blocks, strict=True) if w),
            np.zeros_like(pop_block),
        )
        for prior in priors:
            blended = mixed + np.float32(prior) * fade[:, None] * pop_block
            score = _ndcg(np.nan_to_num(blended, nan=-np.inf), target_col, k)
            if score > best.ndcg:
                best = Blend(tuple(weights), prior, score)
    return best
