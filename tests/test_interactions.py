"""Events → weighted interaction matrix and histories, checked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from shopsense.events.interactions import (
    InteractionConfig,
    build_interactions,
    history_of,
    recency_weights,
)
from shopsense.events.schema import Event

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def ev(user: str, item: str, kind: str, days: float = 0, session: str | None = None) -> Event:
    return Event(
        user_id=user,
        item_id=item,
        type=kind,
        timestamp=T0 + timedelta(days=days),
        session_id=session,
    )


EVENTS = [
    ev("u1", "a", "view", 0),
    ev("u1", "a", "buy", 1),
    ev("u1", "b", "view", 2),
    ev("u2", "b", "cart", 2),
]


def test_behaviour_weights_add_up_per_pair() -> None:
    data = build_interactions(EVENTS, InteractionConfig(transform="sum"), items=["z"])
    assert data.item_ids == ["z", "a", "b"]
    m = data.matrix.toarray()
    assert m[data.user_index["u1"]].tolist() == [0.0, 6.0, 1.0]  # view 1 + buy 5
    assert m[data.user_index["u2"]].tolist() == [0.0, 0.0, 3.0]
    log1p = build_interactions(EVENTS).matrix.toarray()
    assert log1p[0, 0] == pytest.approx(np.log1p(6.0))  # no extra items: "a" is column 0
    binary = build_interactions(EVENTS, InteractionConfig(transform="binary")).matrix.toarray()
    assert binary.sum() == 3


def test_time_decay_halves_per_half_life() -> None:
    cfg = InteractionConfig(transform="sum", half_life_days=1.0, weights={"view": 1.0})
    data = build_interactions(
        [ev("u", "a", "view", 0), ev("u", "b", "view", 1), ev("u", "c", "view", 2)], cfg
    )
    assert data.matrix.toarray()[0].tolist() == pytest.approx([0.25, 0.5, 1.0])


def test_history_unique_by_last_occurrence_with_recency() -> None:
    h = history_of([1, 2, 1, 3], [1.0, 1.0, 2.0, 1.0], half_life=1.0)
    assert h.items.tolist() == [2, 1, 3]
    assert h.weights.tolist() == pytest.approx([0.25, 1.5, 1.0])
    assert recency_weights(3, None).tolist() == [1.0, 1.0, 1.0]


def test_sessions_from_ids_or_gaps() -> None:
    gap = [ev("u", "a", "view", 0), ev("u", "b", "view", 0.01), ev("u", "c", "view", 1)]
    data = build_interactions(gap)
    assert data.ev_session.tolist() == [0, 0, 1]  # 14.4 min apart, then a day
    given = build_interactions([ev("u", "a", "view", 0, "s9"), ev("u", "b", "view", 9, "s9")])
    assert given.ev_session.tolist() == [0, 0]
    assert data.history(0).items.tolist() == [0, 1, 2]
