"""Title-only sentence vectors for the multimodal features, in the shared ``embeddings`` table.

Search stores its own vectors of title + brand + category + description under the
encoder's name; the multimodal features use the title alone (what every catalogue
has, and what a photo is paired with), stored under ``<encoder>/title`` through the
same ``EmbeddingStore`` so neither overwrites the other.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from shopsense.catalog.store import ProductStore
from shopsense.models.sentence_encoder import TextEncoder, Vectors
from shopsense.retrieval.embeddings import EmbeddingStore, EmbedItem, EnsureCounts


class TitleEncoder:
    """``inner`` under the name ``<inner>/title``: the key title vectors are stored by."""

    def __init__(self, inner: TextEncoder) -> None:
        self.inner = inner
        self.name = f"{inner.name}/title"
        self.dim = inner.dim

    def encode(self, texts: Sequence[str]) -> Vectors:
        return self.inner.encode(texts)


def title_vector_store(engine: Engine, encoder: TextEncoder) -> EmbeddingStore:
    return EmbeddingStore(engine, TitleEncoder(encoder))


def embed_titles(engine: Engine, encoder: TextEncoder) -> EnsureCounts:
    """Encode the titles of new or changed products (by content hash); keep the others."""
    products = ProductStore(engine)
    hashes = products.content_hashes()
    items = [EmbedItem(p.id, hashes[p.id], p.title) for p in products.iter_all() if p.id in hashes]
    return title_vector_store(engine, encoder).ensure(items)
