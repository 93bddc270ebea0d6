"""Pair evidence in context, the stored learned scorer, photo links in the quality check."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.catalog.image_embed import ImageEmbedder
from shopsense.catalog.image_store import ImageFeatureStore
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.catalog.matching.evidence import margins
from shopsense.catalog.matching.scorer_store import NAME, load_scorer
from shopsense.models.image_encoder import EfficientNetLite0
from shopsense.storage.artifacts import ModelStore
from shopsense.storage.engine import open_store


def test_margin_is_the_lead_over_the_best_other_candidate_of_the_offer() -> None:
    pairs = [(0, 0), (0, 1), (0, 2), (1, 1)]
    score = np.array([0.9, 0.6, 0.9, 0.3])
    # offer 0: two pairs tie at 0.9 (no lead), 0.6 trails by 0.3; offer 1 has one candidate
    assert np.allclose(margins(pairs, score, 0), [0.0, -0.3, 0.0, 0.0])
    # by right offer: 0 and 2 stand alone; right offer 1 has 0.6 and 0.3
    assert np.allclose(margins(pairs, score, 1), [0.0, 0.3, 0.0, -0.3])


def test_a_scorer_stored_for_other_evidence_is_not_used(sqlite_engine: Engine) -> None:
    assert load_scorer(sqlite_engine)[0] is None
    ModelStore(sqlite_engine).save(
        NAME, "pair-scorer", b"x", {"features": ["old"], "threshold": 0.5}
    )
    scorer, note = load_scorer(sqlite_engine)
    assert scorer is None and "train it again" in note


def test_the_same_photo_joins_products_in_the_quality_check(
    shared_data: Path, tmp_path: Path, random_image_encoder: EfficientNetLite0
) -> None:
    photos = sorted((shared_data / "myntra_fashion" / "images").glob("*.jpg"))[:2]
    shutil.copy(photos[0], tmp_path / "front.jpg")
    shutil.copy(photos[0], tmp_path / "front_again.jpg")
    shutil.copy(photos[1], tmp_path / "other.jpg")
    (tmp_path / "feed.csv").write_text(
        "id,title,category,image_path,price\n"
        "S1,Roadster Men Navy Casual Shirt,Apparel/Topwear/Shirts,front.jpg,999\n"
        "S2,Checked shirt for men by Roadster,Apparel/Topwear/Shirts,front_again.jpg,1099\n"
        "S3,Puma Women Running Shoes,Footwear/Shoes/Sports Shoes,other.jpg,2999\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "s.db")
    engine = open_store(db)
    ingest_file(engine, tmp_path / "feed.csv", IngestOptions())
    ImageEmbedder(engine, random_image_encoder).run()
    assert ImageFeatureStore(engine).status_counts() == {"ok": 3}
    svc = Services.from_settings(Settings(db=db, data_dir=tmp_path / "data"))
    try:
        summary = svc.quality_check()
    finally:
        svc.close()
    assert summary.scorer.startswith("rule scorer") and summary.clusters == 1
    (cluster,) = svc.quality_report(clusters=5).to_dict()["duplicate_clusters"]
    assert sorted(card["id"] for card in cluster["products"]) == ["S1", "S2"]
    evidence = [link["evidence"] for link in cluster["links"]]
    assert evidence == [{"same_photo": 1.0, "image": "identical_photo", "hamming_bits": 0.0}]
