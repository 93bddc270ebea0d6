"""Category affinity: popular items in the categories of a user's (recent) history.

score(i) = a(c_i) + ε · pop(i) / max pop, where a(c) = Σ history weights of items in
category c, normalised to max 1 (recent items weigh more through the history's
recency decay). Within a category items rank by time-decayed popularity; items
without a category score ε · popularity only. This is the "popular in Z" surface.
"""

from __future__ import annotations

import numpy as np

from shopsense.events.interactions import History, Interactions
from shopsense.recommend.base import FloatArray, IntArray, Recommender
from shopsense.recommend.popularity import decayed_popularity


class CategoryPopularity(Recommender):
    name = "category-popularity"

    def __init__(self, half_life_days: float | None = 7.0, epsilon: float = 0.5) -> None:
        self.half_life_days = half_life_days
        self.epsilon = epsilon
        self.category: IntArray = np.empty(0, np.int64)
        self.names: list[str] = []
        self.popularity = np.zeros(0)

    def _fit(self, data: Interactions) -> None:
        names = sorted({c for c in data.item_category if c is not None})
        code = {c: j for j, c in enumerate(names)}
        self.names = names
        self.category = np.array(
            [code[c] if c is not None else len(names) for c in data.item_category], np.int64
        )
        pop = decayed_popularity(data, self.half_life_days)
        self.popularity = pop / pop.max() if pop.size and pop.max() > 0 else pop

    def affinity(self, history: History) -> FloatArray:
        """Per category (plus one slot for 'none'), the normalised history weight."""
        aff = np.bincount(
            self.category[history.items], weights=history.weights, minlength=len(self.names) + 1
        ).astype(np.float64)
        aff[len(self.names)] = 0.0
        return np.asarray(aff / aff.max() if aff.max() > 0 else aff, np.float64)

    def score(self, history: History) -> FloatArray:
        return np.asarray(
            self.affinity(history)[self.category] + self.epsilon * self.popularity, np.float64
        )

    def similar(self, item: int) -> FloatArray:
        same = (self.category == self.category[item]) & (self.category < len(self.names))
        return np.asarray(same + self.epsilon * self.popularity, np.float64)
