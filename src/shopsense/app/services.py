"""Wire Settings into services: the composition root every shell (CLI, API) uses."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from shopsense.app.query_service import QueryService
from shopsense.app.settings import Settings
from shopsense.catalog.ingest import IngestOptions, IngestSummary, ingest_file
from shopsense.catalog.quarantine import QuarantineStore
from shopsense.catalog.sources import Progress
from shopsense.catalog.store import ProductStore
from shopsense.storage.engine import open_store

if TYPE_CHECKING:
    from shopsense.app.search import SearchService
    from shopsense.retrieval.index_sync import Progress as IndexProgress
    from shopsense.retrieval.index_sync import SyncReport


@dataclass
class Services:
    settings: Settings
    engine: Engine
    products: ProductStore
    quarantine: QuarantineStore
    query: QueryService
    _search: SearchService | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        engine = open_store(settings.db)
        products = ProductStore(engine)
        return cls(
            settings, engine, products, QuarantineStore(engine),
            QueryService(settings, engine, products),
        )

    def ingest(
        self, path: Path, options: IngestOptions, progress: Progress | None = None
    ) -> IngestSummary:
        return ingest_file(self.engine, path, options, progress=progress)

    @property
    def index_dir(self) -> Path:
        """Search indexes of this store (one folder per store URL under ``data_dir``)."""
        tag = hashlib.sha256(self.settings.db.encode("utf-8")).hexdigest()[:12]
        return self.settings.data_dir / "search" / tag

    def search(self, progress: IndexProgress | None = None) -> SearchService:
        """The search service, its indexes brought up to date with the store on first use."""
        if self._search is None:
            from shopsense.app.search_wiring import open_search

            self._search = open_search(self.settings, self.engine, self.index_dir, progress)
            self._search.understand = self.query.parse
        return self._search

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

    def index_report(self) -> SyncReport:
        return self.search().pipeline.index.report

    def close(self) -> None:
        self.engine.dispose()
