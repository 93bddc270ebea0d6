"""Quarantined rows and recorded repairs: what was kept out of the store, or fixed going in."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from shopsense.storage.schema import quarantine as Q
from shopsense.storage.schema import repairs as R


@dataclass(frozen=True)
class QuarantinedRow:
    source: str
    line_no: int
    reason: str
    detail: str
    raw: str
    product_id: str | None = None
    run_id: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class RecordedRepair:
    source: str
    line_no: int
    product_id: str | None
    field: str
    code: str
    before: str | None
    after: str | None


def _insert_ignore(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping ones that collide with a unique constraint (re-ingest)."""
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == "sqlite":
        conn.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)
    elif dialect == "postgresql":
        conn.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
    else:  # pragma: no cover - other databases: plain insert
        conn.execute(insert(table), rows)


def add_quarantined(conn: Connection, run_id: int, rows: Sequence[QuarantinedRow]) -> None:
    now = datetime.now(UTC)
    _insert_ignore(
        conn,
        Q,
        [
            {
                "run_id": run_id,
                "source": r.source,
                "line_no": r.line_no,
                "reason": r.reason,
                "detail": r.detail,
                "raw": r.raw,
                "raw_hash": hashlib.sha256(r.raw.encode("utf-8", "replace")).hexdigest(),
                "product_id": r.product_id,
                "created_at": now,
            }
            for r in rows
        ],
    )


def add_repairs(conn: Connection, run_id: int, rows: Sequence[RecordedRepair]) -> None:
    now = datetime.now(UTC)
    _insert_ignore(
        conn,
        R,
        [
            {
                "run_id": run_id,
                "source": r.source,
                "line_no": r.line_no,
                "product_id": r.product_id,
                "field": r.field,
                "code": r.code,
                "before": r.before,
                "after": r.after,
                "created_at": now,
            }
            for r in rows
        ],
    )


class QuarantineStore:
    """Read access to the quarantine and the repair log."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def page(
        self,
        *,
        reason: str | None = None,
        source: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[QuarantinedRow]:
        query = select(Q).order_by(Q.c.source, Q.c.line_no).limit(limit).offset(offset)
        if reason is not None:
            query = query.where(Q.c.reason == reason)
        if source is not None:
            query = query.where(Q.c.source.contains(source, autoescape=True))
        with self.engine.connect() as conn:
            return [
                QuarantinedRow(
                    source=r.source,
                    line_no=r.line_no,
                    reason=r.reason,
                    detail=r.detail,
                    raw=r.raw,
                    product_id=r.product_id,
                    run_id=r.run_id,
                    created_at=r.created_at,
                )
                for r in conn.execute(query)
            ]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Q)).scalar_one())

    def reasons(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(Q.c.reason, func.count()).group_by(Q.c.reason))
            return {reason: int(n) for reason, n in rows}

    def repairs(self, *, limit: int = 50, offset: int = 0) -> list[RecordedRepair]:
        query = select(R).order_by(R.c.source, R.c.line_no).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [
                RecordedRepair(
                    r.source, r.line_no, r.product_id, r.field, r.code, r.before, r.after
                )
                for r in conn.execute(query)
            ]

    def repair_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(R)).scalar_one())
