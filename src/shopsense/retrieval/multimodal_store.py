"""Build a ``MultimodalIndex`` from what the store holds (title vectors, image features)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import Engine

from shopsense.catalog.image_store import COLOUR_KIND, ImageFeatureStore
from shopsense.catalog.store import ProductStore
from shopsense.core.errors import NotFoundError
from shopsense.models.image_signals import COLOUR_DIM
from shopsense.models.sentence_encoder import TextEncoder
from shopsense.retrieval.multimodal import Blocks, FusionWeights, MultimodalIndex, MultimodalModel
from shopsense.retrieval.title_vectors import title_vector_store


def load_blocks(
    engine: Engine, text_encoder: TextEncoder, image_model: str, image_dim: int
) -> tuple[list[str], Blocks]:
    """Row-aligned blocks for every product with a title vector (zeros where no image)."""
    titles = title_vector_store(engine, text_encoder).load()
    live = ProductStore(engine).content_hashes()
    ids = sorted(pid for pid in titles if pid in live)
    if not ids:
        raise NotFoundError("no product vectors in the store: run `shopsense images embed` first")
    row = {pid: i for i, pid in enumerate(ids)}
    image = np.zeros((len(ids), image_dim), dtype=np.float32)
    colour = np.zeros((len(ids), COLOUR_DIM), dtype=np.float32)
    store = ImageFeatureStore(engine)
    for kind, target in ((image_model, image), (COLOUR_KIND, colour)):
        found_ids, mat = store.product_vectors(kind)
        for pid, vec in zip(found_ids, mat, strict=True):
            if pid in row:
                target[row[pid]] = vec
    text = np.vstack([titles[pid] for pid in ids]).astype(np.float32)
    return ids, Blocks(text, image, colour)


def leaf_categories(engine: Engine, ids: list[str]) -> list[str | None]:
    products = ProductStore(engine).get_many(ids)
    return [
        products[p].category[-1] if p in products and products[p].category else None for p in ids
    ]


def build_index(
    engine: Engine,
    text_encoder: TextEncoder,
    image_model: str,
    image_dim: int,
    weights: FusionWeights | None = None,
) -> MultimodalIndex:
    """Fit the fusion model on the store's catalogue and index every product with vectors."""
    ids, blocks = load_blocks(engine, text_encoder, image_model, image_dim)
    model = MultimodalModel.fit(blocks, leaf_categories(engine, ids), weights or FusionWeights())
    return MultimodalIndex(ids, blocks, model)
