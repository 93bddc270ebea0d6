"""`shopsense eval images`: ingest a catalogue, embed its images and titles, score them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shopsense.app.multimodal import EmbedResult, MultimodalService
from shopsense.app.settings import Settings
from shopsense.catalog.image_embed import EmbedProgress
from shopsense.catalog.ingest import IngestOptions, IngestSummary, ingest_file
from shopsense.catalog.schema import Product
from shopsense.catalog.store import ProductStore
from shopsense.core.errors import InputError
from shopsense.evaluation.image_eval import ImageEvalReport, evaluate_images
from shopsense.retrieval.multimodal_store import load_blocks
from shopsense.storage.engine import open_store


@dataclass(frozen=True)
class CatalogImageEval:
    ingest: IngestSummary
    embed: EmbedResult
    report: ImageEvalReport


def label_of(product: Product, label_col: str) -> str | None:
    """The label column as ingested: an attribute, or the category leaf for ``category``."""
    if label_col == "category":
        return product.category[-1] if product.category else None
    return product.attributes.get(label_col) or None


def evaluate_catalog_images(
    settings: Settings,
    catalog: Path,
    label_col: str,
    mapping: tuple[str, ...] = (),
    progress: EmbedProgress | None = None,
) -> CatalogImageEval:
    """Ingest ``catalog`` into ``settings.db``, embed it (cached), evaluate on ``label_col``."""
    engine = open_store(settings.db)
    try:
        ingested = ingest_file(engine, catalog, IngestOptions(mapping=mapping, source="eval"))
        service = MultimodalService(engine, settings)
        embedded = service.embed(progress)
        ids, blocks = load_blocks(
            engine,
            service.text_encoder,
            service.image_encoder.name,
            service.image_encoder.dim,
        )
        products = ProductStore(engine).get_many(ids)
        pictured = blocks.has_image()
        rows, labels = [], []
        for i, pid in enumerate(ids):
            label = label_of(products[pid], label_col) if pid in products else None
            if label and pictured[i]:
                rows.append(i)
                labels.append(label)
        if len(rows) < 20:
            raise InputError(
                f"only {len(rows)} products have both an image and a {label_col!r} value; "
                "name a column the catalogue has (it must not be mapped to a product field "
                "other than category)"
            )
        report = evaluate_images(blocks.take(rows), labels, service.weights)
        return CatalogImageEval(ingested, embedded, report)
    finally:
        engine.dispose()
