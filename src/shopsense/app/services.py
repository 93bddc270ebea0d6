"""Wire Settings into services: the composition root every shell (CLI, API) uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from shopsense.app.query_service import QueryService
from shopsense.app.settings import Settings
from shopsense.catalog.ingest import IngestOptions, IngestSummary, ingest_file
from shopsense.catalog.quarantine import QuarantineStore
from shopsense.catalog.sources import Progress
from shopsense.catalog.store import ProductStore
from shopsense.storage.engine import open_store


@dataclass
class Services:
    settings: Settings
    engine: Engine
    products: ProductStore
    quarantine: QuarantineStore
    query: QueryService

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

    def close(self) -> None:
        self.engine.dispose()
