"""Product title vectors in the shared ``embeddings`` table, recomputed only when a product changes.

Rows are keyed by (product_id, model) and carry the product's content hash, so a
second run encodes only new or changed products.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import Engine, delete, select

from shopsense.catalog.image_store import from_blob, to_blob
from shopsense.catalog.store import ProductStore
from shopsense.models.sentence_encoder import TextEncoder, Vectors
from shopsense.storage.schema import embeddings as E


def product_text(title: str) -> str:
    """The text a product is embedded by: its title (what every catalogue has)."""
    return title


def embed_product_texts(engine: Engine, encoder: TextEncoder, batch_size: int = 512) -> int:
    """Encode products whose title vector is missing or stale; returns how many were encoded."""
    products = ProductStore(engine)
    current = products.content_hashes()
    with engine.connect() as conn:
        query = select(E.c.product_id, E.c.content_hash).where(E.c.model == encoder.name)
        stored = {r.product_id: r.content_hash for r in conn.execute(query)}
    todo = sorted(pid for pid, h in current.items() if stored.get(pid) != h)
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        found = products.get_many(chunk)
        ids = [pid for pid in chunk if pid in found]
        vecs = encoder.encode([product_text(found[pid].title) for pid in ids])
        with engine.begin() as conn:
            conn.execute(delete(E).where(E.c.model == encoder.name, E.c.product_id.in_(ids)))
            conn.execute(
                E.insert(),
                [
                    {
                        "product_id": pid,
                        "model": encoder.name,
                        "content_hash": current[pid],
                        "dim": int(vec.size),
                        "vector": to_blob(vec),
                    }
                    for pid, vec in zip(ids, vecs, strict=True)
                ],
            )
    return len(todo)


def load_text_vectors(
    engine: Engine, model: str, ids: Sequence[str] | None = None
) -> tuple[list[str], Vectors]:
    """Stored ``model`` vectors (all, or of ``ids``), in id order."""
    query = select(E.c.product_id, E.c.dim, E.c.vector).where(E.c.model == model)
    with engine.connect() as conn:
        rows = sorted(conn.execute(query), key=lambda r: r.product_id)
    wanted = set(ids) if ids is not None else None
    rows = [r for r in rows if wanted is None or r.product_id in wanted]
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    return [r.product_id for r in rows], np.vstack([from_blob(r.vector, r.dim) for r in rows])
