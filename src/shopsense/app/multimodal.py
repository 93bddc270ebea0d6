"""The multimodal service: embed product images and titles, "looks similar", text → image."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from shopsense.app.settings import Settings
from shopsense.catalog.image_duplicates import DuplicatePair, find_image_duplicates
from shopsense.catalog.image_embed import EmbedProgress, EmbedSummary, ImageEmbedder
from shopsense.catalog.image_store import ImageFeatureStore
from shopsense.catalog.schema import Product
from shopsense.catalog.store import ProductStore
from shopsense.models.image_encoder import EfficientNetLite0
from shopsense.models.sentence_encoder import MultilingualUSE, TextEncoder
from shopsense.retrieval.multimodal import FusionWeights, Hit, MultimodalIndex
from shopsense.retrieval.multimodal_store import build_index
from shopsense.retrieval.title_vectors import embed_titles


@dataclass(frozen=True)
class EmbedResult:
    images: EmbedSummary
    texts_encoded: int


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

    def embed(self, progress: EmbedProgress | None = None) -> EmbedResult:
        """Embed new or changed product images and titles (resumable, idempotent)."""
        images = ImageEmbedder(self.engine, self.image_encoder, self.image_encoder.batch_size).run(
            progress
        )
        texts = embed_titles(self.engine, self.text_encoder).encoded
        self._index = None
        return EmbedResult(images, texts)

    def index(self) -> MultimodalIndex:
        if self._index is None:
            self._index = build_index(
                self.engine,
                self.text_encoder,
                self.image_encoder.name,
                self.image_encoder.dim,
                self.weights,
            )
        return self._index

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
