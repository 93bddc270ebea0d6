"""Read labelled texts (text, label, optional group) from CSV/TSV files, plain or zipped.

Nothing is lost silently: every row read is either used or dropped with a reason, and
``Labelled.summary()`` says so — *rows read = used + dropped*.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopsense.core.errors import InputError, MappingError
from shopsense.evaluation.text_files import decode_utf8, file_bytes

#: labels that mean "no label" (compared stripped and case-insensitively): pandas and
#: spreadsheet exports write a missing value as one of these
MISSING_LABELS = frozenset({"", "nan", "none", "null", "n/a"})

#: the reasons a row is dropped, in the order the summary lists them
EMPTY_TEXT = "empty text"
EMPTY_LABEL = "empty label"
FIELD_COUNT = "wrong field count"
UNTERMINATED = "unterminated quote"
_ORDER = (EMPTY_TEXT, EMPTY_LABEL, FIELD_COUNT, UNTERMINATED)
#: reasons whose line numbers the summary shows (the first ``_SHOWN``)
_WITH_LINES = (FIELD_COUNT, UNTERMINATED)
_SHOWN = 5


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[str]
    groups: list[str] | None
    dropped: int  # rows not used, for any of the reasons in ``reasons``
    path: Path | None = None
    rows_read: int = 0
    #: dropped rows by reason
    reasons: dict[str, int] = field(default_factory=dict)
    #: the first few (first line, last line) of the rows dropped for each reason
    lines: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def used(self) -> int:
        return len(self.texts)

    def summary(self) -> str:
        """``rows read 38 = used 36 + dropped 2 (empty text 1, empty label 1)``."""
        head = f"rows read {self.rows_read} = used {self.used} + dropped {self.dropped}"
        if not self.dropped:
            return head
        parts = []
        sep = ", "  # "; " once a part lists line numbers (themselves comma-separated)
        for reason in _ORDER:
            count = self.reasons.get(reason, 0)
            if not count:
                continue
            part = f"{reason} {count}"
            spans = self.lines.get(reason, [])
            if spans:
                shown = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
                more = ", …" if count > len(spans) else ""
                part += f": line{'s' if count > 1 or spans[0][0] != spans[0][1] else ''} "
                part += shown + more
                sep = "; "
            parts.append(part)
        return f"{head} ({sep.join(parts)})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path) if self.path else None,
            "rows_read": self.rows_read,
            "used": self.used,
            "dropped": self.dropped,
            "dropped_by_reason": {r: self.reasons[r] for r in _ORDER if self.reasons.get(r)},
            "dropped_lines": {r: [list(s) for s in v] for r, v in self.lines.items() if v},
        }


def is_missing_label(label: str) -> bool:
    return label.strip().casefold() in MISSING_LABELS


def _open_text(path: Path) -> str:
    payload = file_bytes(path)
    if path.suffix == ".zip":
        try:
            with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
                if len(names) != 1:
                    raise InputError(
                        f"{path} must hold exactly one data file, it holds {len(names)}"
                    )
                return decode_utf8(archive.read(names[0]), f"{path}:{names[0]}")
        except zipfile.BadZipFile as exc:
            raise InputError(f"{path} is not a valid zip file ({exc})") from exc
    return decode_utf8(payload, str(path))


def _unterminated(lines: list[str]) -> bool:
    """Whether these physical lines (a record that runs to the end of the file) end
    inside a quoted field; the lenient reader would silently take the rest of the file."""
    try:
        for _ in csv.reader(lines, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _rows(reader: csv.DictReader[str], path: Path) -> Iterator[dict[str | Any, str | Any]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: cannot read this CSV row ({exc})") from exc


def read_labelled(
    path: Path, text_col: str, label_col: str, group_col: str | None = None
) -> Labelled:
    """Rows of ``path`` with a non-empty text and label; tab- or comma-separated (sniffed).

    Dropped, counted by reason: an empty text, an empty or missing label (``NaN``,
    ``None``, ``null``, ``N/A``), a row whose field count differs from the header's, a
    quote left open at the end of the file."""
    raw = _open_text(path)
    physical = list(io.StringIO(raw))  # lines end at \n only, as csv expects
    first = physical[0] if physical else ""
    reader = csv.DictReader(physical, delimiter="\t" if "\t" in first else ",")
    wanted = [c for c in (text_col, label_col, group_col) if c]
    missing = [c for c in wanted if c not in (reader.fieldnames or [])]
    if missing:
        raise MappingError(
            f"{path} has no column {', '.join(missing)}; "
            f"columns are {', '.join(reader.fieldnames or [])}"
        )
    texts: list[str] = []
    labels: list[str] = []
    groups: list[str] = []
    reasons: dict[str, int] = {}
    lines: dict[str, list[tuple[int, int]]] = {}
    rows = 0
    end = reader.line_num  # the header's last line

    def drop(reason: str, span: tuple[int, int]) -> None:
        reasons[reason] = reasons.get(reason, 0) + 1
        shown = lines.setdefault(reason, [])
        if len(shown) < _SHOWN:
            shown.append(span)

    for row in _rows(reader, path):
        rows += 1
        start, end = end + 1, reader.line_num
        while start < end and not physical[start - 1].strip():  # blank lines skipped
            start += 1
        if end == len(physical) and _unterminated(physical[start - 1 : end]):
            drop(UNTERMINATED, (start, end))
            continue
        if None in row or any(v is None for v in row.values()):
            drop(FIELD_COUNT, (start, end))
            continue
        text, label = (row.get(text_col) or "").strip(), (row.get(label_col) or "").strip()
        if not text:
            drop(EMPTY_TEXT, (start, end))
            continue
        if is_missing_label(label):
            drop(EMPTY_LABEL, (start, end))
            continue
        texts.append(text)
        labels.append(label)
        groups.append((row.get(group_col) or "") if group_col else "")
    return Labelled(
        texts,
        labels,
        groups if group_col else None,
        rows - len(texts),
        path=path,
        rows_read=rows,
        reasons=reasons,
        lines={r: v for r, v in lines.items() if r in _WITH_LINES},
    )
