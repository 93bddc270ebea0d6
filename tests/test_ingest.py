"""Ingestion on SQLite and PostgreSQL: conservation, quarantine, repairs, idempotency."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, func, select

from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.catalog.quarantine import QuarantineStore
from shopsense.catalog.schema import Availability
from shopsense.catalog.store import ProductStore
from shopsense.storage.schema import ingest_runs

FEED = """id,title,brand,category,price,sale_price,availability,stock,colour,image
A1,Nike Pegasus 41 running shoe,Nike,Footwear > Shoes,"$129.99",99.00,in stock,12,Black,img/a1.jpg
A2,小米 Redmi Note 13 手机,Xiaomi,Electronics > Phones,"1,299",,,0,Blue,
A3,Bad price,Acme,Misc,abc,,,,,
A4,Negative,Acme,Misc,-3,,,,,
A5,,Acme,Misc,5,,,,,
A6,Sale above price,Acme,Misc,10,12,,,,
A7,Tie, cufflink and square set,Turtle,Accessories,20,,,,Red,
A8,Too few
"""


def write(tmp_path: Path, body: str = FEED, name: str = "feed.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_every_row_is_accounted_for(engine: Engine, tmp_path: Path) -> None:
    summary = ingest_file(engine, write(tmp_path))
    assert summary.rows_read == 8
    assert summary.accepted + summary.quarantined == summary.rows_read
    # A7's unquoted comma shifts its fields; merging into the last column cannot
    # fix that, so the shifted price fails its check and the row is quarantined.
    assert summary.reasons == {
        "invalid_price": 2,
        "negative_price": 1,
        "missing_required": 1,
        "wrong_field_count": 1,
    }
    quarantine = QuarantineStore(engine).page()
    assert [(q.line_no, q.reason) for q in quarantine] == [
        (4, "invalid_price"),
        (5, "negative_price"),
        (6, "missing_required"),
        (8, "invalid_price"),
        (9, "wrong_field_count"),
    ]
    assert quarantine[0].raw.startswith("A3,Bad price")
    assert quarantine[0].product_id == "A3"


def test_values_are_parsed_and_repairs_recorded(engine: Engine, tmp_path: Path) -> None:
    ingest_file(engine, write(tmp_path))
    store = ProductStore(engine)
    shoe = store.get("A1")
    assert (shoe.price, shoe.sale_price, shoe.currency) == (129.99, 99.0, "USD")
    assert shoe.availability is Availability.IN_STOCK and shoe.stock == 12
    assert shoe.category == ("Footwear", "Shoes")
    assert shoe.attributes == {"colour": "Black"}
    assert shoe.image_paths == (str((tmp_path / "img" / "a1.jpg").resolve()),)
    phone = store.get("A2")
    assert phone.price == 1299.0 and phone.availability is Availability.OUT_OF_STOCK
    assert store.get("A6").sale_price is None
    repairs = {(r.product_id, r.code) for r in QuarantineStore(engine).repairs()}
    assert repairs == {("A6", "sale_price_above_price")}


def test_unquoted_commas_in_the_last_column_are_merged(engine: Engine, tmp_path: Path) -> None:
    body = "id,price,title\nT1,20,Turtle Men Tie, Cufflink and Pocket Square Set\n"
    summary = ingest_file(engine, write(tmp_path, body))
    assert (summary.accepted, summary.repaired) == (1, 1)
    assert ProductStore(engine).get("T1").title == "Turtle Men Tie, Cufflink and Pocket Square Set"
    (repair,) = QuarantineStore(engine).repairs()
    assert (repair.line_no, repair.field, repair.code) == (2, "title", "extra_separators_merged")


def test_reingest_is_idempotent_and_detects_changes(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path)
    first = ingest_file(engine, path)
    store, quarantine = ProductStore(engine), QuarantineStore(engine)
    before = (store.count(), quarantine.count(), quarantine.repair_count())
    second = ingest_file(engine, path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, first.accepted)
    assert (store.count(), quarantine.count(), quarantine.repair_count()) == before
    path.write_text(FEED.replace("Nike Pegasus 41", "Nike Pegasus 42"), encoding="utf-8")
    third = ingest_file(engine, path)
    assert (third.inserted, third.updated) == (0, 1)
    assert store.get("A1").title == "Nike Pegasus 42 running shoe"


def test_runs_are_recorded_with_their_counts(engine: Engine, tmp_path: Path) -> None:
    ingest_file(engine, write(tmp_path))
    with engine.connect() as conn:
        run = conn.execute(select(ingest_runs)).mappings().one()
    assert run["status"] == "completed"
    assert (run["rows_read"], run["accepted"], run["quarantined"]) == (8, 3, 5)
    assert run["summary"]["conserved"] is True


def test_jsonl_with_nested_attributes(engine: Engine, tmp_path: Path) -> None:
    rows = [
        {"id": "J1", "title": "Lamp", "price": 20, "attributes": {"watts": 40}, "tags": ["a", "b"]},
        {"id": "J2", "title": "Desk", "price": "abc"},
        {"id": "J3", "title": "Chair", "category": ["Home", "Furniture"]},
    ]
    path = write(tmp_path, "\n".join(json.dumps(r) for r in rows) + "\n", "p.jsonl")
    summary = ingest_file(engine, path)
    assert (summary.accepted, summary.quarantined) == (2, 1)
    lamp = ProductStore(engine).get("J1")
    assert lamp.attributes == {"watts": "40", "tags": '["a", "b"]'}
    assert ProductStore(engine).get("J3").category_path == "Home > Furniture"


def test_mapping_and_separator(engine: Engine, tmp_path: Path) -> None:
    body = "sku;name;top;leaf;cost\nS1;Teapot;Home;Kitchen;12,50\n"
    path = write(tmp_path, body, "m.txt")
    options = IngestOptions(
        mapping=("id=sku", "title=name", "category=top/leaf", "price=cost"), sep=";", format="csv"
    )
    summary = ingest_file(engine, path, options)
    assert summary.accepted == 1
    teapot = ProductStore(engine).get("S1")
    assert (teapot.title, teapot.category_path, teapot.price) == ("Teapot", "Home > Kitchen", 12.5)


def test_batches_commit_independently(engine: Engine, tmp_path: Path) -> None:
    body = "id,title,price\n" + "".join(f"P{i},Item {i},{i}\n" for i in range(250))
    summary = ingest_file(engine, write(tmp_path, body), IngestOptions(batch_size=40))
    assert summary.accepted == 250
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ingest_runs)).scalar_one() == 1
    assert ProductStore(engine).count() == 250


def test_a_repeated_id_is_flagged_and_the_last_row_wins(engine: Engine, tmp_path: Path) -> None:
    body = "id,title,price\nD1,Kettle,10\nD2,Mug,3\nD1,Kettle,12\n"
    summary = ingest_file(engine, write(tmp_path, body), IngestOptions(batch_size=2))
    assert (summary.inserted, summary.updated, summary.unchanged) == (2, 1, 0)
    assert summary.duplicate_ids == 1 and summary.repaired == 0
    assert ProductStore(engine).get("D1").price == 12.0
    (flag,) = QuarantineStore(engine).repairs()
    assert (flag.line_no, flag.product_id, flag.code) == (4, "D1", "duplicate_id_in_file")
    body_same_batch = "id,title,price\nE1,Pan,10\nE1,Pan,10\n"
    again = ingest_file(engine, write(tmp_path, body_same_batch, "b.csv"))
    assert (again.inserted, again.superseded, again.duplicate_ids) == (1, 1, 1)
    assert again.accepted == again.inserted + again.updated + again.unchanged + again.superseded
