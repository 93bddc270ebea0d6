"""ALS and BPR matrix factorisation through the `implicit` library: the only importer of it.

Hu, Koren & Volinsky, "Collaborative Filtering for Implicit Feedback Datasets", ICDM 2008
(ALS); Rendle et al., "BPR", UAI 2009. implicit warns unless BLAS runs single-threaded:
the shell (CLI, benchmark, test run) sets ``OPENBLAS_NUM_THREADS=1``, not this module.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from shopsense.events.interactions import History, Interactions
from shopsense.recommend.base import FloatArray, Recommender


def _implicit() -> Any:
    try:
        import implicit.bpr
        import implicit.cpu.als
    except ImportError as exc:  # pragma: no cover - install hint
        raise ImportError("ALS/BPR need `pip install 'implicit>=0.7.2,<0.8'`") from exc
    return implicit


class ImplicitMF(Recommender):
    """Latent factors from ``implicit``; new histories are folded in (ALS) or averaged (BPR)."""

    user_specific = True

    def __init__(
        self,
        kind: Literal["als", "bpr"] = "als",
        factors: int = 64,
        iterations: int = 15,
        regularization: float = 0.05,
        alpha: float = 10.0,
        learning_rate: float = 0.05,
        seed: int = 7,
    ) -> None:
        self.kind = kind
        self.name = kind
        self.params = {
            "factors": factors,
            "iterations": iterations,
            "regularization": regularization,
        }
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.seed = seed
        self.model: Any = None
        self.item_factors: npt.NDArray[np.float32] = np.zeros((0, 0), np.float32)
        self.user_factors: npt.NDArray[np.float32] = np.zeros((0, 0), np.float32)

    def _fit(self, data: Interactions) -> None:
        lib = _implicit()
        common: dict[str, Any] = dict(self.params, random_state=self.seed, num_threads=1)
        if self.kind == "als":
            self.model = lib.cpu.als.AlternatingLeastSquares(alpha=self.alpha, **common)
        else:
            self.model = lib.bpr.BayesianPersonalizedRanking(
                learning_rate=self.learning_rate, **common
            )
        self.model.fit(sp.csr_matrix(data.matrix), show_progress=False)
        self.item_factors = np.asarray(self.model.item_factors, dtype=np.float32)
        self.user_factors = np.asarray(self.model.user_factors, dtype=np.float32)

    def score_user(self, user: int) -> FloatArray:
        return np.asarray(self.item_factors @ self.user_factors[self._user(user)], np.float64)

    def _fold_in(self, history: History) -> npt.NDArray[np.float32]:
        if self.kind == "als":
            n = self.data.n_items
            row = sp.csr_matrix(
                (history.weights, (np.zeros(history.items.size), history.items)), shape=(1, n)
            )
            return np.asarray(self.model.recalculate_user(0, row), np.float32).ravel()
        weights = history.weights[:, None].astype(np.float32)
        vec = (self.item_factors[history.items] * weights).sum(axis=0)
        return np.asarray(vec / max(float(weights.sum()), 1e-9), np.float32)

    def score(self, history: History) -> FloatArray:
        if history.items.size == 0:
            return np.zeros(self.data.n_items)
        return np.asarray(self.item_factors @ self._fold_in(history), np.float64)

    def similar(self, item: int) -> FloatArray:
        f = self.item_factors
        norms = np.linalg.norm(f, axis=1) + 1e-9
        return np.asarray((f @ f[item]) / (norms * norms[item]), np.float64)
