"""Wire Settings into services: the composition root every shell (CLI, API) uses."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select

from shopsense.app.keys import ApiKeyStore
from shopsense.app.product_writes import WriteSummary, upsert_items
from shopsense.app.query_service import QueryService
from shopsense.app.recommendations import RecommendService
from shopsense.app.search_cache import SearchCache, cache_key
from shopsense.app.search_turns import Turns
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
from shopsense.catalog.store import ProductStore, ProductText
from shopsense.core.checks import Severity
from shopsense.events.checks import EventTimeWindow
from shopsense.events.ingest import EventIngestSummary
from shopsense.events.loaders import LoadOptions
from shopsense.events.log import EventLog
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.storage.engine import open_store
from shopsense.storage.schema import products as products_table

if TYPE_CHECKING:
    from shopsense.app.multimodal import MultimodalService
    from shopsense.app.search import SearchRequest, SearchResult, SearchService
    from shopsense.catalog.matching.clusters import DuplicateCluster
    from shopsense.evaluation.dedup import DedupEvalOptions
    from shopsense.ranking.features import ImageScorer
    from shopsense.recommend.content import ItemVectors
    from shopsense.retrieval.index_sync import Progress as IndexProgress
    from shopsense.retrieval.index_sync import SyncReport


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DedupTraining:
    """A pair scorer stored by :meth:`Services.train_dedup`."""

    version: int
    threshold: float
    meta: dict[str, Any]


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
    search_cache: SearchCache = field(default_factory=lambda: SearchCache(0))
    _search: SearchService | None = field(default=None, repr=False)
    _multimodal: MultimodalService | None = field(default=None, repr=False)
    _search_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: products written or deleted while a refresh builds its service (None: no refresh)
    _written: set[str] | None = field(default=None, repr=False)
    _written_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _turns: Turns[SearchRequest] = field(default_factory=Turns, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        engine = open_store(settings.db)
        products = ProductStore(engine)
        recommendations = RecommendService(
            engine,
            products,
            encoder=MultilingualUSE() if settings.recommend_content is not False else None,
            refit_after=settings.recommend_refit_after,
            encode_missing=settings.recommend_content is True,
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
            SearchCache(int(settings.search_cache_mb * 1024)),
        )
        if settings.recommend_content is not False:
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

    def ingest_events(
        self,
        path: Path,
        options: LoadOptions,
        window: tuple[datetime | None, datetime | None] | None = None,
    ) -> EventIngestSummary:
        """Append events to the log; events outside the expected time window (``window``, else
        the quality config's ``[events]`` span when its severity is ``fail``) are quarantined
        with reason ``event_outside_window``."""
        config = self.quality_config().events
        start, end = window or (config.start, config.end)
        applies = window is not None or (config.enabled and config.severity is Severity.FAIL)
        checks = (EventTimeWindow(Severity.FAIL, start, end),) if applies and (start or end) else ()
        return self.recommendations.ingest_events(path, replace(options, checks=checks))

    def write_products(
        self, items: Sequence[object], *, name: str = "bulk", gate: bool = True
    ) -> WriteSummary:
        """Upsert items from a program, each validated and (unless ``gate`` is off) passed
        through the quality gate; bad items are quarantined with their reason, a status each."""
        hook = QualityGate(self.quality_config(), datetime.now(UTC)) if gate else None
        done = upsert_items(self.engine, items, gate=hook, name=name)
        self._catalogue_changed([i.id for i in done.items if i.status in ("inserted", "updated")])
        return done

    def delete_product(self, product_id: str) -> None:
        """Delete a product (``NotFound`` if absent); searches stop showing it at once."""
        self.products.delete(product_id)
        self._catalogue_changed([product_id])

    def _catalogue_changed(self, ids: Sequence[str | None]) -> None:
        """Cached search results go; open search forgets these products' stored copies
        (its indexes take the change on the next refresh)."""
        if not ids:
            return
        self.search_cache.invalidate()
        written = [i for i in ids if i is not None]
        with self._written_lock:  # a refresh under way forgets them too, at its swap
            if self._written is not None:
                self._written.update(written)
        search = self._search  # read after: a service swapped in meanwhile forgets too
        if search is not None:
            search.forget(written)

    def quality_check(self, *, dedup: bool = True) -> QualityCheckSummary:
        """The second pass over the store: every check, duplicates, quality scores.

        Duplicates are scored by the newest stored learned scorer (``shopsense train
        dedup``), else by the rule; products showing the same photo (once their images
        are embedded: ``shopsense images embed``) are joined with ``same_photo`` evidence.
        """
        from shopsense.catalog.image_duplicates import photo_links
        from shopsense.catalog.image_store import ImageFeatureStore
        from shopsense.catalog.matching.dedup import DedupConfig, LinkSource, find_duplicates
        from shopsense.catalog.matching.scorer_store import load_scorer

        scorer, note = load_scorer(self.engine) if dedup else (None, "")
        photos = list(ImageFeatureStore(self.engine).records().values()) if dedup else []
        extra: list[LinkSource] = [photo_links(photos)] if photos else []

        def duplicates(
            items: Sequence[Product], preference: Sequence[float]
        ) -> list[DuplicateCluster]:
            return find_duplicates(items, preference, DedupConfig(), extra=extra, scorer=scorer)

        return run_quality_check(
            self.engine,
            self.quality_config(),
            datetime.now(UTC),
            duplicates if dedup else None,
            scorer=note,
        )

    def train_dedup(
        self, left: Path, right: Path, gold: Path, options: DedupEvalOptions
    ) -> DedupTraining:
        """Learn the pair scorer from two catalogues and their gold pairs; store a new version."""
        from shopsense.catalog.matching.scorer_store import save_scorer
        from shopsense.evaluation.dedup import labelled_pairs, train_scorer

        clock: dict[str, float] = {}
        data = labelled_pairs(left, right, gold, options, clock)
        scorer, meta = train_scorer(data, options.folds, options.seed)
        meta = {"left": str(left), "right": str(right), "gold": str(gold), **meta}
        version = save_scorer(self.engine, scorer, meta)
        return DedupTraining(version, round(scorer.threshold, 4), meta)

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

    def run_search(self, request: SearchRequest) -> tuple[SearchResult, bool]:
        """The result of ``request`` and whether it came from the result cache
        (:mod:`shopsense.app.search_cache`: repeated requests, invalidated on change).

        A process computes one search at a time; requests that miss the cache wait in
        turn, first come first served (:mod:`shopsense.app.search_turns`). Searches
        running side by side in one process only contend for the GIL and the CPU caches
        (measured 10–15% more CPU per request, benchmarks/RESULTS.md issue 7, fourth
        session); a server uses more cores with more processes (``serve --workers``). A
        request that waited finds its answer in the cache when an identical one was
        computed meanwhile (a burst of one new popular query is searched once). A request
        whose query needs encoding encodes those of the requests in line behind it in the
        same batch (``SearchService.prime``): a fraction of the cost of one by one."""
        key = cache_key(request)
        cached = self.search_cache.get(key)
        if cached is not None:
            return cached, True
        with self._turns.turn(key):
            cached = self.search_cache.peek(key)
            if cached is not None:
                return cached, True
            generation = self.search_cache.generation
            service = self.search()
            service.prime(key, self._turns.in_line())  # one encoder batch for the line
            result = service.search(key)
            self.search_cache.put(key, result, generation)
        return result, False

    def catalogue_version(self) -> tuple[int, str]:
        """Changes whenever a product is added, updated or deleted (count, last ingest time)."""
        with self.engine.connect() as conn:
            n, last = conn.execute(
                select(func.count(), func.max(products_table.c.ingested_at))
            ).one()
        return int(n), str(last)

    def refresh_search(self) -> bool:
        """If the search service is open, apply catalogue changes to its indexes and swap
        the updated service in; searches keep using the old one meanwhile. Then a query
        parser in use is rebuilt (the catalogue's brands and words, the current intent
        model); if that fails, the old parser keeps serving and the error is logged.
        True if swapped."""
        if self._search is None:
            return False
        from shopsense.app.search_wiring import open_search

        with self._written_lock:
            self._written = set()
        try:
            fresh = open_search(
                self.settings, self.engine, self.index_dir, None, self._image_scorer()
            )
            fresh.understand = self.query.parse
            fresh.carry(self._search)  # unchanged products are not tokenized nor read again
            if self.settings.search_warm:
                fresh.warm()
        except BaseException:
            with self._written_lock:
                self._written = None
            raise
        with self._search_lock, self._written_lock:
            # a copy carried or read before a write that came meanwhile is not shown
            fresh.forget(sorted(self._written or ()))
            self._written = None
            self._search = fresh
        self.search_cache.invalidate()
        table = fresh.pipeline.index.table  # the products' words, just read
        texts = list(map(ProductText, table.titles, table.brands, table.categories))
        try:
            if self.query.refresh(texts):  # results parsed by the old parser go too
                self.search_cache.invalidate()
        except Exception:  # the new indexes serve; the parser catches up on the next change
            log.exception("query parser rebuild failed; the previous parser keeps serving")
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
        version = train_and_store(self.search(), self.engine, queries, qrels, source)
        self.search_cache.invalidate()  # results ranked by the previous model go
        return version

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
        """The photo block for content-based recommendations, when images exist: the raw
        image vectors, so "similar photo" is the photos' own cosine (not the fused vector,
        whose category projection makes any two items of one category alike)."""
        mm = self.multimodal
        if not mm.has_images():
            return {}
        block = mm.image_block()
        return {"image": block} if block.ids else {}

    def index_report(self) -> SyncReport:
        return self.search().pipeline.index.report

    def close(self) -> None:
        self.engine.dispose()
