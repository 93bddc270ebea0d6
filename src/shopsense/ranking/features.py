"""Ranking features of (query, candidate) pairs, one row per candidate.

Every feature is a plain number a person can read in an explanation; missing
values (no price, no quality score yet, no model number on either side) are -1.

Scores that depend on the catalogue's size (BM25 grows with it) also come
relative to the query's best candidate (``*_rel``), min-max scaled over the
candidates (``*_norm``, what weighted fusion adds) and as ranks, so a model
learned on one catalogue transfers to another.

Model numbers are compared squashed (``PS-LX350H`` = ``pslx350h``), in both
directions: the query's codes found in the product's title or code attributes
(``modelno``, ``mpn``, …), and the product's codes found in the query.

What tells *variants* of one product line apart (capacity, colour, pack count:
``spec_agree``, ``spec_conflict``, ``colour_match``, ``rare_coverage``,
``title_trigram``) lives in :mod:`shopsense.ranking.variants`.

``image_rel`` is how well the candidate's *photo* fits the query (text → image
cosine, issue #8) relative to the best-fitting photo among the candidates; a
candidate without an image gets the mean of the pictured ones (neutral) and
``image_missing`` = 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from shopsense.catalog.matching.records import CODE_KEYS, model_codes, squash
from shopsense.ranking.variants import (
    VARIANT_FEATURES,
    Spec,
    colour_match,
    colour_terms,
    colours,
    jaccard,
    rare_terms,
    spec_agreement,
    specs,
    trigrams,
)
from shopsense.retrieval.doctable import DocTable
from shopsense.retrieval.documents import TEXT_FIELDS
from shopsense.retrieval.fusion import min_max
from shopsense.text.tokenize import tokenize

FEATURES: tuple[str, ...] = (
    *(f"bm25_{f}" for f in TEXT_FIELDS),
    "bm25",
    "bm25_rel",
    "bm25_norm",
    "bm25_title_rel",
    "bm25_rank",
    "dense",
    "dense_rel",
    "dense_norm",
    "dense_rank",
    "rrf",
    "model_match",
    "code_in_product",
    "product_code_in_query",
    "code_prefix",
    "code_conflict",
    "brand_match",
    "category_match",
    "title_coverage",
    "idf_coverage",
    "idf_title_coverage",
    "number_match",
    *VARIANT_FEATURES,
    "quality",
    "popularity",
    "price",
    "image_rel",
    "image_missing",
)
COLUMN = {name: i for i, name in enumerate(FEATURES)}
#: Rank given to a candidate that a retriever did not return.
ABSENT_RANK = 1000.0

Matrix = npt.NDArray[np.float64]
Idf = Callable[[str], float]

# a number with a unit (``4.7GB``, ``750gb``, ``24port``, ``10.1MP``) is a spec, not a model number
_SPEC = re.compile(
    r"^\d+(?:gb|tb|mb|kb|gbps|mbps|mp|mm|cm|in|inch|ft|hz|khz|mhz|ghz|w|v|mah|pk|pc|pcs|pack"
    r"|port|ports|x|p|k|lb|lbs|oz|g|kg|ml|m|min|rpm|dpi|bit|mw|ch|th|st|nd|rd)$"
)
# a number with a count word (``2-Way``, ``240-Pin``, ``6-in-1``, ``50-Sheet``) describes a
# kind of product, not one product: measured on Walmart→Amazon, treating ``2way`` as a model
# number ranked a ``KFC-X1730 2-Way`` speaker above the ``KFC-1652S`` that a
# ``… 2-Way … KFC-1652`` query names (3-fold MRR@10 0.865 → 0.875 with these left out)
_COUNTED = re.compile(
    r"^\d+(?:way|pin|pins|sheet|sheets|channel|bay|disc|discs|feet|foot|digit|cup|piece|pieces"
    r"|in1|count|ct|tab|tabs|hole|outlet|speed|button|line|gang|slot|color|colour|layer|core)$"
)


class ImageScorer(Protocol):
    """Text query ↔ product photo cosine per product id (NaN where there is no photo)."""

    def __call__(
        self, query_vector: npt.NDArray[np.float32], product_ids: Sequence[str]
    ) -> Matrix: ...


def product_codes(text: str) -> frozenset[str]:
    """Model numbers of ``text``, squashed (``PS-LX350H`` → ``pslx350h``); specs and counts
    (``750GB``, ``2-Way``) left out."""
    return frozenset(c for c in model_codes(text) if not (_SPEC.match(c) or _COUNTED.match(c)))


@dataclass(frozen=True)
class DocTerms:
    title: frozenset[str]
    brand: frozenset[str]
    category: frozenset[str]
    terms: frozenset[str]  # title + attribute terms
    codes: frozenset[str]  # squashed model numbers of the title and code attributes
    squashed: str  # title + code attributes, squashed, for "code appears in text"
    numbers: frozenset[str]  # all-digit title terms
    title_idf: float  # Σ idf of the distinct title terms
    specs: frozenset[Spec]  # numbers with a unit in the title
    colours: frozenset[str]  # colours of the title and code attributes
    trigrams: frozenset[str]  # character 3-grams of the squashed title


@dataclass(frozen=True)
class QueryTerms:
    """What the features need of the query, computed once per query."""

    tokens: frozenset[str]
    codes: frozenset[str]
    squashed: str
    numbers: frozenset[str]
    idf: dict[str, float]
    specs: frozenset[Spec]
    colours: frozenset[str]
    rare: frozenset[str]  # the highest-IDF terms
    trigrams: frozenset[str]
    idf_total: float  # sum of ``idf``'s weights, summed once per query

    @classmethod
    def of(cls, text: str, idf: Idf) -> QueryTerms:
        tokens = frozenset(tokenize(text))
        weights = {t: idf(t) for t in tokens}
        return cls(
            tokens=tokens,
            codes=product_codes(text),
            squashed=squash(text),
            numbers=frozenset(t for t in tokens if t.isdigit()),
            idf=weights,
            specs=specs(text),
            colours=colours(tokens),
            rare=rare_terms(weights),
            trigrams=trigrams(text),
            idf_total=math.fsum(weights.values()),
        )


def _no_idf(term: str) -> float:
    return 1.0


class TermCache:
    """Tokenized fields of products, computed on first use; ``idf`` weighs title terms.

    Products with equal terms (catalogues repeat titles: a quarter of a Myntra search's
    candidates) share one ``DocTerms`` object, so a search computes their term features
    once (``feature_matrix``)."""

    def __init__(self, table: DocTable, idf: Idf | None = None) -> None:
        self.table = table
        self.idf: Idf = idf or _no_idf
        self._cache: dict[int, DocTerms] = {}
        self._shared: dict[DocTerms, DocTerms] = {}

    def clear(self) -> None:
        self._cache.clear()
        self._shared.clear()

    def get(self, row: int) -> DocTerms:
        if row not in self._cache:
            t = self.table
            title = frozenset(tokenize(t.titles[row]))
            attrs = t.attributes[row]
            explicit = [v for k, v in attrs.items() if k.casefold() in CODE_KEYS]
            given = {c for v in explicit if len(c := squash(v)) >= 4}
            named = colours(title) | colour_terms(" ".join(explicit))
            doc = DocTerms(
                title=title,
                brand=frozenset(tokenize(t.brands[row] or "")),
                category=frozenset(tokenize(t.categories[row][-1] if t.categories[row] else "")),
                terms=title | frozenset(tokenize(" ".join(attrs.values()))),
                codes=product_codes(t.titles[row]) | frozenset(given),
                squashed=squash(" ".join([t.titles[row], *explicit])),
                numbers=frozenset(x for x in title if x.isdigit()),
                title_idf=math.fsum(self.idf(x) for x in title),
                specs=specs(t.titles[row]),
                colours=named,
                trigrams=trigrams(t.titles[row]),
            )
            self._cache[row] = self._shared.setdefault(doc, doc)
        return self._cache[row]


@dataclass(frozen=True)
class CandidateScores:
    """What retrieval found for each candidate (aligned with ``rows``)."""

    rows: npt.NDArray[np.int64]
    field_bm25: dict[str, Matrix]
    bm25: Matrix
    dense: Matrix
    rrf: Matrix
    bm25_rank: Matrix  # 1-based rank in the lexical list, ABSENT_RANK when not in it
    dense_rank: Matrix
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


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def code_features(q: QueryTerms, d: DocTerms) -> tuple[float, float, float, float, float]:
    """``model_match, code_in_product, product_code_in_query, code_prefix, code_conflict``."""
    if not q.codes:
        return 0.0, -1.0, -1.0, -1.0, -1.0
    exact = len(q.codes & d.terms) / len(q.codes)
    in_product = sum(1 for c in q.codes if c in d.squashed) / len(q.codes)
    if not d.codes:
        return exact, in_product, -1.0, -1.0, -1.0
    in_query = 1.0 if any(c in q.squashed for c in d.codes) else 0.0
    prefix = max(_common_prefix(a, b) / max(len(a), len(b)) for a in q.codes for b in d.codes)
    conflict = 1.0 if in_product == 0 and in_query == 0 else 0.0
    return exact, in_product, in_query, prefix, conflict


def _coverage(q: QueryTerms, d: DocTerms) -> tuple[float, float]:
    """IDF-weighted share of the query's terms in the title, and of the title's in the query."""
    # fsum: exact, so the value does not depend on set order (which the hash seed sets)
    shared = math.fsum(q.idf[t] for t in q.tokens & d.title)
    of_query = shared / q.idf_total if q.idf_total > 0 else 0.0
    of_title = shared / d.title_idf if d.title_idf > 0 else 0.0
    return of_query, min(of_title, 1.0)


#: Columns :func:`_term_features` fills, in its order: ``model_match`` … ``title_trigram``.
_TERM_COLUMNS = FEATURES[COLUMN["model_match"] : COLUMN["quality"]]


def _term_features(q: QueryTerms, d: DocTerms) -> tuple[float, ...]:
    """The ``_TERM_COLUMNS`` of one candidate: how its terms meet the query's."""
    numbers = (
        len(q.numbers & d.numbers) / len(q.numbers | d.numbers) if q.numbers or d.numbers else -1.0
    )
    return (
        *code_features(q, d),
        1.0 if d.brand and d.brand <= q.tokens else 0.0,
        1.0 if d.category and d.category <= q.tokens else 0.0,
        len(q.tokens & d.title) / len(q.tokens) if q.tokens else 0.0,
        *_coverage(q, d),
        numbers,
        *spec_agreement(q.specs, d.specs),
        colour_match(q.colours, d.colours),
        len(q.rare & d.terms) / len(q.rare) if q.rare else 0.0,
        jaccard(q.trigrams, d.trigrams),
    )


