"""Versioned intent models in the store's ``model_artifacts`` table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select

from shopsense.core.errors import NotFoundError
from shopsense.query.intent import IntentModel
from shopsense.storage.schema import model_artifacts

KIND = "intent"


def save_intent_model(
    engine: Engine, model: IntentModel, extra: dict[str, Any] | None = None
) -> int:
    """Store ``model`` as the next version of ``model.name``; return the version."""
    meta = {
        "labels": len(model.labels),
        "components": sorted(model.components),
        "weights": model.weights,
        "temperature": model.temperature,
        "threshold": model.threshold,
        **model.meta,
        **(extra or {}),
    }
    with engine.begin() as conn:
        latest = conn.execute(
            select(func.max(model_artifacts.c.version)).where(model_artifacts.c.name == model.name)
        ).scalar()
        version = int(latest or 0) + 1
        conn.execute(
            insert(model_artifacts).values(
                name=model.name,
                version=version,
                kind=KIND,
                payload=model.to_bytes(),
                meta=meta,
                created_at=datetime.now(UTC),
            )
        )
    return version


def load_intent_model(
    engine: Engine, name: str = "intent", version: int | None = None
) -> IntentModel:
    """The stored model ``name`` at ``version`` (the newest when None)."""
    query = select(model_artifacts.c.payload, model_artifacts.c.version).where(
        model_artifacts.c.name == name, model_artifacts.c.kind == KIND
    )
    if version is not None:
        query = query.where(model_artifacts.c.version == version)
    with engine.connect() as conn:
        row = conn.execute(query.order_by(model_artifacts.c.version.desc()).limit(1)).first()
    if row is None:
        which = f"version {version} of " if version is not None else ""
        raise NotFoundError(
            f"no {which}intent model {name!r} in the store: "
            "train one with `shopsense train intent --data FILE --text-col C --label-col L`"
        )
    model = IntentModel.from_bytes(row.payload)
    model.meta = {**model.meta, "version": int(row.version)}
    return model
