"""EASE: a closed-form item-item model (Steck, "Embarrassingly Shallow Autoencoders", WWW 2019).

P = (XᵀX + λI)⁻¹, B = −P / diag(P), diag(B) = 0; score = h·B. The dense inverse
is O(n³), so the model keeps the ``max_items`` most popular items; the rest
score below every kept item.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.linalg

from shopsense.events.interactions import History, Interactions
from shopsense.recommend.base import FloatArray, IntArray, Recommender


class EASE(Recommender):
    name = "ease"

    def __init__(self, l2: float = 200.0, max_items: int = 10_000) -> None:
        self.l2 = l2
        self.max_items = max_items
        self.kept: IntArray = np.empty(0, np.int64)
        self.position: IntArray = np.empty(0, np.int64)
        self.B: npt.NDArray[np.float32] = np.zeros((0, 0), np.float32)

    def _fit(self, data: Interactions) -> None:
        x = data.matrix.tocsc()
        users_per_item = np.diff(x.indptr)
        order = np.argsort(-users_per_item, kind="stable")
        self.kept = np.sort(order[: min(self.max_items, data.n_items)]).astype(np.int64)
        self.position = np.full(data.n_items, -1, np.int64)
        self.position[self.kept] = np.arange(self.kept.size)
        xs = x[:, self.kept].astype(np.float32)
        gram = np.asarray((xs.T @ xs).toarray(), dtype=np.float32)
        gram[np.diag_indices_from(gram)] += self.l2
        p = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False)
        b = -p / np.diag(p)
        np.fill_diagonal(b, 0.0)
        self.B = b.astype(np.float32, copy=False)

    def _spread(self, kept_scores: npt.NDArray[np.floating]) -> FloatArray:
        out = np.full(self.data.n_items, -1.0)
        if kept_scores.size:
            out[:] = float(kept_scores.min()) - 1.0
            out[self.kept] = kept_scores
        return out

    def score(self, history: History) -> FloatArray:
        pos = self.position[history.items]
        mask = pos >= 0
        weights = history.weights[mask].astype(np.float32)
        if pos[mask].size * 4 < self.kept.size:  # short history: only its rows of B
            return self._spread(weights @ self.B[pos[mask]])
        h = np.zeros(self.kept.size, np.float32)
        h[pos[mask]] = weights
        return self._spread(h @ self.B)

    def similar(self, item: int) -> FloatArray:
        p = self.position[item]
        if p < 0:
            return np.zeros(self.data.n_items)
        return self._spread(self.B[p])