def feature_matrix(query: str, cands: CandidateScores, terms: TermCache) -> Matrix:
    """Rows of ``FEATURES`` for every candidate of ``query``."""
    n = len(cands.rows)
    q = QueryTerms.of(query, terms.idf)
    t = terms.table
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    c = COLUMN
    for f in TEXT_FIELDS:
        out[:, c[f"bm25_{f}"]] = cands.field_bm25[f]
    out[:, c["bm25"]] = cands.bm25
    out[:, c["bm25_rel"]] = _rel(cands.bm25)
    out[:, c["bm25_norm"]] = min_max(cands.bm25)
    out[:, c["bm25_title_rel"]] = _rel(cands.field_bm25["title"])
    out[:, c["bm25_rank"]] = cands.bm25_rank
    out[:, c["dense"]] = cands.dense
    out[:, c["dense_rel"]] = cands.dense - (float(cands.dense.max()) if n else 0.0)
    out[:, c["dense_norm"]] = min_max(cands.dense)
    out[:, c["dense_rank"]] = cands.dense_rank
    out[:, c["rrf"]] = cands.rrf
    out[:, c["image_rel"]], out[:, c["image_missing"]] = image_columns(cands.image, n)
    rows = cands.rows
    out[:, c["quality"]] = np.where(np.isnan(t.quality[rows]), -1.0, t.quality[rows])
    out[:, c["popularity"]] = np.log1p(t.popularity[rows])
    out[:, c["price"]] = np.where(np.isnan(t.prices[rows]), -1.0, np.log1p(t.prices[rows]))
    if n:  # per-candidate term features, gathered in rows then written in one go
        out[:, [c[name] for name in _TERM_COLUMNS]] = _term_rows(q, terms, rows.tolist())
    return out


def _term_rows(q: QueryTerms, terms: TermCache, rows: list[int]) -> list[tuple[float, ...]]:
    """``_term_features`` of each row, computed once per distinct ``DocTerms``."""
    done: dict[int, tuple[float, ...]] = {}
    out = []
    for row in rows:
        doc = terms.get(row)
        values = done.get(id(doc))
        if values is None:
            values = done[id(doc)] = _term_features(q, doc)
        out.append(values)
    return out
