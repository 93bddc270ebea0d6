"""Cleaning at ingest on real Myntra HTML and D8 price sentinels, recorded per field."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine

from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.catalog.quality.cleaning import CleaningRules, clean_product, html_to_text
from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.quality.gate import QualityGate
from shopsense.catalog.quality.units import Quantity, normalise_size, parse_quantity
from shopsense.catalog.quarantine import QuarantineStore
from shopsense.catalog.schema import Product
from shopsense.catalog.store import ProductStore

NOW = __import__("datetime").datetime(2026, 11, 27, tzinfo=__import__("datetime").UTC)


def test_html_becomes_text_with_entities_decoded() -> None:
    raw = '<p style="x">Soft&nbsp;cotton<br />Machine wash &amp; dry</p><ul><li>Fit: Slim</li></ul>'
    assert html_to_text(raw).split() == "Soft cotton Machine wash & dry Fit: Slim".split()
    assert html_to_text("Tom &amp; Jerry") == "Tom & Jerry"
    assert html_to_text("no markup < here") == "no markup < here"


def test_every_change_is_a_repair_per_field_and_step() -> None:
    product = Product(
        id="p1",
        title="ＡＢＣ　Ｔｅｅ   Shirt",
        description="<p>Soft&nbsp;&nbsp;cotton</p>",
        price=0.0,
        attributes={"weight": "1.5 lbs", "size": "Extra Large", "colour": "Red"},
    )
    cleaned, repairs = clean_product(product, CleaningRules())
    assert cleaned.title == "ABC Tee Shirt"
    assert cleaned.description == "Soft cotton"
    assert cleaned.price is None
    assert cleaned.attributes["weight_norm"] == "680.4 g"
    assert cleaned.attributes["size_norm"] == "XL"
    assert "colour_norm" not in cleaned.attributes
    codes = {(r.field, r.code) for r in repairs}
    assert codes == {
        ("title", "unicode_nfkc"),
        ("title", "whitespace"),
        ("description", "html_to_text"),
        ("description", "unicode_nfkc"),
        ("description", "whitespace"),
        ("price", "price_sentinel"),
        ("attributes.weight", "unit_normalised"),
        ("attributes.size", "unit_normalised"),
    }
    untouched = Product(id="p2", title="Plain title", price=3.0)
    assert clean_product(untouched, CleaningRules()) == (untouched, [])


def test_units() -> None:
    dims = parse_quantity("7.6 x 4.8 x 1.4 inches")
    assert dims is not None and dims.kind == "length" and dims.unit == "cm"
    assert dims.values == (19.304, 12.192, 3.556)
    assert parse_quantity("250 ml") == Quantity("volume", (250.0,), "ml")
    assert parse_quantity("2 kg") == Quantity("weight", (2000.0,), "g")
    assert parse_quantity("Red") is None and parse_quantity("12") is None
    assert normalise_size("x-large") == "XL" and normalise_size("Navy") is None


def test_myntra_html_descriptions_are_cleaned_at_ingest(
    sqlite_engine: Engine, shared_data: Path, tmp_path: Path
) -> None:
    src = shared_data / "myntra_fashion" / "products_sample.csv"
    with src.open(encoding="utf-8", newline="") as f:
        rows = [r for _, r in zip(range(60), csv.DictReader(f), strict=False)]
    part = tmp_path / "myntra60.csv"
    with part.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    options = IngestOptions(
        mapping=(
            "title=productDisplayName",
            "description=description_html",
            "category=masterCategory/subCategory/articleType",
        ),  # fmt: skip
    )
    summary = ingest_file(sqlite_engine, part, options, hook=QualityGate(QualityConfig(), NOW))
    assert summary.conserved and summary.rows_read == 60
    with_html = [r["id"] for r in rows if "&nbsp;" in r["description_html"]]
    assert with_html, "the sample has raw HTML descriptions"
    stored = ProductStore(sqlite_engine).get_many(with_html)
    for product in stored.values():
        assert product.description is not None
        assert "&nbsp;" not in product.description and "<" not in product.description
    repairs = QuarantineStore(sqlite_engine).repairs(limit=5000)
    html_fixed = {r.product_id for r in repairs if r.code == "html_to_text"}
    assert set(with_html) <= html_fixed
    assert summary.repair_codes["html_to_text"] >= len(with_html)


def test_d8_zero_price_is_missing(sqlite_engine: Engine, shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "entity_matching" / "D8" / "walmart.csv").read_text().splitlines()
    zero = [line for line in lines[1:] if line.split("|")[3] in ("0", "0.0")]
    assert zero, "D8 uses 0 as a missing-price sentinel"
    part = tmp_path / "walmart.csv"
    part.write_text("\n".join([lines[0], *zero[:5], *lines[1:6]]) + "\n", encoding="utf-8")
    gate = QualityGate(QualityConfig(), NOW)
    summary = ingest_file(sqlite_engine, part, IngestOptions(sep="|"), hook=gate)
    assert summary.conserved and summary.accepted == summary.rows_read
    ids = [line.split("|")[0] for line in zero[:5]]
    assert all(p.price is None for p in ProductStore(sqlite_engine).get_many(ids).values())
    assert summary.repair_codes["price_sentinel"] == len(ids)


def test_a_failing_check_quarantines_at_ingest_and_rows_are_conserved(
    engine: Engine, tmp_path: Path
) -> None:
    body = "id,title,price\nG1,Garden hose 20 m,25\nG2,Gold plated garden hose,5000000\n"
    path = tmp_path / "feed.csv"
    path.write_text(body, encoding="utf-8")
    summary = ingest_file(engine, path, hook=QualityGate(QualityConfig(), NOW))
    assert (summary.rows_read, summary.accepted, summary.quarantined) == (2, 1, 1)
    assert summary.reasons == {"price_out_of_range": 1}
    (row,) = QuarantineStore(engine).page()
    assert (row.product_id, row.line_no) == ("G2", 3) and "price_range" in row.detail
