"""Book-keeping of ingest runs (table ``ingest_runs``), shared by catalogue and event ingest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, update

from shopsense.storage.schema import ingest_runs

COUNTERS = ("rows_read", "accepted", "inserted", "updated", "unchanged", "quarantined", "repaired")


def insert_run(conn: Connection, source: str) -> int:
    """Record a new run in state ``running`` with zeroed counters, inside ``conn``'s
    transaction; returns its id."""
    key = conn.execute(
        ingest_runs.insert().values(
            source=source,
            status="running",
            started_at=datetime.now(UTC),
            **dict.fromkeys(COUNTERS, 0),
        )
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


def start_run(engine: Engine, source: str) -> int:
    """A new run in state ``running`` with zeroed counters, committed; returns its id."""
    with engine.begin() as conn:
        return insert_run(conn, source)


def finish_run(
    engine: Engine,
    run_id: int,
    status: str,
    summary: Mapping[str, Any],
    counters: Mapping[str, int] | None = None,
) -> None:
    """Close a run with its final status, summary and (optionally) counters."""
    with engine.begin() as conn:
        conn.execute(
            update(ingest_runs)
            .where(ingest_runs.c.id == run_id)
            .values(
                status=status,
                finished_at=datetime.now(UTC),
                summary=dict(summary),
                **{k: v for k, v in (counters or {}).items() if k in COUNTERS},
            )
        )
