"""Versioned artifacts (trained models) in the ``model_artifacts`` table.

One store for every kind of model: the search ranker (``shopsense.app.search_wiring``)
and the query-intent model (``shopsense.query.intent_store``) both keep their
versions here. ``save`` numbers the versions of a name 1, 2, … inside one
transaction; the ``(name, version)`` unique constraint refuses a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from shopsense.storage.schema import model_artifacts as M


@dataclass(frozen=True)
class Artifact:
    name: str
    version: int
    kind: str
    payload: bytes
    meta: dict[str, Any]


class ArtifactStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, name: str, kind: str, payload: bytes, meta: dict[str, Any]) -> int:
        """Store a new version of ``name``; returns its version number (1, 2, …)."""
        with self.engine.begin() as conn:
            last = conn.execute(select(func.max(M.c.version)).where(M.c.name == name)).scalar()
            version = int(last or 0) + 1
            conn.execute(
                M.insert().values(
                    name=name,
                    version=version,
                    kind=kind,
                    payload=payload,
                    meta=meta,
                    created_at=datetime.now(UTC),
                )
            )
        return version

    def get(
        self, name: str, version: int | None = None, kind: str | None = None
    ) -> Artifact | None:
        """Version ``version`` of ``name`` (the newest when None), optionally of one ``kind``."""
        query = select(M).where(M.c.name == name)
        if kind is not None:
            query = query.where(M.c.kind == kind)
        if version is not None:
            query = query.where(M.c.version == version)
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(M.c.version.desc()).limit(1)).mappings().first()
        if row is None:
            return None
        return Artifact(row["name"], row["version"], row["kind"], row["payload"], row["meta"])

    def latest(self, name: str) -> Artifact | None:
        """The newest version of ``name``, or None."""
        return self.get(name)

    def latest_version(self, name: str, kind: str | None = None) -> int | None:
        """The newest version number of ``name`` (of one ``kind``), without its payload."""
        query = select(func.max(M.c.version)).where(M.c.name == name)
        if kind is not None:
            query = query.where(M.c.kind == kind)
        with self.engine.connect() as conn:
            last = conn.execute(query).scalar()
        return None if last is None else int(last)


#: The name every model kind's callers use (search ranker, dedup scorer, fusion model).
ModelStore = ArtifactStore
