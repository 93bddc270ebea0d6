"""Versioned intent models in the store's ``model_artifacts`` table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from shopsense.core.errors import NotFoundError
from shopsense.query.intent import IntentModel
from shopsense.storage.artifacts import ArtifactStore

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
    return ArtifactStore(engine).save(model.name, KIND, model.to_bytes(), meta)


def load_intent_model(
    engine: Engine, name: str = "intent", version: int | None = None
) -> IntentModel:
    """The stored model ``name`` at ``version`` (the newest when None)."""
    row = ArtifactStore(engine).get(name, version, KIND)
    if row is None:
        which = f"version {version} of " if version is not None else ""
        raise NotFoundError(
            f"no {which}intent model {name!r} in the store: "
            "train one with `shopsense train intent --data FILE --text-col C --label-col L`"
        )
    model = IntentModel.from_bytes(row.payload)
    model.meta = {**model.meta, "version": int(row.version)}
    return model
