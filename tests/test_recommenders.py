"""Every recommender passes the one contract (recommender_contract.RecommenderContract)."""

from __future__ import annotations

import numpy as np
import pytest

from recommender_contract import RecommenderContract
from shopsense.events.interactions import Interactions, history_of
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.recommend.base import Recommender
from shopsense.recommend.category import CategoryPopularity
from shopsense.recommend.content import ContentBased, ItemVectors, encode_item_texts
from shopsense.recommend.ease import EASE
from shopsense.recommend.hybrid import Hybrid
from shopsense.recommend.implicit_mf import ImplicitMF
from shopsense.recommend.item_knn import ItemKNN
from shopsense.recommend.popularity import Popularity
from shopsense.recommend.transitions import SessionTransitions

_TEXT_VECTORS: dict[str, ItemVectors] = {}


@pytest.fixture(autouse=True, scope="module")
def _demo_text_vectors(demo_catalog_rows: list[dict[str, str]]) -> None:
    """Real MultilingualUSE embeddings of the demo products' text, computed once."""
    texts = {r["id"]: f"{r['title']}. {r['category']}. {r['brand']}" for r in demo_catalog_rows}
    _TEXT_VECTORS["text"] = encode_item_texts(texts, MultilingualUSE())


def content_model() -> ContentBased:
    return ContentBased({"text": _TEXT_VECTORS["text"]})


class TestPopularity(RecommenderContract):
    def make(self) -> Recommender:
        return Popularity()


class TestItemKNN(RecommenderContract):
    def make(self) -> Recommender:
        return ItemKNN(neighbours=50)


class TestEASE(RecommenderContract):
    def make(self) -> Recommender:
        return EASE(l2=50.0, max_items=200)


class TestALS(RecommenderContract):
    def make(self) -> Recommender:
        return ImplicitMF("als", factors=16, iterations=5)


class TestBPR(RecommenderContract):
    def make(self) -> Recommender:
        return ImplicitMF("bpr", factors=16, iterations=20)


class TestContent(RecommenderContract):
    def make(self) -> Recommender:
        return content_model()


class TestSessionTransitions(RecommenderContract):
    def make(self) -> Recommender:
        return SessionTransitions()


class TestCategoryPopularity(RecommenderContract):
    def make(self) -> Recommender:
        return CategoryPopularity()


class TestHybrid(RecommenderContract):
    def make(self) -> Recommender:
        return Hybrid(
            [(EASE(max_items=200), 1.0), (SessionTransitions(), 1.0), (CategoryPopularity(), 1.0)],
            content=content_model(),
        )

    def test_cold_user_gets_popularity(self, model: Recommender) -> None:
        assert isinstance(model, Hybrid)
        empty = history_of([], None, None)
        cold = model.recommend_history(empty, 10).items.tolist()
        popular = Popularity().fit(model.data).recommend_history(empty, 10).items.tolist()
        assert cold == popular

    def test_cold_item_falls_back_to_content(self, demo_interactions: Interactions) -> None:
        model = self.make().fit(demo_interactions)
        assert isinstance(model, Hybrid)
        counts = np.bincount(demo_interactions.ev_item, minlength=demo_interactions.n_items)
        cold = int(np.flatnonzero(counts == 0)[0])
        similar = model.similar_items(cold, 5).items.tolist()
        cats = demo_interactions.item_category
        assert model.content is not None
        assert similar == model.content.similar_items(cold, 5).items.tolist()
        assert cats[similar[0]] == cats[cold]


def test_content_similar_items_share_the_category(demo_interactions: Interactions) -> None:
    model = content_model().fit(demo_interactions)
    cats = demo_interactions.item_category
    same = [
        np.mean([cats[j] == cats[i] for j in model.similar_items(i, 5).items.tolist()])
        for i in range(0, demo_interactions.n_items, 10)
    ]
    assert np.mean(same) > 0.7
