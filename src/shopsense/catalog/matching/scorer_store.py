"""The learned pair scorer, versioned in the store's ``model_artifacts`` table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from shopsense.catalog.matching.evidence import FEATURES
from shopsense.catalog.matching.scoring import LearnedScorer
from shopsense.storage.artifacts import ModelStore

NAME = "dedup-pair-scorer"
KIND = "pair-scorer"


def save_scorer(engine: Engine, scorer: LearnedScorer, meta: dict[str, Any]) -> int:
    """Store ``scorer`` as the next version of :data:`NAME`; return the version."""
    info = {**meta, "threshold": scorer.threshold, "features": list(scorer.features)}
    return ModelStore(engine).save(NAME, KIND, scorer.to_bytes(), info)


def load_scorer(engine: Engine) -> tuple[LearnedScorer | None, str]:
    """The newest stored scorer and a note saying which one, or ``None`` and why not.

    A scorer trained on other evidence columns than today's ``FEATURES`` is not used
    (it would read the columns wrongly): the note says to train it again.
    """
    artifact = ModelStore(engine).latest(NAME)
    if artifact is None or artifact.kind != KIND:
        return None, "rule scorer (no learned scorer stored: `shopsense train dedup`)"
    meta: dict[str, Any] = artifact.meta
    if tuple(meta.get("features", ())) != FEATURES:
        return None, (
            f"rule scorer (stored scorer v{artifact.version} was trained on other evidence: "
            "train it again with `shopsense train dedup`)"
        )
    scorer = LearnedScorer.from_bytes(artifact.payload, float(meta["threshold"]), FEATURES)
    return scorer, f"learned scorer v{artifact.version}"
