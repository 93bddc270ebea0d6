"""Versioned ranking models: the shared artifact store of ``shopsense.storage``."""

from __future__ import annotations

from shopsense.storage.artifacts import Artifact, ArtifactStore

#: The store the search ranker is saved to and loaded from (one for every model kind).
ModelStore = ArtifactStore

__all__ = ["Artifact", "ModelStore"]
