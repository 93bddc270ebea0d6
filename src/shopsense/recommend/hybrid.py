"""Hybrid: a weighted blend of recommenders with a popularity prior that fades as history grows.

score(h) = Σ_c w_c · minmax(score_c(h)) + prior · n₀ / (n₀ + |h|) · minmax(popularity)

With no history the blend is popularity alone; with a short history the prior
dominates, so cold users are never served worse than popularity. The weights w_c
and the prior are chosen on the training data by an inner leave-last-out
(``tune=True``, see :mod:`shopsense.recommend.blend`). ``similar`` is the
model-level item similarity of the recommender interface (a cold item falls back to
content, then to popularity); the shop's "similar items" surface is
:mod:`shopsense.recommend.similarity`, which does not reuse the for-you weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shopsense.events.interactions import History, Interactions
from shopsense.recommend.base import FloatArray, Recommender, minmax
from shopsense.recommend.blend import tune_weights
from shopsense.recommend.content import ContentBased
from shopsense.recommend.popularity import Popularity


class Hybrid(Recommender):
    name = "hybrid"

    def __init__(
        self,
        components: Sequence[tuple[Recommender, float]],
        *,
        popularity: Popularity | None = None,
        prior: float = 1.0,
        prior_events: float = 2.0,
        content: ContentBased | None = None,
        tune: bool = True,
    ) -> None:
        self.components = list(components)
        self.popularity = popularity or Popularity()
        self.prior = prior
        self.prior_events = prior_events
        self.content = content
        self.tune = tune
        self.item_events = np.zeros(0)

    def _fit(self, data: Interactions) -> None:
        self.popularity.fit(data)
        if self.tune and len(self.components) > 1:
            models = [m for m, _ in self.components]
            pop = minmax(self.popularity.popularity)
            blend = tune_weights(models, pop, self.prior_events, data)
            self.components = list(zip(models, blend.weights, strict=True))
            self.prior = blend.prior
        for model, _ in self.components:
            model.fit(data)
        if self.content is not None and all(m is not self.content for m, _ in self.components):
            self.content.fit(data)
        self.item_events = np.bincount(data.ev_item, minlength=data.n_items).astype(np.float64)

    def prior_weight(self, history_size: int) -> float:
        return self.prior * self.prior_events / (self.prior_events + history_size)

    def _blend(self, parts: list[tuple[FloatArray, float]], history_size: int) -> FloatArray:
        pop = minmax(self.popularity.popularity)
        if history_size == 0 or not parts:
            return pop
        total = self.prior_weight(history_size) * pop
        for scores, weight in parts:
            total = total + weight * np.nan_to_num(minmax(scores), neginf=0.0)
        return np.asarray(total, np.float64)

    def score(self, history: History) -> FloatArray:
        parts = (
            [(m.score(history), w) for m, w in self.components if w] if history.items.size else []
        )
        return self._blend(parts, history.items.size)

    def score_user(self, user: int) -> FloatArray:
        history = self.data.history(user)
        n = history.items.size
        parts = [
            (m.score_user(user) if m.user_specific else m.score(history), w)
            for m, w in self.components
            if w
        ]
        return self._blend(parts if n else [], n)

    def similar(self, item: int) -> FloatArray:
        if self.item_events[item] == 0:
            if self.content is not None and self.content.has_vector(item):
                return self.content.similar(item)
            return self.popularity.similar(item)
        total = np.zeros(self.data.n_items)
        for model, weight in self.components:
            if weight:
                total += weight * np.nan_to_num(minmax(model.similar(item)), neginf=0.0)
        return total + 1e-3 * minmax(self.popularity.popularity)
