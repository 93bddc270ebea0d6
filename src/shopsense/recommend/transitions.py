"""Session model: item-to-item transitions within sessions (a windowed first-order Markov model).

For consecutive distinct items a → b within ``window`` steps of a session, count
1/step; rows are normalised so each item's next-item distribution sums to 1.
A history scores Σ over its most recent ``context`` items of recency weight × T[item].
``backward`` > 0 also counts b → a at that fraction (useful on sparse session data).
(Cf. the SR / "sequential rules" baseline of Ludewig & Jannach, UMUAI 2018.)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from shopsense.events.interactions import History, Interactions
from shopsense.recommend.base import FloatArray, IntArray, Recommender


def transition_pairs(
    items: IntArray, groups: IntArray, window: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """(from, to, 1/step) for every pair ≤ ``window`` steps apart in the same group."""
    keep = np.ones(items.size, dtype=bool)  # drop immediate repeats (a, a)
    keep[1:] = (items[1:] != items[:-1]) | (groups[1:] != groups[:-1])
    items, groups = items[keep], groups[keep]
    src, dst, w = [], [], []
    for step in range(1, window + 1):
        same = groups[step:] == groups[:-step]
        src.append(items[:-step][same])
        dst.append(items[step:][same])
        w.append(np.full(int(same.sum()), 1.0 / step))
    if not src:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return np.concatenate(src), np.concatenate(dst), np.concatenate(w)


class SessionTransitions(Recommender):
    name = "session-transitions"

    def __init__(
        self,
        window: int = 3,
        context: int = 3,
        within_sessions: bool = True,
        backward: float = 0.0,
    ) -> None:
        self.window = window
        self.backward = backward
        self.context = context
        self.within_sessions = within_sessions
        self.T = sp.csr_matrix((0, 0))
        self.sym = sp.csr_matrix((0, 0))

    def _fit(self, data: Interactions) -> None:
        groups = data.ev_session if self.within_sessions else data.ev_user
        src, dst, w = transition_pairs(data.ev_item, groups, self.window)
        if self.backward > 0:  # b after a also hints a after b, less strongly
            src, dst, w = (
                np.concatenate([src, dst]),
                np.concatenate([dst, src]),
                np.concatenate([w, self.backward * w]),
            )
        n = data.n_items
        counts = sp.csr_matrix((w, (src, dst)), shape=(n, n), dtype=np.float64)
        counts.sum_duplicates()
        out = np.asarray(counts.sum(axis=1)).ravel()
        out[out == 0] = 1.0
        self.T = sp.csr_matrix(sp.diags(1.0 / out) @ counts)
        self.sym = sp.csr_matrix(self.T + self.T.T)

    def score(self, history: History) -> FloatArray:
        items = history.items[-self.context :]
        weights = history.weights[-self.context :]
        if items.size == 0:
            return np.zeros(self.data.n_items)
        rows = self.T[items]  # only the context's rows of T
        return np.asarray(rows.T @ (weights / weights.max()), dtype=np.float64).ravel()

    def similar(self, item: int) -> FloatArray:
        return np.asarray(self.sym[item].toarray().ravel(), dtype=np.float64)
