"""Stream records out of catalogue files: CSV/TSV, JSONL, Parquet, optionally in .zip/.gz.

A reader never loads the whole file: it yields one :class:`RawRecord` at a time
with the physical line it started on and its raw text, so that a bad record can
be quarantined with exactly what was in the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from shopsense.core.errors import InputError, UnsupportedFormatError

Format = Literal["csv", "jsonl", "parquet"]
Progress = Callable[[int, int | None], None]
"""Called with (amount read so far, total or None): bytes, or rows for Parquet."""

_FORMATS: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_LONE_SURROGATE = re.compile("[\udc80-\udcff]")
csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True)
class Repair:
    """A change made to a record so it could be accepted, kept for audit."""

    field: str
    code: str
    before: str | None
    after: str | None


@dataclass
class RawRecord:
    """One record as read: parsed fields, or the reason it could not be parsed."""

    line_no: int
    raw: str
    fields: dict[str, Any] | None
    error: str | None = None
    detail: str | None = None
    repairs: list[Repair] = field(default_factory=list)


@dataclass(frozen=True)
class SourceInfo:
    path: Path
    member: str | None
    format: Format
    compression: Literal["zip", "gz"] | None


class _Counting(io.RawIOBase):
    """Byte counter around a binary stream, reporting to a progress callback."""

    def __init__(self, inner: IO[bytes], total: int | None, progress: Progress | None) -> None:
        self._inner = inner
        self._total = total
        self._progress = progress
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        if self._progress is not None and n:
            self._progress(self.count, self._total)
        return n


def _format_of(name: str, forced: str | None) -> Format:
    if forced:
        if forced in ("csv", "tsv"):
            return "csv"
        if forced in ("jsonl", "parquet"):
            return forced  # type: ignore[return-value]
        raise UnsupportedFormatError(f"unknown format {forced!r}: use csv, tsv, jsonl or parquet")
    suffix = Path(name).suffix.lower()
    if suffix not in _FORMATS:
        raise UnsupportedFormatError(
            f"cannot tell the format of {name!r} from its name: pass --format csv|tsv|jsonl|parquet"
        )
    return _FORMATS[suffix]


def describe(path: Path, forced_format: str | None = None) -> SourceInfo:
    """Work out compression, inner member and format of ``path`` without reading it all."""
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [
                m.filename
                for m in zf.infolist()
                if not m.is_dir()
                and not Path(m.filename).name.startswith(".")
                and not m.filename.startswith("__MACOSX")
            ]
        if len(members) != 1:
            raise UnsupportedFormatError(
                f"{path} holds {len(members)} files; "
                "shopsense reads zips with exactly one data file"
            )
        return SourceInfo(path, members[0], _format_of(members[0], forced_format), "zip")
    with path.open("rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        inner = path.name[:-3] if path.name.lower().endswith(".gz") else path.stem
        return SourceInfo(path, None, _format_of(inner, forced_format), "gz")
    if path.suffix.lower() == ".zip":  # named a zip, but not one: say so, not "pass --format"
        raise UnsupportedFormatError(f"{path} is not a valid zip file")
    return SourceInfo(path, None, _format_of(path.name, forced_format), None)


@contextmanager
def _open_binary(info: SourceInfo, progress: Progress | None) -> Iterator[IO[bytes]]:
    if info.compression == "zip":
        with zipfile.ZipFile(info.path) as zf:
            assert info.member is not None
            total = zf.getinfo(info.member).file_size
            with zf.open(info.member) as member:
                yield io.BufferedReader(_Counting(member, total, progress), 1 << 16)
    elif info.compression == "gz":
        with info.path.open("rb") as raw:
            counted = io.BufferedReader(_Counting(raw, info.path.stat().st_size, progress), 1 << 16)
            with gzip.GzipFile(fileobj=counted) as gz:
                yield gz  # type: ignore[misc]
    else:
        with info.path.open("rb") as raw:
            yield io.BufferedReader(_Counting(raw, info.path.stat().st_size, progress), 1 << 16)


def read_records(
    info: SourceInfo,
    *,
    sep: str | None = None,
    merge_extra_fields: bool = True,
    progress: Progress | None = None,
) -> Iterator[RawRecord]:
    """Yield every record of the file, good or bad, in file order."""
    if sep is not None and len(sep) != 1:
        raise InputError(f"--sep must be one character, got {sep!r}")
    if info.format == "parquet" and info.compression is None:
        yield from _parquet_records(info.path, progress)
        return
    with _open_binary(info, progress) as stream:
        if info.format == "csv":
            name = info.member or info.path.name
            delimiter = sep or ("\t" if ".tsv" in name.lower() else ",")
            yield from _csv_records(stream, delimiter, merge_extra_fields)
        elif info.format == "jsonl":
            yield from _jsonl_records(stream)
        else:  # parquet needs random access: a compressed one is unpacked in memory
            yield from _parquet_records(io.BytesIO(stream.read()), None)


def _decode_lines(stream: IO[bytes]) -> Iterator[str]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    yield from text


def _printable(raw: str) -> str:
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _csv_records(stream: IO[bytes], delimiter: str, merge_extra: bool) -> Iterator[RawRecord]:
    consumed: list[str] = []

    def feed() -> Iterator[str]:
        for line in _decode_lines(stream):
            consumed.append(line)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h.strip() for h in header]
    if len(header) == 1:
        raise InputError(
            f"only 1 column found splitting the header on {delimiter!r} "
            f"({_printable(header[0])[:80]!r}); does --sep match the file?"
        )
    if len(set(header)) != len(header):
        raise InputError(f"the header repeats a column name: {header}")
    consumed.clear()
    next_line = reader.line_num + 1
    while True:
        start = next_line
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raw = "".join(consumed)
            consumed.clear()
            next_line = reader.line_num + 1
            yield RawRecord(start, _printable(raw), None, "malformed_line", str(exc))
            continue
        raw = "".join(consumed)
        consumed.clear()
        next_line = reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            if raw.strip():
                yield RawRecord(start, _printable(raw), None, "malformed_line", "blank record")
            continue
        if _LONE_SURROGATE.search(raw):
            yield RawRecord(start, _printable(raw), None, "encoding_error", "not valid UTF-8")
            continue
        yield _fit_row(start, raw, row, header, merge_extra, delimiter)


def _fit_row(
    line_no: int, raw: str, row: list[str], header: list[str], merge_extra: bool, delimiter: str
) -> RawRecord:
    if len(row) == len(header):
        return RawRecord(line_no, raw, dict(zip(header, row, strict=True)))
    if len(row) > len(header) and merge_extra:
        keep = len(header) - 1
        merged = delimiter.join(row[keep:])
        fields = dict(zip(header, [*row[:keep], merged], strict=True))
        repair = Repair(
            header[-1],
            "extra_separators_merged",
            f"{len(row)} fields, {len(header)} expected",
            merged,
        )
        return RawRecord(line_no, raw, fields, repairs=[repair])
    return RawRecord(
        line_no,
        raw,
        None,
        "wrong_field_count",
        f"{len(row)} fields, header has {len(header)}",
    )


def _jsonl_records(stream: IO[bytes]) -> Iterator[RawRecord]:
    for line_no, line in enumerate(_decode_lines(stream), start=1):
        if not line.strip():
            continue
        if _LONE_SURROGATE.search(line):
            yield RawRecord(line_no, _printable(line), None, "encoding_error", "not valid UTF-8")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRecord(line_no, line, None, "malformed_line", f"invalid JSON: {exc.msg}")
            continue
        if not isinstance(obj, dict):
            yield RawRecord(line_no, line, None, "malformed_line", "a JSON line must be an object")
            continue
        yield RawRecord(line_no, line.rstrip("\r\n"), obj)


def _parquet_records(source: Path | IO[bytes], progress: Progress | None) -> Iterator[RawRecord]:
    """Rows of a Parquet file by record batch; progress is counted in rows."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(source)
    total = parquet.metadata.num_rows
    row_no = 0
    for batch in parquet.iter_batches(batch_size=2048):
        for row in batch.to_pylist():
            row_no += 1
            raw = json.dumps(row, ensure_ascii=False, default=str)
            yield RawRecord(row_no, raw, row)
        if progress is not None:
            progress(row_no, total)
