"""The real 44k-row Myntra catalogue with its 22 malformed lines, on both stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.catalog.quarantine import QuarantineStore
from shopsense.catalog.store import ProductStore

MAPPING = ("title=productDisplayName", "category=masterCategory/subCategory/articleType")


@pytest.mark.slow
def test_styles_full_accounts_for_every_row_and_is_idempotent(
    engine: Engine, shared_data: Path
) -> None:
    path = shared_data / "myntra_fashion" / "styles_full.csv.zip"
    first = ingest_file(engine, path, IngestOptions(mapping=MAPPING))
    assert first.rows_read == 44_446
    assert first.conserved
    assert first.repair_codes == {"extra_separators_merged": 22}
    assert first.accepted == 44_446 and first.quarantined == 0
    repairs = QuarantineStore(engine).repairs(limit=100)
    assert len(repairs) == 22
    lines = {r.line_no for r in repairs}
    assert 6044 in lines and 38404 in lines  # two of the known bad physical lines
    store = ProductStore(engine)
    assert store.get("44065").title == "Boss Men Perfume, After Shave Balm and Shower Gel Set"
    assert store.get("15970").category_path == "Apparel > Topwear > Shirts"
    assert store.get("15970").attributes["baseColour"] == "Navy Blue"

    second = ingest_file(engine, path, IngestOptions(mapping=MAPPING))
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 44_446)
    assert store.count() == 44_446
    assert QuarantineStore(engine).repair_count() == 22
