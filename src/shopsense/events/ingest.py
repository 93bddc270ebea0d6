"""Ingest an event file into the durable log: good rows appended, bad rows quarantined.

Conservation holds for every run: rows read = accepted + quarantined, where
accepted = newly stored + duplicates already in the log (the log is idempotent
by event key, so ingesting a file twice stores nothing the second time).
Quarantined rows go to the shared ``quarantine`` table with a reason code; the
run and its counters go to ``ingest_runs``.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite

from shopsense.core.conservation import ConservedRun
from shopsense.events.loaders import LoadOptions, RejectedRow, iter_events
from shopsense.events.log import EventLog
from shopsense.events.schema import Event
from shopsense.storage.runs import finish_run, start_run
from shopsense.storage.schema import quarantine

BATCH = 2000


@dataclass
class EventIngestSummary(ConservedRun):
    file: str
    format: str
    run_id: int = 0
    rows_read: int = 0
    accepted: int = 0
    inserted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def ingest_events(engine: Engine, path: Path, options: LoadOptions) -> EventIngestSummary:
    """Stream ``path`` into the event log in batches, each committed with its quarantine."""
    started = time.perf_counter()
    summary = EventIngestSummary(file=str(path), format=options.format)
    summary.run_id = start_run(engine, f"events:{path}")
    log = EventLog(engine)
    reasons: Counter[str] = Counter()
    events: list[Event] = []
    rejected: list[RejectedRow] = []

    def flush() -> None:
        result = log.append(events)
        summary.inserted += result.inserted
        summary.duplicates += result.duplicates
        summary.accepted += len(events)
        summary.quarantined += len(rejected)
        summary.rows_read += len(events) + len(rejected)
        reasons.update(r.reason for r in rejected)
        _quarantine(engine, summary.run_id, str(path), rejected)
        events.clear()
        rejected.clear()

    for out in iter_events(path, options):
        if isinstance(out, RejectedRow):
            rejected.append(out)
        else:
            events.append(out)
        if len(events) + len(rejected) >= BATCH:
            flush()
    flush()
    summary.reasons = dict(reasons)
    summary.seconds = time.perf_counter() - started
    counters = {"unchanged": summary.duplicates, **summary.to_dict()}
    finish_run(engine, summary.run_id, "completed", summary.to_dict(), counters)
    return summary


def _quarantine(engine: Engine, run_id: int, source: str, rows: list[RejectedRow]) -> None:
    """Keep rejected rows with their reason; a row already quarantined is not doubled."""
    if not rows:
        return
    now = datetime.now(UTC)
    values = [
        {
            "run_id": run_id,
            "source": source,
            "line_no": r.line_no,
            "reason": r.reason,
            "detail": r.detail,
            "raw": r.raw,
            "raw_hash": hashlib.sha256(r.raw.encode("utf-8", "replace")).hexdigest(),
            "product_id": None,
            "created_at": now,
        }
        for r in rows
    ]
    with engine.begin() as conn:
        dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
        conn.execute(dialect.insert(quarantine).on_conflict_do_nothing(), values)
