"""Read labelled texts (text, label, optional group) from CSV/TSV files, plain or zipped."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from shopsense.core.errors import InputError, MappingError


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[str]
    groups: list[str] | None
    dropped: int  # rows without text or label


def _open_text(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            if len(names) != 1:
                raise InputError(f"{path} must hold exactly one data file, it holds {len(names)}")
            return archive.read(names[0]).decode("utf-8-sig")
    return path.read_text("utf-8-sig")


def read_labelled(
    path: Path, text_col: str, label_col: str, group_col: str | None = None
) -> Labelled:
    """Rows of ``path`` with a non-empty text and label; tab- or comma-separated (sniffed)."""
    raw = _open_text(path)
    first = raw.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(raw), delimiter="\t" if "\t" in first else ",")
    wanted = [c for c in (text_col, label_col, group_col) if c]
    missing = [c for c in wanted if c not in (reader.fieldnames or [])]
    if missing:
        raise MappingError(
            f"{path} has no column {', '.join(missing)}; "
            f"columns are {', '.join(reader.fieldnames or [])}"
        )
    texts, labels, groups, dropped = [], [], [], 0
    for row in reader:
        text, label = (row.get(text_col) or "").strip(), (row.get(label_col) or "").strip()
        if not text or not label:
            dropped += 1
            continue
        texts.append(text)
        labels.append(label)
        groups.append((row.get(group_col) or "") if group_col else "")
    return Labelled(texts, labels, groups if group_col else None, dropped)
