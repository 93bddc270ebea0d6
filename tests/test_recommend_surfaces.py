"""Surfaces and controls: bought together by lift, filters, MMR, popularity control, reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from shopsense.events.interactions import Interactions, build_interactions
from shopsense.events.schema import Event
from shopsense.recommend.bought_together import BoughtTogether
from shopsense.recommend.controls import (
    BusinessFilter,
    ItemAttributes,
    mmr,
    penalise_popularity,
)
from shopsense.recommend.engine import Controls, Promotion, RecommendationEngine, Suggestion
from shopsense.recommend.lineup import default_model

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def buys(baskets: dict[str, list[str]]) -> list[Event]:
    return [
        Event(
            user_id=f"u{s}",
            item_id=i,
            type="buy",
            timestamp=T0 + timedelta(minutes=n),
            session_id=s,
        )
        for s, items in baskets.items()
        for n, i in enumerate(items)
    ]


def test_bought_together_ranks_by_lift_with_minimum_support() -> None:
    data = build_interactions(
        buys({"s1": ["a", "b"], "s2": ["a", "b"], "s3": ["a", "c"], "s4": ["d"], "s5": ["e", "c"]})
    )
    bt = BoughtTogether(min_support=2).fit(data)
    a = data.item_index["a"]
    rules = bt.companions(a, 5)
    assert [data.item_ids[r.item] for r in rules] == ["b"]  # a–c was bought together once
    # N = 5 baskets, n_a = 3, n_b = 2, n_ab = 2 → lift = 2·5 / (3·2)
    assert rules[0].lift == pytest.approx(10 / 6)
    assert (rules[0].support, rules[0].confidence) == (2, pytest.approx(2 / 3))
    assert BoughtTogether(min_support=1).fit(data).companions(a, 5)[1].support == 1


def test_filters_mask_items() -> None:
    attrs = ItemAttributes(
        known=np.ones(4, bool),
        in_stock=np.array([True, False, True, True]),
        category=["Shoes > Running", "Shoes > Running", "Socks", None],
        price=np.array([100.0, 50.0, 10.0, np.nan]),
        sold_out=np.array([False, True, False, False]),
    )
    rule = BusinessFilter(in_stock=True, category_prefix="Shoes", price_max=120.0)
    assert rule.allowed(attrs, 4).tolist() == [True, False, False, False]
    assert BusinessFilter(exclude=frozenset({0})).allowed(attrs, 4).tolist() == [
        False,
        True,
        True,
        True,
    ]


def test_mmr_trades_relevance_for_a_new_category() -> None:
    ranked = mmr(
        np.array([10, 11, 12]),
        np.array([1.0, 0.9, 0.5]),
        3,
        lam=0.5,
        category=[None] * 10 + ["A", "A", "B"],
    )
    assert ranked.items.tolist() == [10, 12, 11]
    plain = mmr(
        np.array([10, 11, 12]),
        np.array([1.0, 0.9, 0.5]),
        3,
        lam=1.0,
        category=[None] * 10 + ["A", "A", "B"],
    )
    assert plain.items.tolist() == [10, 11, 12]


def test_popularity_penalty() -> None:
    scores = np.array([1.0, 0.9, 0.0])
    pop = np.array([1000.0, 1.0, 0.0])
    assert penalise_popularity(scores, pop, 0.0) is scores
    lowered = penalise_popularity(scores, pop, 1.0)
    assert int(np.argmax(lowered)) == 1


@pytest.fixture(scope="module")
def engine(demo_interactions: Interactions) -> RecommendationEngine:
    n = demo_interactions.n_items
    in_stock = np.ones(n, bool)
    in_stock[::2] = False
    attrs = ItemAttributes(
        np.ones(n, bool),
        in_stock,
        demo_interactions.item_category,
        np.linspace(1, 500, n),
        np.zeros(n, bool),
    )
    return RecommendationEngine(
        default_model().fit(demo_interactions), demo_interactions, attributes=attrs
    )


def test_every_suggestion_has_a_reason(engine: RecommendationEngine) -> None:
    out = engine.for_you("U001", 10)
    assert len(out) == 10
    assert all(s.reason and s.reason_code in {"because", "bought_with", "popular_in"} for s in out)
    assert sum(s.reason_code == "because" for s in out) >= 5
    cold = engine.for_you("someone-new", 5)
    assert {s.reason_code for s in cold} == {"popular_in"}
    session = engine.continue_session(["P0041", "P0070"], 5)
    assert any(s.reason.endswith("in this session") for s in session)


def test_controls_apply(engine: RecommendationEngine) -> None:
    data = engine.data
    stocked = engine.for_you("U001", 10, Controls(in_stock=True))
    assert all(data.item_index[s.item_id] % 2 == 1 for s in stocked)
    shoes = engine.for_you("U031", 5, Controls(category_prefix="Footwear"))
    assert all(
        (data.item_category[data.item_index[s.item_id]] or "").startswith("Footwear") for s in shoes
    )
    plain = engine.for_you("U001", 10)
    diverse = engine.for_you("U001", 10, Controls(diversity=0.6))

    def cats(xs: list[Suggestion]) -> int:
        return len({data.item_category[data.item_index[s.item_id]] for s in xs})

    assert cats(diverse) > cats(plain)
    bought = {data.item_ids[j] for j, k in engine.user_state("U001").kinds.items() if k == "buy"}
    kept = engine.for_you("U001", 50, Controls(exclude_seen=False, exclude_bought=True))
    assert bought and not bought & {s.item_id for s in kept}


def test_promotions_ranked_by_propensity_with_reason(engine: RecommendationEngine) -> None:
    promos = [
        Promotion("beauty", "Beauty week", category_prefix="Beauty"),
        Promotion("run", "Run club", category_prefix="Footwear > Shoes > Running Shoes"),
        # a prefix matches whole path segments: no category is "Running"
        Promotion("none", "Half a name", category_prefix="Footwear > Shoes > Running"),
    ]
    ranked = engine.promotions("U001", promos)  # U001 is a runner
    assert [p.promotion_id for p in ranked] == ["run", "beauty"]
    assert ranked[0].propensity > ranked[1].propensity
    assert "it covers" in ranked[0].reason
