"""The durable event log: append-only, idempotent by event id, read back in arrival order.

``append`` commits before it returns, so a caller may acknowledge the events
once it has the result; an event whose key is already in the log is reported as
a duplicate and not stored again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite

from shopsense.events.schema import Event
from shopsense.storage.schema import events as E


@dataclass(frozen=True)
class AppendResult:
    """For each appended event, in order: was it new (stored) or a duplicate?"""

    stored: tuple[bool, ...]

    @property
    def inserted(self) -> int:
        return sum(self.stored)

    @property
    def duplicates(self) -> int:
        return len(self.stored) - self.inserted


@dataclass(frozen=True)
class LoggedEvent:
    seq: int
    event: Event


class EventLog:
    """Events in one store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, batch: Sequence[Event]) -> AppendResult:
        """Store new events in one transaction; repeats (same key) are not stored twice."""
        if not batch:
            return AppendResult(())
        keys = [e.key() for e in batch]
        now = datetime.now(UTC)
        rows = []
        seen_in_batch: set[str] = set()
        for event, key in zip(batch, keys, strict=True):
            if key in seen_in_batch:
                continue
            seen_in_batch.add(key)
            rows.append(
                {
                    "event_id": key,
                    "user_id": event.user_id,
                    "item_id": event.item_id,
                    "type": event.type,
                    "ts": event.timestamp,
                    "session_id": event.session_id,
                    "query": event.query,
                    "received_at": now,
                }
            )
        with self.engine.begin() as conn:
            dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
            stmt = dialect.insert(E).on_conflict_do_nothing(index_elements=["event_id"])
            new_keys = set(conn.execute(stmt.returning(E.c.event_id), rows).scalars().all())
        stored, claimed = [], set()
        for key in keys:
            fresh = key in new_keys and key not in claimed
            claimed.add(key)
            stored.append(fresh)
        return AppendResult(tuple(stored))

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(E)).scalar_one())

    def contains(self, key: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(E.c.seq).where(E.c.event_id == key)).first() is not None

    def iter(self, *, after_seq: int = 0, batch_size: int = 5000) -> Iterator[LoggedEvent]:
        """Events in arrival order, from ``after_seq`` on, read in pages."""
        last = after_seq
        while True:
            query = select(E).where(E.c.seq > last).order_by(E.c.seq).limit(batch_size)
            with self.engine.connect() as conn:
                rows = list(conn.execute(query).mappings())
            if not rows:
                return
            for row in rows:
                ts = row["ts"] if row["ts"].tzinfo else row["ts"].replace(tzinfo=UTC)
                yield LoggedEvent(
                    row["seq"],
                    Event(
                        user_id=row["user_id"],
                        item_id=row["item_id"],
                        type=row["type"],
                        timestamp=ts,
                        session_id=row["session_id"],
                        query=row["query"],
                        event_id=row["event_id"],
                    ),
                )
            last = rows[-1]["seq"]

    def last_seq(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(E.c.seq), 0))).scalar_one())
