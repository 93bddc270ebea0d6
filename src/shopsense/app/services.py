"""Wire Settings into services: the composition root every shell (CLI, API) uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from shopsense.app.settings import Settings
from shopsense.catalog.ingest import IngestOptions, IngestSummary, ingest_file
from shopsense.catalog.matching.clusters import DuplicateCluster
from shopsense.catalog.matching.dedup import DedupConfig, find_duplicates
from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.quality.gate import QualityGate
from shopsense.catalog.quality.report import QualityReport, build_report
from shopsense.catalog.quality.store_check import QualityCheckSummary, run_quality_check
from shopsense.catalog.quarantine import QuarantineStore
from shopsense.catalog.schema import Product
from shopsense.catalog.sources import Progress
from shopsense.catalog.store import ProductStore
from shopsense.storage.engine import open_store


@dataclass
class Services:
    settings: Settings
    engine: Engine
    products: ProductStore
    quarantine: QuarantineStore

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        engine = open_store(settings.db)
        return cls(settings, engine, ProductStore(engine), QuarantineStore(engine))

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

        def duplicates(
            items: Sequence[Product], preference: Sequence[float]
        ) -> list[DuplicateCluster]:
            return find_duplicates(items, preference, DedupConfig())

        return run_quality_check(
            self.engine, self.quality_config(), datetime.now(UTC), duplicates if dedup else None
        )

    def quality_report(self, *, clusters: int = 20) -> QualityReport:
        return build_report(self.engine, self.quality_config(), max_clusters=clusters)

    def close(self) -> None:
        self.engine.dispose()
