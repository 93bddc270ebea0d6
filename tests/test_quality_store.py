"""The second pass over the store: dataset checks, quarantine moves, flags, scores, clusters."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import Engine, select

from shopsense.catalog.ingest import ingest_file
from shopsense.catalog.matching.clusters import DuplicateCluster
from shopsense.catalog.matching.dedup import DedupConfig, find_duplicates
from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.quality.gate import QualityGate
from shopsense.catalog.quality.report import build_report
from shopsense.catalog.quality.report_html import render_html
from shopsense.catalog.quality.store_check import run_quality_check
from shopsense.catalog.quarantine import QuarantineStore
from shopsense.catalog.schema import Product
from shopsense.catalog.store import ProductStore
from shopsense.storage.schema import ingest_runs, products, quality_flags

NOW = datetime(2026, 11, 27, tzinfo=UTC)
FEED = """id,title,brand,category,price,description,colour
K1,Acme Steel Kettle 1.7 L,Acme,Home > Kitchen > Kettles,30,Boils fast,Silver
K2,Acme Glass Kettle 1.5 L,Acme,Home > Kitchen > Kettles,35,Glass body,Clear
K3,Brio Travel Kettle 0.5 L,Brio,Home > Kitchen > Kettles,28,Small,Black
K4,Brio Retro Kettle,Brio,Home > Kitchen > Kettles,33,Retro look,Cream
K5,Zest Electric Kettle 1.7 L,Zest,Home > Kitchen > Kettles,31,,Red
K6,Zest Gooseneck Kettle,Zest,Home > Kitchen > Kettles,29,Pour over,Black
K7,Acme Kettle Gold Edition,Acme,Home > Kitchen > Kettles,3100,Gold plated,Gold
T1,Sony Turntable - PSLX350H,Sony,Audio > Turntables,149,Belt drive,
T2,Sony PS-LX350H Belt Drive Turntable,Sony,Audio > Turntables,139,,
S1,Red Rose Women Pink Nightdress,Red Rose,Apparel > Nightwear,499,,Pink
S2,Red Rose Women Blue Nightdress,Red Rose,Apparel > Nightwear,499,,Blue
"""


def _ingest(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(FEED, encoding="utf-8")
    summary = ingest_file(engine, path, hook=QualityGate(QualityConfig(), NOW))
    assert summary.accepted == 11


def _strict() -> QualityConfig:
    return QualityConfig.model_validate(
        {"price_outlier": {"severity": "fail", "min_group": 5}, "required": {"fields": ["brand"]}}
    )


def _warn() -> QualityConfig:
    return QualityConfig.model_validate({"price_outlier": {"min_group": 5}})


def _dedup(items: Sequence[Product], pref: Sequence[float]) -> list[DuplicateCluster]:
    return find_duplicates(items, pref, DedupConfig())


def test_a_dataset_check_moves_products_to_quarantine_and_conserves(
    engine: Engine, tmp_path: Path
) -> None:
    _ingest(engine, tmp_path)
    summary = run_quality_check(engine, _strict(), NOW, _dedup)
    assert (summary.rows_read, summary.accepted, summary.quarantined) == (11, 10, 1)
    assert summary.conserved and summary.reasons == {"price_outlier": 1}
    store = ProductStore(engine)
    assert store.count() == 10
    (moved,) = QuarantineStore(engine).page(reason="price_outlier")
    assert moved.product_id == "K7" and "median" in moved.detail
    assert json.loads(moved.raw)["title"] == "Acme Kettle Gold Edition"
    with engine.connect() as conn:
        run = (
            conn.execute(select(ingest_runs).where(ingest_runs.c.source == "quality-check"))
            .mappings()
            .one()
        )
        assert (run["rows_read"], run["accepted"], run["quarantined"]) == (11, 10, 1)
        scores = dict(conn.execute(select(products.c.id, products.c.quality_score)).all())
    assert all(s is not None and 0 <= s <= 1 for s in scores.values())
    assert scores["K5"] < scores["K1"]  # K5 lacks a description
    again = run_quality_check(engine, _strict(), NOW, _dedup)
    assert (again.rows_read, again.quarantined) == (10, 0)


def test_duplicates_join_on_model_numbers_but_not_colour_variants(
    engine: Engine, tmp_path: Path
) -> None:
    _ingest(engine, tmp_path)
    summary = run_quality_check(engine, QualityConfig(), NOW, _dedup)
    assert summary.clusters == 1
    report = build_report(engine, QualityConfig(), now=NOW)
    (cluster,) = report.duplicate_clusters
    assert sorted(p["id"] for p in cluster["products"]) == ["T1", "T2"]
    link = cluster["links"][0]
    assert link["evidence"]["code_shared"] == 1.0 or link["evidence"]["code_in_text"] == 1.0
    canonical = [p["id"] for p in cluster["products"] if p["canonical"]]
    assert canonical == ["T1"]  # T1 has a description, T2 not


def test_warn_flags_are_stored_and_replaced(engine: Engine, tmp_path: Path) -> None:
    _ingest(engine, tmp_path)
    run_quality_check(engine, _warn(), NOW)
    run_quality_check(engine, _warn(), NOW)
    with engine.connect() as conn:
        flags = conn.execute(select(quality_flags.c.product_id, quality_flags.c.reason)).all()
    assert flags == [("K7", "price_outlier")]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls.extend(v or "" for k, v in attrs if k in ("src", "href"))


def test_report_is_one_offline_page_with_the_same_figures_as_json(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    _ingest(sqlite_engine, tmp_path)
    run_quality_check(sqlite_engine, _warn(), NOW, _dedup)
    report = build_report(sqlite_engine, _warn(), now=NOW).to_dict()
    assert report["products"] == 11 and report["completeness"]["description"] == round(7 / 11, 4)
    assert report["warnings"] == {"price_outlier": 1}
    kettles = next(c for c in report["price_by_category"] if "Kettles" in c["category"])
    assert (kettles["count"], kettles["median"]) == (7, 31.0)
    assert report["freshness"]["unknown"] == 11
    json.dumps(report)  # serialisable as is
    page = render_html(report)
    parser = _Tags()
    parser.feed(page)
    assert parser.tags.count("svg") >= 5 and "script" not in parser.tags
    assert "link" not in parser.tags
    assert all(u.startswith("data:") for u in parser.urls)
    assert "http://" not in page and "https://" not in page
    assert "PS-LX350H" in page and "price_outlier" in page


def test_other_link_sources_join_clusters_with_their_evidence() -> None:
    items = [
        Product(id="a", title="Blue cotton shirt", price=10.0),
        Product(id="b", title="Ceramic coffee mug", price=8.0),
        Product(id="c", title="Shirt in cotton, blue", price=10.5),
    ]

    def same_image(products: object) -> list[tuple[int, int, float, dict[str, object]]]:
        return [(0, 2, 0.97, {"image_cosine": 0.97})]

    clusters = find_duplicates(items, [1.0, 1.0, 0.5], DedupConfig(), extra=[same_image])
    (cluster,) = clusters
    assert cluster.product_ids == ("a", "c")
    assert {"image_cosine": 0.97} in [link.evidence for link in cluster.links]
