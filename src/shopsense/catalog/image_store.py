"""Image features in the store: vectors keyed by (image content hash, kind), and per
product the image it shows with what reading it found (ok | missing | corrupt)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Connection, Engine, delete, func, select

from shopsense.models.sentence_encoder import Vectors
from shopsense.storage.schema import image_features as F
from shopsense.storage.schema import product_images as P

COLOUR_KIND = "colour-rgb64"


@dataclass(frozen=True)
class ImageRecord:
    """What reading one product's image found."""

    product_id: str
    image_path: str
    status: str  # ok | missing | corrupt
    detail: str | None = None
    image_hash: str | None = None
    dhash: str | None = None


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes, dim: int) -> np.ndarray:
    arr = np.frombuffer(blob, dtype="<f4")
    if arr.size != dim:
        raise ValueError(f"stored vector has {arr.size} values, expected {dim}")
    return arr


class ImageFeatureStore:
    """Reads and writes image features and product image records in one store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def write(
        conn: Connection,
        records: Sequence[ImageRecord],
        features: Iterable[tuple[str, str, np.ndarray]],
    ) -> None:
        """Replace ``records`` (by product) and add ``features`` (image_hash, kind, vector)."""
        now = datetime.now(UTC)
        features_list = list(features)
        rows = [
            {
                "image_hash": h,
                "kind": kind,
                "dim": int(np.asarray(v).size),
                "vector": to_blob(v),
            }
            for h, kind, v in features_list
        ]
        if rows:
            hashes = sorted({h for h, _, _ in features_list})
            have = {
                (r.image_hash, r.kind)
                for r in conn.execute(
                    select(F.c.image_hash, F.c.kind).where(F.c.image_hash.in_(hashes))
                )
            }
            fresh = {
                (r["image_hash"], r["kind"]): r
                for r in rows
                if (r["image_hash"], r["kind"]) not in have
            }
            if fresh:
                conn.execute(F.insert(), list(fresh.values()))
        if records:
            ids = [r.product_id for r in records]
            conn.execute(delete(P).where(P.c.product_id.in_(ids)))
            conn.execute(
                P.insert(),
                [
                    {
                        "product_id": r.product_id,
                        "image_path": r.image_path,
                        "status": r.status,
                        "detail": r.detail,
                        "image_hash": r.image_hash,
                        "dhash": r.dhash,
                        "checked_at": now,
                    }
                    for r in records
                ],
            )

    def records(self) -> dict[str, ImageRecord]:
        """Every product's image record, by product id."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(P)).mappings()
            return {
                r["product_id"]: ImageRecord(
                    r["product_id"],
                    r["image_path"],
                    r["status"],
                    r["detail"],
                    r["image_hash"],
                    r["dhash"],
                )
                for r in rows
            }

    def hashes_with(self, kind: str) -> set[str]:
        """Image hashes that already have a ``kind`` vector."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(F.c.image_hash).where(F.c.kind == kind)).scalars())

    def vectors(self, kind: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """``kind`` vectors of the given image hashes (those that have one)."""
        out: dict[str, np.ndarray] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(hashes), 500):
                chunk = list(hashes[start : start + 500])
                rows = conn.execute(
                    select(F.c.image_hash, F.c.dim, F.c.vector).where(
                        F.c.kind == kind, F.c.image_hash.in_(chunk)
                    )
                )
                out.update({r.image_hash: from_blob(r.vector, r.dim) for r in rows})
        return out

    def product_vectors(self, kind: str) -> tuple[list[str], Vectors]:
        """Product ids with a readable image and their ``kind`` vectors, in id order."""
        recs = sorted(
            (r for r in self.records().values() if r.status == "ok" and r.image_hash),
            key=lambda r: r.product_id,
        )
        found = self.vectors(kind, sorted({r.image_hash for r in recs if r.image_hash}))
        ids = [r.product_id for r in recs if r.image_hash in found]
        if not ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        mat = np.vstack([found[r.image_hash] for r in recs if r.image_hash in found])
        return ids, mat.astype(np.float32)

    def status_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(P.c.status, func.count()).group_by(P.c.status))
            return {status: int(n) for status, n in rows}
