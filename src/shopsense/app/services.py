"""Wire Settings into services: the composition root every shell (CLI, API) uses."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select

from shopsense.app.keys import ApiKeyStore
from shopsense.app.query_service import QueryService
from shopsense.app.recommendations import RecommendService
from shopsense.app.settings import Settings
from shopsense.app.suggestions import SuggestService
from shopsense.catalog.ingest import IngestOptions, IngestSummary, ingest_file
from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.quality.gate import QualityGate
from shopsense.catalog.quality.report import QualityReport, build_report
from shopsense.catalog.quality.store_check import QualityCheckSummary, run_quality_check
from shopsense.catalog.quarantine import QuarantineStore
from shopsense.catalog.schema import Product
from shopsense.catalog.sources import Progress
from shopsense.catalog.store import ProductStore
from shopsense.events.log import EventLog
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.storage.engine import open_store
from shopsense.storage.schema import products as products_table

if TYPE_CHECKING:
    from shopsense.app.multimodal import MultimodalService
    from shopsense.app.search import SearchService
    from shopsense.catalog.matching.clusters import DuplicateCluster
    from shopsense.ranking.features import ImageScorer
    from shopsense.recommend.content import ItemVectors
    from shopsense.retrieval.index_sync import Progress as IndexProgress
    from shopsense.retrieval.index_sync import SyncReport


@dataclass
class Services:
    settings: Settings
    engine: Engine
    products: ProductStore
    quarantine: QuarantineStore
    events: EventLog
    keys: ApiKeyStore
    suggestions: SuggestService
    recommendations: RecommendService
    query: QueryService
    _search: SearchService | None = field(default=None, repr=False)
    _multimodal: MultimodalService | None = field(default=None, repr=False)
    _search_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        engine = open_store(settings.db)
        products = ProductStore(engine)
        recommendations = RecommendService(
            engine,
            products,
            encoder=MultilingualUSE() if settings.recommend_content else None,
            refit_after=settings.recommend_refit_after,
        )
        services = cls(
            settings,
            engine,
            products,
            QuarantineStore(engine),
            EventLog(engine),
            ApiKeyStore(engine),
            SuggestService(products),
            recommendations,
            QueryService(settings, engine, products),
        )
        if settings.recommend_content:
            recommendations.extra_blocks = services._image_block
        return services

    def quality_config(self) -> QualityConfig:
        return QualityConfig.load(self.settings.quality_config)

    def ingest(
        self,
        path: Path,
        options: IngestOptions,
        progress: Progress | None = None,
        *,
        gate: bool = True,
    ) -> IngestSummary:
        """Ingest through the quality gate (cleaning + ``fail`` checks) unless ``gate`` is off."""
        hook = QualityGate(self.quality_config(), datetime.now(UTC)) if gate else None
        return ingest_file(self.engine, path, options, progress=progress, hook=hook)

    def quality_check(self, *, dedup: bool = True) -> QualityCheckSummary:
        """The second pass over the store: every check, duplicates, quality scores."""
        from shopsense.catalog.matching.dedup import DedupConfig, find_duplicates

        def duplicates(
            items: Sequence[Product], preference: Sequence[float]
        ) -> list[DuplicateCluster]:
            return find_duplicates(items, preference, DedupConfig())

        return run_quality_check(
            self.engine, self.quality_config(), datetime.now(UTC), duplicates if dedup else None
        )

    def quality_report(self, *, clusters: int = 20) -> QualityReport:
        return build_report(self.engine, self.quality_config(), max_clusters=clusters)

    @property
    def index_dir(self) -> Path:
        """Search indexes of this store (one folder per store URL under ``data_dir``)."""
        tag = hashlib.sha256(self.settings.db.encode("utf-8")).hexdigest()[:12]
        return self.settings.data_dir / "search" / tag

    def search(self, progress: IndexProgress | None = None) -> SearchService:
        """The search service, its indexes brought up to date with the store on first use."""
        with self._search_lock:  # the HTTP server asks from many threads at once
            if self._search is None:
                from shopsense.app.search_wiring import open_search

                self._search = open_search(
                    self.settings, self.engine, self.index_dir, progress, self._image_scorer()
                )
                self._search.understand = self.query.parse
            return self._search

    def catalogue_version(self) -> tuple[int, str]:
        """Changes whenever a product is added, updated or deleted (count, last ingest time)."""
        with self.engine.connect() as conn:
            n, last = conn.execute(
                select(func.count(), func.max(products_table.c.ingested_at))
            ).one()
        return int(n), str(last)

    def refresh_search(self) -> bool:
        """If the search service is open, apply catalogue changes to its indexes and swap
        the updated service in; searches keep using the old one meanwhile. True if swapped."""
        if self._search is None:
            return False
        from shopsense.app.search_wiring import open_search

        fresh = open_search(self.settings, self.engine, self.index_dir, None, self._image_scorer())
        fresh.understand = self.query.parse
        with self._search_lock:
            self._search = fresh
        return True

    def train_search_ranker(
        self,
        queries: dict[str, str] | None = None,
        qrels: dict[str, dict[str, float]] | None = None,
    ) -> int:
        """Train and store a new LTR version from qrels, or from click logs when none are given."""
        from shopsense.app.search_wiring import train_and_store
        from shopsense.events.log import EventLog
        from shopsense.ranking.training import click_judgments

        source = "qrels"
        if queries is None or qrels is None:
            queries, qrels = click_judgments(EventLog(self.engine))
            source = "click-log"
        return train_and_store(self.search(), self.engine, queries, qrels, source)

    @property
    def multimodal(self) -> MultimodalService:
        """Image and title embeddings, "looks similar", text → image (built on first use)."""
        if self._multimodal is None:
            from shopsense.app.multimodal import MultimodalService

            self._multimodal = MultimodalService(self.engine, self.settings)
        return self._multimodal

    def _image_scorer(self) -> ImageScorer | None:
        """The photo-fit ranking feature when the store has embedded images (else None)."""
        mm = self.multimodal
        return mm.image_cosines if mm.has_images() else None

    def _image_block(self) -> dict[str, ItemVectors]:
        """The fused image block for content-based recommendations, when images exist."""
        mm = self.multimodal
        return {"image": mm.content_block()} if mm.has_images() else {}

    def index_report(self) -> SyncReport:
        return self.search().pipeline.index.report

    def close(self) -> None:
        self.engine.dispose()
