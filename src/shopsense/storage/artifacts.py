"""Versioned models in the store's ``model_artifacts`` table."""

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


class ModelStore:
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

    def latest(self, name: str) -> Artifact | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(M).where(M.c.name == name).order_by(M.c.version.desc()).limit(1)
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return Artifact(row["name"], row["version"], row["kind"], row["payload"], row["meta"])
