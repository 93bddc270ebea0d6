"""The event log on SQLite and PostgreSQL: durable on return, each event counted once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from shopsense.events.log import EventLog
from shopsense.events.schema import Event

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def ev(user: str, item: str, kind: str = "view", event_id: str | None = None) -> Event:
    return Event(user_id=user, item_id=item, type=kind, timestamp=T0, event_id=event_id)


def test_append_is_idempotent_by_event_id(engine: Engine) -> None:
    log = EventLog(engine)
    first = log.append([ev("u1", "a", event_id="e1"), ev("u1", "b", event_id="e2")])
    assert first.stored == (True, True)
    again = log.append([ev("u1", "a", event_id="e1"), ev("u2", "c", event_id="e3")])
    assert again.stored == (False, True) and again.duplicates == 1
    assert log.count() == 3
    assert [e.event.event_id for e in log.iter()] == ["e1", "e2", "e3"]


def test_repeats_within_one_batch_and_without_ids(engine: Engine) -> None:
    log = EventLog(engine)
    result = log.append([ev("u1", "a"), ev("u1", "a"), ev("u1", "a", "buy")])
    assert result.stored == (True, False, True)
    assert log.count() == 2
    assert log.append([ev("u1", "a")]).stored == (False,)


def test_iter_pages_after_a_sequence_number(engine: Engine) -> None:
    log = EventLog(engine)
    log.append([ev("u", str(i), event_id=f"k{i}") for i in range(12)])
    seqs = [e.seq for e in log.iter(batch_size=5)]
    assert len(seqs) == 12 and seqs == sorted(seqs)
    later = [e.event.item_id for e in log.iter(after_seq=seqs[9])]
    assert later == ["10", "11"]
    assert log.last_seq() == seqs[-1]


def test_bad_events_are_rejected_with_a_reason() -> None:
    with pytest.raises(ValidationError, match="type"):
        Event(user_id="u", item_id="i", type="View Now", timestamp=T0)
    with pytest.raises(ValidationError, match="256 bytes"):
        Event(user_id="u" * 300, item_id="i", type="view", timestamp=T0)
