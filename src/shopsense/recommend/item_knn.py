"""Item-kNN: cosine similarity between item columns, pruned to each item's nearest neighbours.

Sarwar et al., "Item-based collaborative filtering recommendation algorithms", WWW 2001.
score(u) = Σ_j h_j · sim(j, ·) over the history items j.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from shopsense.events.interactions import History, Interactions
from shopsense.recommend.base import FloatArray, Recommender


def prune_rows(sim: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Keep the ``keep`` largest entries of each row of a sparse matrix."""
    sim = sp.csr_matrix(sim)
    rows, cols, vals = [], [], []
    for r in range(sim.shape[0]):
        lo, hi = sim.indptr[r], sim.indptr[r + 1]
        if hi - lo > keep:
            part = np.argpartition(-sim.data[lo:hi], keep - 1)[:keep] + lo
        else:
            part = np.arange(lo, hi)
        rows.append(np.full(part.size, r))
        cols.append(sim.indices[part])
        vals.append(sim.data[part])
    if not rows:
        return sim
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=sim.shape
    )


class ItemKNN(Recommender):
    name = "item-knn"

    def __init__(self, neighbours: int = 100, shrink: float = 10.0) -> None:
        self.neighbours = neighbours
        self.shrink = shrink
        self.sim = sp.csr_matrix((0, 0))

    def _fit(self, data: Interactions) -> None:
        x = sp.csc_matrix(data.matrix, dtype=np.float64)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
        co = sp.csr_matrix(x.T @ x)
        co.setdiag(0)
        co.eliminate_zeros()
        co = sp.coo_matrix(co)
        denom = norms[co.row] * norms[co.col] + self.shrink
        sim = sp.csr_matrix((co.data / denom, (co.row, co.col)), shape=co.shape)
        self.sim = prune_rows(sim, self.neighbours)

    def score(self, history: History) -> FloatArray:
        h = np.zeros(self.data.n_items)
        h[history.items] = history.weights
        return np.asarray(self.sim.T @ h, dtype=np.float64)

    def similar(self, item: int) -> FloatArray:
        return np.asarray(self.sim[item].toarray().ravel(), dtype=np.float64)
