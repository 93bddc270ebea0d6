"""Splits for top-N evaluation, checked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shopsense.evaluation.splits import leave_last_out, temporal
from shopsense.events.schema import Event

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def ev(user: str, item: str, day: int) -> Event:
    return Event(user_id=user, item_id=item, type="view", timestamp=T0 + timedelta(days=day))


EVENTS = [
    ev("u1", "a", 0),
    ev("u1", "b", 1),
    ev("u1", "a", 2),
    ev("u1", "c", 3),
    ev("u2", "x", 0),
    ev("u2", "x", 5),  # one distinct item: train only
    ev("u3", "b", 4),
    ev("u3", "a", 4),  # a tie in time: file order decides
]


def test_leave_last_out_holds_out_every_event_of_the_newest_item() -> None:
    split = leave_last_out(EVENTS)
    assert split.test == {"u1": {"c"}, "u3": {"a"}}
    train = [(e.user_id, e.item_id) for e in split.train]
    assert train == [("u1", "a"), ("u1", "b"), ("u1", "a"), ("u2", "x"), ("u2", "x"), ("u3", "b")]
    assert split.items == ["a", "b", "c", "x"]


def test_temporal_tests_new_items_after_the_cutoff() -> None:
    # days sorted: 0 0 1 2 3 4 4 5 5 → the 0.75 quantile (linear) is day 4
    split = temporal([*EVENTS, ev("u1", "d", 5)], test_fraction=0.25)
    assert [e.timestamp.day - 1 for e in split.train] == [0, 1, 2, 3, 0]
    # u2's later x is not new to u2; u3 has no training events
    assert split.test == {"u1": {"d"}}
