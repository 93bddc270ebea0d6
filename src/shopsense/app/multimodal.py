"""The multimodal service: embed product images and titles, "looks similar", text → image.

The fusion model (category projection + text → image map) is fitted when
``embed`` changed something, or when the store holds none, and stored as a new
version of ``multimodal-fusion`` in ``model_artifacts``; every other start loads
the newest version instead of refitting.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine

from shopsense.app.settings import Settings
from shopsense.catalog.image_duplicates import DuplicatePair, find_image_duplicates
from shopsense.catalog.image_embed import EmbedProgress, EmbedSummary, ImageEmbedder
from shopsense.catalog.image_store import ImageFeatureStore
from shopsense.catalog.schema import Product
from shopsense.catalog.store import ProductStore
from shopsense.core.errors import NotFoundError
from shopsense.models.image_encoder import EfficientNetLite0
from shopsense.models.sentence_encoder import MultilingualUSE, TextEncoder, l2_normalise
from shopsense.recommend.content import ItemVectors
from shopsense.retrieval.multimodal import FusionWeights, Hit, MultimodalIndex, MultimodalModel
from shopsense.retrieval.multimodal_store import leaf_categories, load_blocks
from shopsense.retrieval.title_vectors import embed_titles
from shopsense.storage.artifacts import ModelStore


@dataclass(frozen=True)
class EmbedResult:
    images: EmbedSummary
    texts_encoded: int


FUSION_MODEL = "multimodal-fusion"
FUSION_KIND = "ridge-npz"


@dataclass(frozen=True)
class SimilarItem:
    product: Product
    score: float


class MultimodalService:
    """Owns the encoders and the (lazily built) multimodal index of one store."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        image_encoder: EfficientNetLite0 | None = None,
        text_encoder: TextEncoder | None = None,
        weights: FusionWeights | None = None,
    ) -> None:
        self.engine = engine
        self.image_encoder = image_encoder or EfficientNetLite0(
            settings.models_dir,
            backend=settings.image_backend,
            batch_size=settings.image_batch_size,
        )
        self.text_encoder = text_encoder or MultilingualUSE()
        self.weights = weights or FusionWeights()
        self._index: MultimodalIndex | None = None
        self.fusion_version: int | None = None  # the stored fusion model the index uses
        self._lock = threading.Lock()  # the HTTP server asks from many threads at once

    def embed(self, progress: EmbedProgress | None = None) -> EmbedResult:
        """Embed new or changed product images and titles (resumable, idempotent)."""
        images = ImageEmbedder(self.engine, self.image_encoder, self.image_encoder.batch_size).run(
            progress
        )
        texts = embed_titles(self.engine, self.text_encoder).encoded
        self._index = None
        if images.embedded or texts:
            with self._lock:
                self._build(refit=True)
        return EmbedResult(images, texts)

    def has_images(self) -> bool:
        """True when at least one product image has been read and embedded."""
        return ImageFeatureStore(self.engine).status_counts().get("ok", 0) > 0

    def _fusion_meta(self) -> dict[str, object]:
        return {
            "image_model": self.image_encoder.name,
            "text_model": self.text_encoder.name,
            "weights": asdict(self.weights),
        }

    def _build(self, *, refit: bool) -> MultimodalIndex:
        """The index over stored vectors, with the stored fusion model unless ``refit``."""
        ids, blocks = load_blocks(
            self.engine, self.text_encoder, self.image_encoder.name, self.image_encoder.dim
        )
        store, meta = ModelStore(self.engine), self._fusion_meta()
        stored = None if refit else store.latest(FUSION_MODEL)
        if stored is not None and {k: stored.meta.get(k) for k in meta} == meta:
            model, self.fusion_version = MultimodalModel.from_bytes(stored.payload), stored.version
        else:
            model = MultimodalModel.fit(blocks, leaf_categories(self.engine, ids), self.weights)
            meta |= {"products": len(ids), "fitted_at": datetime.now(UTC).isoformat()}
            self.fusion_version = store.save(FUSION_MODEL, FUSION_KIND, model.to_bytes(), meta)
        self._index = MultimodalIndex(ids, blocks, model)
        return self._index

    def index(self) -> MultimodalIndex:
        """The multimodal index; loads the stored fusion model (fits one only if none fits)."""
        with self._lock:
            return self._index if self._index is not None else self._build(refit=False)

    def image_cosines(
        self, query_vector: npt.NDArray[np.float32], product_ids: Sequence[str]
    ) -> npt.NDArray[np.float64]:
        """The search ranker's image feature: query ↔ each product's photo (NaN: no photo)."""
        try:
            index = self.index()
        except NotFoundError:  # images embedded but no title vectors yet: no photo signal
            return np.full(len(product_ids), np.nan)
        return index.image_cosines(query_vector, product_ids)

    def image_block(self) -> ItemVectors:
        """The products' own photo vectors (CNN embeddings, L2-normalised), a content-recs
        block: no title, colour or category projection in them, and nothing is fitted or
        written (a read-only command may ask for it)."""
        ids, mat = ImageFeatureStore(self.engine).product_vectors(self.image_encoder.name)
        return ItemVectors(tuple(ids), l2_normalise(mat) if len(ids) else mat)

    def content_block(self) -> ItemVectors:
        """The fused title + image + colour (+ projection) vectors, a content-recs block."""
        index = self.index()
        return ItemVectors(tuple(index.ids), index.vectors)

    def _products(self, hits: list[Hit]) -> list[SimilarItem]:
        found = ProductStore(self.engine).get_many([h.product_id for h in hits])
        return [SimilarItem(found[h.product_id], h.score) for h in hits if h.product_id in found]

    def similar(self, product_id: str, k: int = 10) -> list[SimilarItem]:
        """ "Looks similar": nearest products by the fused text + image + colour vector."""
        ProductStore(self.engine).get(product_id)  # NotFoundError for an unknown id
        return self._products(self.index().similar(product_id, k))

    def search_by_image(self, query: str, k: int = 10) -> list[SimilarItem]:
        """Products whose image fits a text query (text → image through the learned map)."""
        vector = self.text_encoder.encode([query])[0]
        return self._products(self.index().search_by_image(vector, k))

    def duplicates(self, max_hamming: int = 4, min_cosine: float = 0.95) -> list[DuplicatePair]:
        return find_image_duplicates(
            ImageFeatureStore(self.engine), self.image_encoder.name, max_hamming, min_cosine
        )
