"""Attribute vocabularies shipped with shopsense (``query/data/*.csv``) and
normalisation that keeps character offsets, so spans point into the typed query."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from shopsense.text.chinese_script import simplified_same_length


@dataclass(frozen=True)
class Alias:
    """``alias`` (normalised) in a query means the canonical ``value``."""

    value: str
    alias: str
    confidence: float


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("shopsense.query").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def aliases(name: str) -> tuple[Alias, ...]:
    """Aliases from ``data/<name>.csv`` (columns: canonical, alias, confidence)."""
    out = []
    for row in _rows(f"{name}.csv"):
        canonical, alias, confidence = (row[k] for k in row)
        out.append(Alias(canonical, norm(alias), float(confidence)))
    return tuple(out)


@cache
def brand_name_groups() -> tuple[tuple[str, ...], ...]:
    """Each brand of ``data/brands_zh.csv`` with its Chinese names, as synonym groups
    (``ikea``, ``宜家``): a title may name the brand in either script."""
    groups: dict[str, list[str]] = {}
    for a in aliases("brands_zh"):
        groups.setdefault(norm(a.value), [norm(a.value)]).append(a.alias)
    return tuple(tuple(dict.fromkeys(g)) for g in groups.values())


@cache
def gender_name_groups() -> tuple[tuple[str, ...], ...]:
    """Each gender of ``data/genders.csv`` with its sure names (confidence 1), as synonym
    groups (``men``, ``男士``, ``男子``): a title may say it either way, in either script."""
    groups: dict[str, list[str]] = {}
    for a in aliases("genders"):
        if a.confidence >= 1.0 and "'" not in a.alias:  # men's: the word men, and an s
            groups.setdefault(a.value, []).append(a.alias)
    return tuple(tuple(dict.fromkeys(g)) for g in groups.values() if len(g) > 1)


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    groups: dict[str, list[str]] = {}
    for row in _rows("synonyms.csv"):
        groups.setdefault(row["group"], []).append(norm(row["term"]))
    return tuple(tuple(terms) for terms in groups.values())


def norm(text: str) -> str:
    return normalise_with_offsets(text)[0]


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC + case folding, character by character, with each output char's source index;
    traditional Chinese written in simplified, character for character (``手機`` → ``手机``).

    Whitespace is kept (not collapsed) so spans map back to the query exactly.
    """
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold()
        chars.append(folded)
        offsets.extend([i] * len(folded))
    return simplified_same_length("".join(chars)), offsets


def source_span(offsets: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    """Map a ``[start, end)`` range of normalised text back to the original text."""
    if start >= end:
        return (offsets[start] if start < len(offsets) else length,) * 2
    return offsets[start], offsets[end - 1] + 1
