"""Ranking features of (query, candidate) pairs, one row per candidate.

Every feature is a plain number a person can read in an explanation; missing
values (no price, no quality score yet) are encoded as -1.

``image_rel`` is how well the candidate's *photo* fits the query (text → image
cosine, issue #8) relative to the best-fitting photo among the candidates; a
candidate without an image gets the mean of the pictured ones (neutral) and
``image_missing`` = 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from shopsense.retrieval.doctable import DocTable
from shopsense.retrieval.documents import TEXT_FIELDS
from shopsense.text.tokenize import tokenize

FEATURES: tuple[str, ...] = (
    *(f"bm25_{f}" for f in TEXT_FIELDS),
    "bm25",
    "bm25_rel",
    "dense",
    "dense_rel",
    "rrf",
    "model_match",
    "brand_match",
    "category_match",
    "title_coverage",
    "quality",
    "popularity",
    "price",
    "image_rel",
    "image_missing",
)
_MODEL_LIKE = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9]{4,}$|^\d{5,}$")

Matrix = npt.NDArray[np.float64]


class ImageScorer(Protocol):
    """Text query ↔ product photo cosine per product id (NaN where there is no photo)."""

    def __call__(
        self, query_vector: npt.NDArray[np.float32], product_ids: Sequence[str]
    ) -> Matrix: ...


def model_numbers(tokens: Sequence[str]) -> set[str]:
    """Tokens that look like model numbers: letters with digits (≥ 4 chars) or ≥ 5 digits."""
    return {t for t in tokens if _MODEL_LIKE.match(t)}


@dataclass(frozen=True)
class DocTerms:
    title: frozenset[str]
    brand: frozenset[str]
    category: frozenset[str]
    codes: frozenset[str]  # title + attribute terms, where model numbers live


class TermCache:
    """Tokenized fields of products, computed on first use."""

    def __init__(self, table: DocTable) -> None:
        self.table = table
        self._cache: dict[int, DocTerms] = {}

    def get(self, row: int) -> DocTerms:
        if row not in self._cache:
            t = self.table
            title = frozenset(tokenize(t.titles[row]))
            attrs = tokenize(" ".join(t.attributes[row].values()))
            self._cache[row] = DocTerms(
                title=title,
                brand=frozenset(tokenize(t.brands[row] or "")),
                category=frozenset(tokenize(t.categories[row][-1] if t.categories[row] else "")),
                codes=title | frozenset(attrs),
            )
        return self._cache[row]


@dataclass(frozen=True)
class CandidateScores:
    """What retrieval found for each candidate (aligned with ``rows``)."""

    rows: npt.NDArray[np.int64]
    field_bm25: dict[str, Matrix]
    bm25: Matrix
    dense: Matrix
    rrf: Matrix
    image: Matrix | None = None  # text → image cosine, NaN where no photo; None: no images


def image_columns(image: Matrix | None, n: int) -> tuple[Matrix, Matrix]:
    """(``image_rel``, ``image_missing``): relative photo fit, neutral mean where missing."""
    if image is None or not np.isfinite(image).any():
        return np.zeros(n), np.ones(n)
    pictured = np.isfinite(image)
    rel = np.where(pictured, image - float(image[pictured].max()), 0.0)
    rel[~pictured] = float(rel[pictured].mean())
    return rel, (~pictured).astype(np.float64)


def _rel(x: Matrix) -> Matrix:
    top = float(x.max()) if len(x) else 0.0
    return x / top if top > 0 else np.zeros_like(x)


def feature_matrix(query_tokens: Sequence[str], cands: CandidateScores, terms: TermCache) -> Matrix:
    """Rows of ``FEATURES`` for every candidate."""
    n = len(cands.rows)
    q = set(query_tokens)
    codes = model_numbers(query_tokens)
    t = terms.table
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    col = {name: i for i, name in enumerate(FEATURES)}
    for f in TEXT_FIELDS:
        out[:, col[f"bm25_{f}"]] = cands.field_bm25[f]
    out[:, col["bm25"]] = cands.bm25
    out[:, col["bm25_rel"]] = _rel(cands.bm25)
    out[:, col["dense"]] = cands.dense
    out[:, col["dense_rel"]] = cands.dense - (float(cands.dense.max()) if n else 0.0)
    out[:, col["rrf"]] = cands.rrf
    out[:, col["image_rel"]], out[:, col["image_missing"]] = image_columns(cands.image, n)
    for i, row in enumerate(cands.rows):
        d = terms.get(int(row))
        out[i, col["model_match"]] = len(codes & d.codes) / len(codes) if codes else 0.0
        out[i, col["brand_match"]] = 1.0 if d.brand and d.brand <= q else 0.0
        out[i, col["category_match"]] = 1.0 if d.category and d.category <= q else 0.0
        out[i, col["title_coverage"]] = len(q & d.title) / len(q) if q else 0.0
        quality, price = t.quality[row], t.prices[row]
        out[i, col["quality"]] = -1.0 if math.isnan(quality) else quality
        out[i, col["popularity"]] = math.log1p(t.popularity[row])
        out[i, col["price"]] = -1.0 if math.isnan(price) else math.log1p(price)
    return out
