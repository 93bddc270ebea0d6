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

``out_of_stock`` is 1 for a product whose availability is ``out_of_stock`` (the
default linear ranker weighs it −0.3; ``unknown`` and ``preorder`` are 0).

``image_rel`` is how well the candidate's *photo* fits the query (text → image
cosine, issue #8) relative to the best-fitting photo among the candidates; a
candidate without an image gets the mean of the pictured ones (neutral) and
``image_missing`` = 1.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from shopsense.catalog.matching.records import CODE_KEYS, model_codes, squash
from shopsense.catalog.schema import Availability
from shopsense.ranking.term_ids import FIELDS as ID_FIELDS
from shopsense.ranking.term_ids import Ids, TermIds
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
from shopsense.text.singular import search_terms

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
    "out_of_stock",
    "image_rel",
    "image_missing",
)
COLUMN = {name: i for i, name in enumerate(FEATURES)}
OUT_OF_STOCK = Availability.OUT_OF_STOCK.value
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
        tokens = frozenset(search_terms(text))
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
    candidates) share one ``DocTerms`` object, numbered in order of first sight, so a
    search computes their term features once (``feature_matrix``, ``distinct``)."""

    def __init__(self, table: DocTable, idf: Idf | None = None) -> None:
        self.table = table
        self.idf: Idf = idf or _no_idf
        self._shared: dict[DocTerms, int] = {}  # terms → their number
        self._docs: list[DocTerms] = []  # by number
        self._number = np.full(len(table), -1, dtype=np.int64)  # by row; -1 not seen yet
        self.ids = TermIds()  # the terms of each number as ids
        self.tokenized = 0  # rows whose terms this cache computed (not taken over)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Rows whose terms are computed."""
        return int((self._number >= 0).sum())

    def clear(self) -> None:
        self._shared.clear()
        self._docs.clear()
        self._number = np.full(len(self.table), -1, dtype=np.int64)
        self.ids = TermIds()

    def get(self, row: int) -> DocTerms:
        number = int(self._number[row]) if row < len(self._number) else -1
        if number < 0:
            number = self._keep(row, self._terms(row))
            self.tokenized += 1
        return self._docs[number]

    def _keep(self, row: int, doc: DocTerms) -> int:
        """Number ``doc`` (a new one gets the next number) as the terms of ``row``."""
        with self._lock:  # numbers are handed out one at a time
            if len(self._number) < len(self.table):  # the table grew
                grown = np.full(len(self.table), -1, dtype=np.int64)
                grown[: len(self._number)] = self._number
                self._number = grown
            number = self._shared.setdefault(doc, len(self._docs))
            if number == len(self._docs):
                self.ids.add(
                    {name: getattr(doc, name) for name in ID_FIELDS},
                    doc.title_idf,
                    len(doc.numbers),
                )
                self._docs.append(doc)
            self._number[row] = number
        return number

    def carry(self, old: TermCache) -> int:
        """Take over from ``old``, the cache of an earlier table of the same store, the
        terms of every product it computed that is unchanged here (same id, same content
        hash): a catalogue change then tokenizes only the products it touched. The title
        IDF is summed anew under this cache's ``idf`` (document frequencies moved), so each
        row's terms equal what :meth:`get` would compute. Returns the rows taken over."""
        was_at = zip(old.table.ids, old.table.hashes, strict=True)
        before = {key: row for row, key in enumerate(was_at)}
        numbers = old._number
        taken = 0
        for row, key in enumerate(zip(self.table.ids, self.table.hashes, strict=True)):
            was = before.get(key)
            if was is None or was >= len(numbers) or numbers[was] < 0:
                continue
            doc = old._docs[int(numbers[was])]
            title_idf = math.fsum(self.idf(x) for x in doc.title)
            if title_idf != doc.title_idf:
                doc = replace(doc, title_idf=title_idf)
            self._keep(row, doc)
            taken += 1
        return taken

    def distinct(self, rows: Ids) -> tuple[list[DocTerms], Ids, npt.NDArray[np.intp]]:
        """The distinct ``DocTerms`` of ``rows``, their numbers, and for each row the
        index of its own among them."""
        if len(self._number) < len(self.table) or bool((self._number[rows] < 0).any()):
            for row in rows.tolist():
                self.get(row)
        numbers, inverse = np.unique(self._number[rows], return_inverse=True)
        return [self._docs[k] for k in numbers.tolist()], numbers, inverse.reshape(-1)

    def _terms(self, row: int) -> DocTerms:
        t = self.table
        title = frozenset(search_terms(t.titles[row]))
        attrs = t.attributes[row]
        explicit = [v for k, v in attrs.items() if k.casefold() in CODE_KEYS]
        given = {c for v in explicit if len(c := squash(v)) >= 4}
        named = colours(title) | colour_terms(" ".join(explicit))
        return DocTerms(
            title=title,
            brand=frozenset(search_terms(t.brands[row] or "")),
            category=frozenset(search_terms(t.categories[row][-1] if t.categories[row] else "")),
            terms=title | frozenset(search_terms(" ".join(attrs.values()))),
            codes=product_codes(t.titles[row]) | frozenset(given),
            squashed=squash(" ".join([t.titles[row], *explicit])),
            numbers=frozenset(x for x in title if x.isdigit()),
            title_idf=math.fsum(self.idf(x) for x in title),
            specs=specs(t.titles[row]),
            colours=named,
            trigrams=trigrams(t.titles[row]),
        )


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


