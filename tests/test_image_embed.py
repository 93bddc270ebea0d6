"""Embedding product images in a real store: once per image, resumable, bad images recorded."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from shopsense.catalog.image_duplicates import find_image_duplicates
from shopsense.catalog.image_embed import ImageEmbedder
from shopsense.catalog.image_store import COLOUR_KIND, ImageFeatureStore
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.models.image_encoder import EfficientNetLite0
from shopsense.storage.schema import image_features

MYNTRA_IDS = ("1530", "1531", "1532", "1533", "1534")


def _catalog(shared_data: Path, folder: Path) -> Path:
    """Five real Myntra photos, a copy of one, a missing and a corrupt file, a product without."""
    images = shared_data / "myntra_fashion" / "images"
    sample = sorted(images.glob("*.jpg"))[:5]
    for i, src in enumerate(sample):
        shutil.copy(src, folder / f"p{i}.jpg")
    shutil.copy(sample[0], folder / "copy_of_p0.jpg")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    lines = ["id,title,category,image_path"]
    lines += [f"P{i},Product {i},Apparel > Tops,p{i}.jpg" for i in range(5)]
    lines += [
        "P5,Same photo as P0,Apparel > Tops,copy_of_p0.jpg",
        "P6,Photo gone,Apparel > Tops,gone.jpg",
        "P7,Photo broken,Apparel > Tops,broken.jpg",
        "P8,No photo at all,Apparel > Tops,",
    ]
    path = folder / "catalog.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _feature_rows(engine: Engine, kind: str) -> int:
    with engine.connect() as conn:
        query = (
            select(func.count()).select_from(image_features).where(image_features.c.kind == kind)
        )
        return int(conn.execute(query).scalar_one())


def test_every_image_is_embedded_once_and_bad_ones_are_findings(
    engine: Engine, shared_data: Path, tmp_path: Path, random_image_encoder: EfficientNetLite0
) -> None:
    ingest_file(engine, _catalog(shared_data, tmp_path), IngestOptions())
    first = ImageEmbedder(engine, random_image_encoder, batch_size=2).run()
    assert (first.products, first.embedded, first.reused) == (9, 5, 1)
    assert (first.missing, first.corrupt, first.no_image) == (1, 1, 1)
    assert {(f.product_id, f.status) for f in first.findings} == {
        ("P6", "missing"),
        ("P7", "corrupt"),
    }
    assert _feature_rows(engine, random_image_encoder.name) == 5
    assert _feature_rows(engine, COLOUR_KIND) == 5
    store = ImageFeatureStore(engine)
    assert store.status_counts() == {"ok": 6, "missing": 1, "corrupt": 1}
    records = store.records()
    assert records["P5"].image_hash == records["P0"].image_hash
    ids, vectors = store.product_vectors(random_image_encoder.name)
    assert ids == ["P0", "P1", "P2", "P3", "P4", "P5"] and vectors.shape == (6, 1280)
    assert np.array_equal(vectors[0], vectors[5])

    again = ImageEmbedder(engine, random_image_encoder, batch_size=2).run()
    assert (again.embedded, again.reused, again.missing, again.corrupt) == (0, 6, 1, 1)
    assert _feature_rows(engine, random_image_encoder.name) == 5


def test_an_interrupted_run_keeps_its_batches_and_the_next_run_finishes(
    engine: Engine, shared_data: Path, tmp_path: Path, random_image_encoder: EfficientNetLite0
) -> None:
    ingest_file(engine, _catalog(shared_data, tmp_path), IngestOptions())

    def stop_after_three(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ImageEmbedder(engine, random_image_encoder, batch_size=2).run(stop_after_three)
    assert _feature_rows(engine, random_image_encoder.name) == 2  # the one full batch
    rest = ImageEmbedder(engine, random_image_encoder, batch_size=2).run()
    assert (rest.embedded, rest.reused) == (3, 3)
    assert _feature_rows(engine, random_image_encoder.name) == 5


def test_the_copied_photo_is_an_identical_photo_duplicate(
    sqlite_engine: Engine,
    shared_data: Path,
    tmp_path: Path,
    random_image_encoder: EfficientNetLite0,
) -> None:
    ingest_file(sqlite_engine, _catalog(shared_data, tmp_path), IngestOptions())
    ImageEmbedder(sqlite_engine, random_image_encoder).run()
    pairs = find_image_duplicates(ImageFeatureStore(sqlite_engine), random_image_encoder.name)
    identical = [(p.product_a, p.product_b, p.score) for p in pairs if p.kind == "identical_photo"]
    assert ("P0", "P5", 0.0) in identical
    assert all(
        p.kind != "same_product_reshot" or {p.product_a, p.product_b} != {"P0", "P5"} for p in pairs
    )
