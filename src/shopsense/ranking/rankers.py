"""Rankers over the feature matrix: a hand-set linear ranker and the learned one.

Both say what each feature contributed to each score, which is what a hit's
explanation shows: for the linear ranker ``weight × value``; for LightGBM the
per-feature SHAP contributions (``pred_contrib``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from shopsense.ranking.features import FEATURES

Matrix = npt.NDArray[np.float64]

#: The ranking used without a trained model: BM25 leads, the rest refine it.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "bm25_rel": 1.0,
    "dense_rel": 0.5,
    "model_match": 0.4,
    "title_coverage": 0.3,
    "brand_match": 0.05,
    "category_match": 0.05,
    "popularity": 0.01,
    # a product the shopper cannot buy now ranks below an equal one they can; a clearly
    # better match out of stock still ranks above a weaker one in stock (bm25_rel is 0–1)
    "out_of_stock": -0.3,
    "image_rel": 1.0,  # photo fit (issue #8): 0 when the store has no photos
}


class Scored(NamedTuple):
    """``scores = baseline + contributions.sum(axis=1)``."""

    scores: npt.NDArray[np.float64]
    contributions: Matrix  # candidates × FEATURES
    baseline: float = 0.0  # the part of every score no feature explains (SHAP's expected value)


class Ranker(Protocol):
    name: str
    #: Whether ``score``'s contributions cost about as much as ``predict``; when not
    #: (SHAP on trees), the pipeline ranks with ``predict`` and explains only shown hits.
    cheap_contributions: bool

    def score(self, features: Matrix) -> Scored: ...

    def predict(self, features: Matrix) -> npt.NDArray[np.float64]:
        """The scores alone (``score(features).scores``, without the contributions)."""
        ...


class LinearRanker:
    """``score = Σ weight_f · feature_f`` over the named features."""

    cheap_contributions = True

    def __init__(self, weights: Mapping[str, float] | None = None, name: str = "linear") -> None:
        self.name = name
        w = dict(DEFAULT_WEIGHTS if weights is None else weights)
        unknown = set(w) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)}; known: {FEATURES}")
        self.weights = np.asarray([w.get(f, 0.0) for f in FEATURES], dtype=np.float64)

    def score(self, features: Matrix) -> Scored:
        contrib = features * self.weights
        return Scored(contrib.sum(axis=1), contrib)

    def predict(self, features: Matrix) -> npt.NDArray[np.float64]:
        return np.asarray(features @ self.weights, dtype=np.float64)
