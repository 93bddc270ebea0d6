"""The models shopsense ships, by name: the default served model and the evaluation line-up."""

from __future__ import annotations

from collections.abc import Callable

from shopsense.recommend.base import Recommender
from shopsense.recommend.category import CategoryPopularity
from shopsense.recommend.content import ContentBased
from shopsense.recommend.ease import EASE
from shopsense.recommend.hybrid import Hybrid
from shopsense.recommend.implicit_mf import ImplicitMF
from shopsense.recommend.item_knn import ItemKNN
from shopsense.recommend.popularity import Popularity
from shopsense.recommend.transitions import SessionTransitions

DEFAULT_MODEL = "hybrid"
Factory = Callable[[], Recommender]


def default_model(content: ContentBased | None = None, ease_items: int = 4000) -> Hybrid:
    """EASE + session transitions + category popularity, blend weights tuned at fit time."""
    return Hybrid(
        [
            (EASE(l2=200.0, max_items=ease_items), 1.0),
            (SessionTransitions(window=5, context=5, within_sessions=False, backward=0.5), 1.0),
            (CategoryPopularity(epsilon=0.1), 1.0),
        ],
        content=content,
    )


def lineup(content: ContentBased | None = None, ease_items: int = 4000) -> dict[str, Factory]:
    """Every model, fresh and unfitted, in the order the evaluation reports them."""
    models: dict[str, Factory] = {
        "popularity": lambda: Popularity(half_life_days=None),
        "item-knn": lambda: ItemKNN(),
        f"ease-{ease_items}": lambda: EASE(l2=200.0, max_items=ease_items),
        "als": lambda: ImplicitMF("als", factors=64),
        "bpr": lambda: ImplicitMF("bpr", factors=64, iterations=100),
        "session-transitions": lambda: SessionTransitions(
            5, 5, within_sessions=False, backward=0.5
        ),
        "category-popularity": lambda: CategoryPopularity(epsilon=0.1),
    }
    if content is not None:
        models["content"] = lambda: content
    models[DEFAULT_MODEL] = lambda: default_model(content, ease_items)
    return models
