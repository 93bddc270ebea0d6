"""The contract every recommender passes: one mixin, one subclass per model (see test_recommenders).

A subclass sets ``make()``; the fixtures give it the demo shop's real events.
"""

from __future__ import annotations

import numpy as np
import pytest

from shopsense.core.errors import NotFoundError
from shopsense.events.interactions import Interactions
from shopsense.recommend.base import NotFittedError, Recommender


class RecommenderContract:
    def make(self) -> Recommender:
        raise AssertionError("subclasses return a fresh, unfitted model")

    @pytest.fixture
    def model(self, demo_interactions: Interactions) -> Recommender:
        return self.make().fit(demo_interactions)

    def test_needs_fit(self) -> None:
        with pytest.raises(NotFittedError, match="fit"):
            self.make().recommend(0, 5)

    def test_top_k_for_a_user_is_new_distinct_and_sorted(self, model: Recommender) -> None:
        data = model.data
        for user in (0, 7, data.n_users - 1):
            ranked = model.recommend(user, 10)
            items = ranked.items.tolist()
            assert len(items) == 10 and len(set(items)) == 10
            assert not set(items) & set(data.seen(user).tolist())
            assert np.all(np.diff(ranked.scores) <= 0)
            assert np.isfinite(ranked.scores).all()

    def test_scores_cover_every_item(self, model: Recommender) -> None:
        scores = model.score_user(3)
        assert scores.shape == (model.data.n_items,)
        assert scores.dtype == np.float64

    def test_deterministic(self, model: Recommender, demo_interactions: Interactions) -> None:
        again = self.make().fit(demo_interactions)
        assert model.recommend(5, 10).items.tolist() == again.recommend(5, 10).items.tolist()

    def test_session_leaves_out_its_items(self, model: Recommender) -> None:
        session = [0, 1, 2]
        items = model.recommend_session(session, 10).items.tolist()
        assert len(items) == 10 and not set(items) & set(session)

    def test_similar_items_leave_out_the_item(self, model: Recommender) -> None:
        ranked = model.similar_items(4, 5)
        assert len(ranked.items) == 5 and 4 not in ranked.items.tolist()

    def test_unknown_ids_are_not_found(self, model: Recommender) -> None:
        with pytest.raises(NotFoundError):
            model.recommend(model.data.n_users, 5)
        with pytest.raises(NotFoundError):
            model.similar_items(-1, 5)
