"""Readers: line numbers, raw text, repairs and errors, for every format and wrapper."""

import gzip
import json
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shopsense.catalog.sources import describe, read_records
from shopsense.core.errors import InputError, UnsupportedFormatError

CSV = (
    "id,title,description\n"
    '1,Red shoe,"two\nlines"\n'
    "2,Blue shirt,plain\n"
    "3,Tie, cufflink and square,extra\n"
    "4,short\n"
)


def test_csv_records_carry_start_line_and_raw_text(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    records = list(read_records(describe(path)))
    assert [r.line_no for r in records] == [2, 4, 5, 6]
    assert records[0].fields == {"id": "1", "title": "Red shoe", "description": "two\nlines"}
    assert records[0].raw == '1,Red shoe,"two\nlines"\n'
    # one field too many: merged into the last column, and the repair is recorded
    assert records[2].fields == {
        "id": "3",
        "title": "Tie",
        "description": " cufflink and square,extra",
    }
    assert records[2].repairs[0].code == "extra_separators_merged"
    # too few fields: no guessing
    assert records[3].fields is None and records[3].error == "wrong_field_count"


def test_csv_without_repair_quarantines_extra_fields(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    records = list(read_records(describe(path), merge_extra_fields=False))
    assert records[2].error == "wrong_field_count"


def test_tsv_and_custom_separator(tmp_path: Path) -> None:
    tsv = tmp_path / "c.tsv"
    tsv.write_text("id\ttitle\n1\ta, b\n", encoding="utf-8")
    assert next(read_records(describe(tsv))).fields == {"id": "1", "title": "a, b"}
    semi = tmp_path / "c.txt"
    semi.write_text("id;title\n1;a, b\n", encoding="utf-8")
    assert next(read_records(describe(semi), sep=";")).fields == {"id": "1", "title": "a, b"}


def test_invalid_utf8_is_an_encoding_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"id,title\n1,ok\n2,bad \xff byte\n3,ok\n")
    records = list(read_records(describe(path)))
    assert [r.error for r in records] == [None, "encoding_error", None]
    assert "\ufffd" in records[1].raw


def test_jsonl_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "1", "title": "a"}\n{broken\n\n[1, 2]\n{"id": "2", "title": "b"}\n')
    records = list(read_records(describe(path)))
    assert [(r.line_no, r.error) for r in records] == [
        (1, None),
        (2, "malformed_line"),
        (4, "malformed_line"),
        (5, None),
    ]


def test_zip_gz_and_parquet(tmp_path: Path) -> None:
    body = "id,title\n1,一双红色的鞋\n"
    zpath = tmp_path / "c.zip"
    with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("inner.csv", body)
    gpath = tmp_path / "c.csv.gz"
    gpath.write_bytes(gzip.compress(body.encode()))
    ppath = tmp_path / "c.parquet"
    pq.write_table(pa.table({"id": ["1"], "title": ["一双红色的鞋"]}), ppath)
    for path in (zpath, gpath, ppath):
        (record,) = list(read_records(describe(path)))
        assert record.fields == {"id": "1", "title": "一双红色的鞋"}, path
    pzip = tmp_path / "p.zip"
    with zipfile.ZipFile(pzip, "w") as zf:
        zf.write(ppath, "p.parquet")
    assert json.loads(next(read_records(describe(pzip))).raw)["title"] == "一双红色的鞋"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"id,title\n1,x\n")  # named a zip, but is not one
    with pytest.raises(UnsupportedFormatError, match="broken.zip is not a valid zip file"):
        describe(broken)


def test_progress_reports_bytes(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CSV)
    seen: list[tuple[int, int | None]] = []
    list(read_records(describe(path), progress=lambda done, total: seen.append((done, total))))
    assert seen[-1] == (len(CSV.encode()), len(CSV.encode()))


def test_unreadable_inputs_raise_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        describe(tmp_path / "missing.csv")
    odd = tmp_path / "c.xlsx"
    odd.write_text("x")
    with pytest.raises(UnsupportedFormatError, match="--format"):
        describe(odd)
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as zf:
        zf.writestr("a.csv", "id\n")
        zf.writestr("b.csv", "id\n")
    with pytest.raises(UnsupportedFormatError, match="exactly one"):
        describe(two)
