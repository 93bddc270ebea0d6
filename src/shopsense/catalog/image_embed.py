"""Embed every product's image once: batched, resumable, missing/corrupt images recorded.

Each product's first image is read, hashed (SHA-256 of the file) and, unless its
features are already stored under that hash, decoded, squared and sent to the
encoder in batches. Every batch commits in one transaction (features + product
image records), so an interrupted run keeps what it finished and the next run
only does the rest. A missing or undecodable image is a quality finding: recorded
in ``product_images`` with its reason and counted, never an exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from shopsense.catalog.image_store import COLOUR_KIND, ImageFeatureStore, ImageRecord
from shopsense.catalog.schema import Product
from shopsense.catalog.store import ProductStore
from shopsense.models.image_encoder import ImageEncoder, RGBImage
from shopsense.models.image_io import ImageReadError, content_hash, decode_rgb, read_bytes, square
from shopsense.models.image_signals import colour_histogram, difference_hash

EmbedProgress = Callable[[int, int], None]  # (products done, products total)


@dataclass
class EmbedSummary:
    """One embedding run: ``products = embedded + reused + missing + corrupt + no_image``."""

    model: str
    products: int = 0
    embedded: int = 0
    reused: int = 0
    missing: int = 0
    corrupt: int = 0
    no_image: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of this process over all threads (load-independent)
    findings: list[ImageRecord] = field(default_factory=list)

    @property
    def images_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else 0.0


@dataclass
class _Pending:
    records: list[ImageRecord] = field(default_factory=list)
    images: dict[str, RGBImage] = field(default_factory=dict)  # by image hash, to encode


def _local_path(product: Product) -> str | None:
    return product.image_paths[0] if product.image_paths else None


def _read(product_id: str, path: str) -> tuple[ImageRecord, RGBImage | None]:
    """Read and decode one image; a failure becomes a record with a reason."""
    if "://" in path:
        detail = f"image is a URL, not a local file: {path}"
        return ImageRecord(product_id, path, "missing", detail), None
    try:
        data = read_bytes(Path(path))
        digest = content_hash(data)
        rgb = decode_rgb(data, path)
    except ImageReadError as exc:
        return ImageRecord(product_id, path, exc.reason, exc.detail), None
    dhash = f"{difference_hash(rgb):016x}"
    return ImageRecord(product_id, path, "ok", None, digest, dhash), rgb


class ImageEmbedder:
    """Runs ``encoder`` over a store's product images, writing through ``ImageFeatureStore``."""

    def __init__(self, engine: Engine, encoder: ImageEncoder, batch_size: int = 64) -> None:
        self.engine = engine
        self.encoder = encoder
        self.batch_size = batch_size
        self.features = ImageFeatureStore(engine)

    def run(self, progress: EmbedProgress | None = None) -> EmbedSummary:
        start, cpu_start = time.perf_counter(), time.process_time()
        summary = EmbedSummary(model=self.encoder.name)
        products = ProductStore(self.engine)
        total = products.count()
        done_hashes = self.features.hashes_with(self.encoder.name)
        previous = self.features.records()
        pending = _Pending()
        for product in products.iter_all():
            summary.products += 1
            self._take(product, previous, done_hashes, pending, summary)
            if len(pending.images) >= self.batch_size:
                self._flush(pending, done_hashes, summary)
            if progress is not None:
                progress(summary.products, total)
        self._flush(pending, done_hashes, summary)
        summary.seconds = time.perf_counter() - start
        summary.cpu_seconds = time.process_time() - cpu_start
        return summary

    def _take(
        self,
        product: Product,
        previous: dict[str, ImageRecord],
        done_hashes: set[str],
        pending: _Pending,
        summary: EmbedSummary,
    ) -> None:
        path = _local_path(product)
        if path is None:
            summary.no_image += 1
            return
        record, rgb = _read(product.id, path)
        if rgb is None or record.image_hash is None:
            summary.missing += record.status == "missing"
            summary.corrupt += record.status == "corrupt"
            summary.findings.append(record)
            if previous.get(product.id) != record:
                pending.records.append(record)
            return
        if record.image_hash in done_hashes or record.image_hash in pending.images:
            summary.reused += 1
            if previous.get(product.id) != record:
                pending.records.append(record)
            return
        summary.embedded += 1
        pending.records.append(record)
        pending.images[record.image_hash] = rgb

    def _flush(self, pending: _Pending, done_hashes: set[str], summary: EmbedSummary) -> None:
        if not pending.records:
            return
        hashes = list(pending.images)
        raw = [pending.images[h] for h in hashes]
        vectors = (
            self.encoder.encode([square(img, self.encoder.input_size) for img in raw])
            if raw
            else np.zeros((0, 0))
        )
        feats: list[tuple[str, str, np.ndarray]] = []
        for h, img, vec in zip(hashes, raw, vectors, strict=True):
            feats.append((h, self.encoder.name, vec))
            feats.append((h, COLOUR_KIND, colour_histogram(img)))
        with self.engine.begin() as conn:
            ImageFeatureStore.write(conn, pending.records, feats)
        done_hashes.update(hashes)
        pending.records.clear()
        pending.images.clear()
