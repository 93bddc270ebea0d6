"""Issue #8 wiring: the stored fusion model, the ranker's photo feature, the content image block."""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from shopsense.app.multimodal import FUSION_MODEL, MultimodalService
from shopsense.app.search import SearchRequest
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.events.schema import Event
from shopsense.models.image_encoder import EfficientNetLite0
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.ranking.features import image_columns
from shopsense.retrieval.multimodal import Blocks, FusionWeights, MultimodalIndex, MultimodalModel
from shopsense.storage.artifacts import ModelStore


def _catalogue(shared_data: Path, out: Path, n: int = 12) -> Path:
    """The first ``n`` Myntra products with their photo and category, plus one without a photo."""
    folder = shared_data / "myntra_fashion"
    with (folder / "products_sample.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for _, r in zip(range(n), csv.DictReader(fh), strict=False)]
    path = out / "mm.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "title", "category", "image_path"])
        for r in rows:
            photo = str(folder / "images" / f"{r['id']}.jpg")
            writer.writerow([r["id"], r["productDisplayName"], r["articleType"], photo])
        writer.writerow(["nophoto", "Plain Blue Tshirt", "Tshirts", ""])
    return path


def test_image_columns_are_relative_with_a_neutral_value_and_a_flag_where_no_photo() -> None:
    rel, missing = image_columns(np.array([0.2, math.nan, 0.5, 0.4]), 4)
    assert rel.tolist() == pytest.approx([-0.3, -0.4 / 3, 0.0, -0.1])  # nan → mean of the others
    assert missing.tolist() == [0.0, 1.0, 0.0, 0.0]
    rel, missing = image_columns(None, 2)  # no images in the store: constant, flagged
    assert rel.tolist() == [0.0, 0.0] and missing.tolist() == [1.0, 1.0]


def test_the_fusion_model_survives_a_round_trip_through_bytes() -> None:
    rng = np.random.default_rng(3)
    blocks = Blocks(
        rng.normal(size=(6, 4)).astype(np.float32),
        rng.normal(size=(6, 3)).astype(np.float32),
        rng.random((6, 2)).astype(np.float32),
    )
    cats: list[str | None] = ["a", "a", "b", "b", None, "c"]
    model = MultimodalModel.fit(blocks, cats, FusionWeights(colour=0.5))
    back = MultimodalModel.from_bytes(model.to_bytes())
    assert back.weights == model.weights
    assert np.allclose(back.similarity_vectors(blocks), model.similarity_vectors(blocks))
    ids = [f"P{i}" for i in range(6)]
    query = rng.normal(size=4).astype(np.float32)
    one, two = MultimodalIndex(ids, blocks, model), MultimodalIndex(ids, blocks, back)
    assert np.allclose(one.image_cosines(query, ids), two.image_cosines(query, ids))
    # an unknown id has no photo: NaN, as for a product whose image is missing
    assert math.isnan(one.image_cosines(query, ["P9"])[0])


@pytest.mark.slow
def test_the_fusion_model_is_stored_once_and_a_restart_loads_it(
    sqlite_engine: Engine,
    shared_data: Path,
    tmp_path: Path,
    random_image_encoder: EfficientNetLite0,
) -> None:
    engine = sqlite_engine
    ingest_file(engine, _catalogue(shared_data, tmp_path), IngestOptions())
    settings = Settings(db="sqlite://", data_dir=tmp_path)
    text = MultilingualUSE()
    first = MultimodalService(engine, settings, random_image_encoder, text)
    first.embed()
    store = ModelStore(engine)
    stored = store.latest(FUSION_MODEL)
    assert stored is not None and stored.version == 1 and first.fusion_version == 1
    assert stored.meta["image_model"] == random_image_encoder.name

    restarted = MultimodalService(engine, settings, random_image_encoder, text)
    index = restarted.index()
    assert restarted.fusion_version == 1  # loaded, not refitted (a fit stores a new version)
    assert np.allclose(index.vectors, first.index().vectors)
    restarted.embed()  # nothing new: nothing refitted
    assert store.latest(FUSION_MODEL).version == 1  # type: ignore[union-attr]

    cos = restarted.image_cosines(text.encode(["sunglasses"])[0], ["1530", "nophoto", "nope"])
    assert np.isfinite(cos[0]) and math.isnan(cos[1]) and math.isnan(cos[2])
    block = restarted.content_block()
    assert block.ids == tuple(index.ids) and "nophoto" in block.ids


@pytest.mark.slow
def test_search_explains_the_photo_feature_and_recommendations_use_the_image_block(
    shared_data: Path, tmp_path: Path, random_image_encoder: EfficientNetLite0
) -> None:
    settings = Settings(
        db=str(tmp_path / "s.db"), data_dir=tmp_path / "data", recommend_content=True
    )
    services = Services.from_settings(settings)
    try:
        services.ingest(_catalogue(shared_data, tmp_path), IngestOptions())
        services._multimodal = MultimodalService(
            services.engine, settings, random_image_encoder, MultilingualUSE()
        )
        services.multimodal.embed()
        result = services.search().search(SearchRequest(query="tshirt", explain=True))
        feats = {h.product.id: h.explanation.features for h in result.hits if h.explanation}
        assert feats["nophoto"]["image_missing"] == 1.0
        pictured = [f for pid, f in feats.items() if pid != "nophoto"]
        assert pictured and all(f["image_missing"] == 0.0 for f in pictured)
        assert max(f["image_rel"] for f in pictured) == 0.0  # the best-fitting photo
        blocks = services.recommendations.extra_blocks
        assert blocks is not None and set(blocks()) == {"image"}
        ids = [p.id for p in services.products.iter_all() if p.id != "nophoto"][:4]
        when = datetime(2026, 11, 1, tzinfo=UTC)
        services.recommendations.append(
            [
                Event(user_id=f"u{u}", item_id=ids[(u + j) % 4], type="view", timestamp=when)
                for u in range(6)
                for j in range(3)
            ]
        )
        services.recommendations.fit()
        cold = ids[-1]  # no events: "similar" falls back to the content vectors
        similar = services.recommendations.similar(cold, k=3)
        assert len(similar) == 3 and cold not in [s.item_id for s in similar]
    finally:
        services.close()