#: The term-feature columns, in ``FEATURES`` order: ``model_match`` … ``title_trigram``.
_TERM_COLUMNS = FEATURES[COLUMN["model_match"] : COLUMN["quality"]]
_NO_CODES = (0.0, -1.0, -1.0, -1.0, -1.0)  # ``code_features`` of a query without model numbers
#: Queries with more distinct tokens than this are compared product by product
#: (the columns at once need a table of 2^tokens IDF sums).
_BITS_MAX = 8


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


def _ratio(num: npt.NDArray[np.int64] | Matrix, den: npt.NDArray[np.int64] | Matrix) -> Matrix:
    """``num / den`` where ``den`` > 0, else 0 (IEEE division, as Python's ``/``)."""
    out = np.zeros(len(num))
    np.divide(num, den, out=out, where=den > 0)
    return out


def _term_block(q: QueryTerms, docs: list[DocTerms], numbers: Ids, ids: TermIds) -> Matrix:
    """The ``_TERM_COLUMNS`` of each of ``docs`` (numbered ``numbers`` in ``ids``), one
    column at a time over all of them: the same numbers, bit for bit, as ``_term_features``
    product by product. Query token ``i`` (sorted) is bit ``i`` of what a title holds."""
    tokens = sorted(q.tokens)
    if len(tokens) > _BITS_MAX:
        return np.asarray([_term_features(q, d) for d in docs], dtype=np.float64).reshape(
            len(docs), len(_TERM_COLUMNS)
        )
    col = {name: i for i, name in enumerate(_TERM_COLUMNS)}
    out = np.empty((len(docs), len(_TERM_COLUMNS)))
    if q.codes:
        out[:, : len(_NO_CODES)] = [code_features(q, d) for d in docs]
    else:
        out[:, : len(_NO_CODES)] = _NO_CODES
    bit = {t: 1 << i for i, t in enumerate(tokens)}
    ones = dict.fromkeys(q.tokens, 1)
    weights = {
        "title": bit,
        "brand": ones,
        "category": ones,
        "colours": dict.fromkeys(q.colours, 1),
        "terms": dict.fromkeys(q.rare, 1),
        "trigrams": dict.fromkeys(q.trigrams, 1),
    }
    held, size = (m.T for m in ids.held(numbers, weights))
    f = {name: i for i, name in enumerate(ID_FIELDS)}
    for name in ("brand", "category"):  # every term of the product's brand is in the query
        out[:, col[f"{name}_match"]] = (size[f[name]] > 0) & (held[f[name]] == size[f[name]])
    title = held[f["title"]]
    count = np.asarray([m.bit_count() for m in range(1 << len(tokens))], dtype=np.int64)
    out[:, col["title_coverage"]] = count[title] / len(tokens) if tokens else 0.0
    # IDF of the query tokens a title holds: one exact sum per subset of tokens
    idf = [q.idf[t] for t in tokens]
    sums = [math.fsum(w for i, w in enumerate(idf) if m >> i & 1) for m in range(1 << len(idf))]
    shared = np.asarray(sums, dtype=np.float64)[title]
    out[:, col["idf_coverage"]] = shared / q.idf_total if q.idf_total > 0 else 0.0
    title_idf = np.asarray(ids.title_idf.values[numbers], dtype=np.float64)
    out[:, col["idf_title_coverage"]] = np.minimum(_ratio(shared, title_idf), 1.0)
    common = count[title & sum(bit[t] for t in q.numbers)]
    union = len(q.numbers) + ids.numbers.values[numbers] - common
    out[:, col["number_match"]] = np.where(union > 0, _ratio(common, union), -1.0)
    specs_at = slice(col["spec_agree"], col["spec_conflict"] + 1)
    out[:, specs_at] = [spec_agreement(q.specs, d.specs) for d in docs] if q.specs else 0.0
    # 1 shared colour, 0 other colours, -1 when either side names none
    colours = np.where(held[f["colours"]] > 0, 1.0, 0.0)
    out[:, col["colour_match"]] = np.where(
        (size[f["colours"]] > 0) & bool(q.colours), colours, -1.0
    )
    out[:, col["rare_coverage"]] = held[f["terms"]] / len(q.rare) if q.rare else 0.0
    tri, tri_size = held[f["trigrams"]], size[f["trigrams"]]
    out[:, col["title_trigram"]] = _ratio(tri, len(q.trigrams) + tri_size - tri)
    return out


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
    gone = [t.availability[r] == OUT_OF_STOCK for r in rows.tolist()]
    out[:, c["out_of_stock"]] = np.asarray(gone, dtype=np.float64)
    if n:  # term features once per distinct product terms, then spread over the rows
        docs, numbers, inverse = terms.distinct(rows)
        block = _term_block(q, docs, numbers, terms.ids)
        out[:, c["model_match"] : c["quality"]] = block[inverse]
    return out
