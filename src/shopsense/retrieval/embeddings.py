"""Stored product embeddings: table ``embeddings`` keyed by (product_id, model).

Each row carries the product's content hash, so a product is encoded again only
when its content changed: a restart or re-index of unchanged products encodes
nothing. Batches commit one by one, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, delete, select

from shopsense.models.sentence_encoder import TextEncoder
from shopsense.storage.schema import embeddings as E

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class EmbedItem:
    product_id: str
    content_hash: str
    text: str


@dataclass(frozen=True)
class EnsureCounts:
    encoded: int
    reused: int


class EmbeddingStore:
    """Vectors of one encoder, read and written in the store."""

    def __init__(self, engine: Engine, encoder: TextEncoder, batch_size: int = 512) -> None:
        self.engine = engine
        self.encoder = encoder
        self.batch_size = batch_size

    @property
    def model(self) -> str:
        return self.encoder.name

    def hashes(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(E.c.product_id, E.c.content_hash).where(E.c.model == self.model)
            )
            return {r.product_id: r.content_hash for r in rows}

    def ensure(
        self, items: Sequence[EmbedItem], progress: Callable[[int, int], None] | None = None
    ) -> EnsureCounts:
        """Encode the items whose stored vector is missing or stale; keep the others."""
        have = self.hashes()
        todo = [it for it in items if have.get(it.product_id) != it.content_hash]
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            vectors = self.encoder.encode([it.text for it in batch])
            self._write(batch, vectors)
            if progress is not None:
                progress(start + len(batch), len(todo))
        return EnsureCounts(encoded=len(todo), reused=len(items) - len(todo))

    def _write(self, batch: Sequence[EmbedItem], vectors: Vector) -> None:
        ids = [it.product_id for it in batch]
        rows = [
            {
                "product_id": it.product_id,
                "model": self.model,
                "content_hash": it.content_hash,
                "dim": int(vec.shape[0]),
                "vector": np.asarray(vec, dtype=np.float32).tobytes(),
            }
            for it, vec in zip(batch, vectors, strict=True)
        ]
        with self.engine.begin() as conn:
            conn.execute(delete(E).where(E.c.model == self.model, E.c.product_id.in_(ids)))
            conn.execute(E.insert(), rows)

    def load(self) -> dict[str, Vector]:
        """Every stored vector of this model, by product id."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(E.c.product_id, E.c.vector).where(E.c.model == self.model))
            return {r.product_id: np.frombuffer(r.vector, dtype=np.float32) for r in rows}

    def remove(self, product_ids: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            for start in range(0, len(product_ids), 500):
                chunk = list(product_ids[start : start + 500])
                conn.execute(delete(E).where(E.c.model == self.model, E.c.product_id.in_(chunk)))
