"""Read event files row by row: CSV/TSV/semicolon-separated or JSONL, plain or ``.gz``.

Every physical record comes back as a :class:`RawRow` with its line number and
raw text, so a row that cannot become an event is quarantined with exactly what
was in the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from shopsense.core.errors import InputError, UnsupportedFormatError


@dataclass(frozen=True)
class RawRow:
    """One record as read: fields by column name, or None with the reason it is unreadable."""

    line_no: int
    raw: str
    fields: dict[str, Any] | None
    error: str | None = None


def _open_text(path: Path) -> IO[str]:
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace", newline="")


def _stem_suffix(path: Path) -> str:
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    return Path(name).suffix.lower()


def sniff_sep(first_line: str) -> str:
    """The separator of a delimited header line: tab, semicolon or comma (most frequent)."""
    counts = {sep: first_line.count(sep) for sep in ("\t", ";", ",")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


def read_rows(
    path: Path, *, sep: str | None = None, header: list[str] | None = None
) -> Iterator[RawRow]:
    """Rows of a delimited file or JSONL file (chosen by the file name).

    ``header`` names the columns of a file that has no header line.
    """
    suffix = _stem_suffix(path)
    if suffix in (".jsonl", ".ndjson", ".json"):
        yield from _read_jsonl(path)
    elif suffix in (".csv", ".tsv", ".txt", ".dat", ""):
        yield from _read_delimited(
            path, sep="\t" if suffix == ".tsv" and sep is None else sep, header=header
        )
    else:
        raise UnsupportedFormatError(
            f"cannot read events from {path.name}: use .csv, .tsv, .jsonl (optionally .gz)"
        )


def _read_jsonl(path: Path) -> Iterator[RawRow]:
    with _open_text(path) as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RawRow(line_no, line, None, f"malformed_line: {exc.msg}")
                continue
            if not isinstance(value, dict):
                yield RawRow(line_no, line, None, "malformed_line: not a JSON object")
                continue
            yield RawRow(line_no, line, value)


def _read_delimited(path: Path, *, sep: str | None, header: list[str] | None) -> Iterator[RawRow]:
    with _open_text(path) as fh:
        first = fh.readline()
        if not first:
            return
        delimiter = sep or sniff_sep(first)
        lines: Iterator[str] = fh
        start = 2
        if header is None:
            header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter))]
        else:
            lines, start = _chain(first, fh), 1
        for line_no, line in enumerate(lines, start=start):
            if not line.strip():
                continue
            values = next(csv.reader([line], delimiter=delimiter), [])
            if len(values) != len(header):
                yield RawRow(
                    line_no,
                    line,
                    None,
                    f"wrong_field_count: {len(values)} fields, header has {len(header)}",
                )
                continue
            yield RawRow(line_no, line, dict(zip(header, values, strict=True)))


def _chain(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest
