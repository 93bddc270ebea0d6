"""Time-decayed popularity: the baseline every model must beat, and the cold-start fallback."""

from __future__ import annotations

import numpy as np

from shopsense.events.interactions import DAY, History, Interactions
from shopsense.recommend.base import FloatArray, Recommender


def decayed_popularity(data: Interactions, half_life_days: float | None) -> FloatArray:
    """Σ event weight × 0.5^(age / half-life) per item, ages measured from the newest event."""
    w = data.ev_weight
    if half_life_days is not None and data.ev_time.size:
        w = w * 0.5 ** ((data.newest - data.ev_time) / (half_life_days * DAY))
    return np.bincount(data.ev_item, weights=w, minlength=data.n_items).astype(np.float64)


class Popularity(Recommender):
    """Most (recently) popular items for everyone; ties broken by item index."""

    name = "popularity"

    def __init__(self, half_life_days: float | None = 7.0) -> None:
        self.half_life_days = half_life_days
        self.popularity = np.zeros(0)

    def _fit(self, data: Interactions) -> None:
        self.popularity = decayed_popularity(data, self.half_life_days)

    def score(self, history: History) -> FloatArray:
        return self.popularity.copy()

    def similar(self, item: int) -> FloatArray:
        return self.popularity.copy()
