"""The search service: query → filtered, ranked, paged hits with facets and explanations.

Limits (``InputError`` beyond them): query ≤ 512 characters, page size ≤ 100,
results reachable by paging ≤ ``MAX_RESULTS`` (the candidate pool). Facets and
``total`` count the filtered candidate pool, i.e. the results one can page through.
Non-relevance sorts order that same pool. The pool holds every lexical match
among the candidates plus at most ``DENSE_ONLY_MAX`` candidates that only the
semantic index found, so weak semantic neighbours do not flood facets.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from shopsense.catalog.schema import Product
from shopsense.catalog.store import ProductStore
from shopsense.core.errors import InputError
from shopsense.query.types import ParsedQuery
from shopsense.ranking.features import FEATURES
from shopsense.ranking.pipeline import DEFAULT_POOL, Ranked, SearchPipeline
from shopsense.retrieval.documents import (
    TEXT_FIELDS,
    attribute_pair,
    category_prefixes,
    to_index_doc,
)
from shopsense.retrieval.expansion import QueryTerm
from shopsense.retrieval.facets import Facets, FacetTable
from shopsense.retrieval.filters import SearchFilters

SORTS = ("relevance", "price_asc", "price_desc", "newest")
MAX_PAGE_SIZE = 100
MAX_RESULTS = 1000
DENSE_ONLY_MAX = 20


@dataclass(frozen=True)
class SearchRequest:
    query: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "relevance"
    page: int = 1
    size: int = 10
    mode: str = "hybrid"
    explain: bool = False
    understand: bool = False  # parse: price / category filters; brand, colour, intent rank

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise InputError(f"unknown sort {self.sort!r}; choose one of {', '.join(SORTS)}")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise InputError(f"page size must be between 1 and {MAX_PAGE_SIZE}")
        if self.page < 1 or self.page * self.size > MAX_RESULTS:
            raise InputError(f"pages reach at most result {MAX_RESULTS}; page must be ≥ 1")


@dataclass(frozen=True)
class Explanation:
    """Why a hit is where it is."""

    ranker: str
    matched: dict[str, list[str]]  # field → query terms found in it
    contributions: dict[str, float]  # feature → share of the score
    features: dict[str, float]
    notes: list[str]
    baseline: float = 0.0  # score = baseline + Σ contributions (a learned model's expected value)


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    product: Product
    explanation: Explanation | None = None


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: str
    sort: str
    total: int
    page: int
    size: int
    hits: list[Hit]
    facets: Facets
    took_ms: float
    parsed: ParsedQuery | None = None


def _encodes(request: SearchRequest) -> bool:
    """Whether the pipeline encodes ``request.query`` as asked."""
    return request.mode != "bm25" and not request.understand and bool(request.query.strip())


def _notes(terms: list[QueryTerm]) -> list[str]:
    out = []
    for t in terms:
        if t.source == "fuzzy":
            out.append(f"typo-tolerant: {t.text!r} within edit distance {t.fuzzy}")
        elif t.source == "synonym":
            out.append(f"synonym added: {t.text!r}")
    return out


def explain_hit(product: Product, ranked: Ranked, i: int) -> Explanation:
    """Fields matched (exact query terms per field) and per-feature contributions."""
    doc = to_index_doc(0, product)
    exact = [t.text for t in ranked.terms if not t.fuzzy]
    matched = {}
    for name in TEXT_FIELDS:
        have = set(doc.terms[name])
        found = [t for t in exact if t in have]
        if found:
            matched[name] = found
    row, baseline = ranked.explain(i)
    contrib = {f: round(float(c), 4) for f, c in zip(FEATURES, row, strict=True) if c}
    feats = {f: round(float(v), 4) for f, v in zip(FEATURES, ranked.features[i], strict=True)}
    return Explanation(
        ranked.ranker, matched, contrib, feats, _notes(ranked.terms), round(baseline, 4)
    )


class RequestRewriter(Protocol):
    """Query understanding hook: turn a request into a better one before retrieval
    (e.g. ``"backpack under 50"`` → query ``"backpack"``, ``max_price=50``)."""

    def __call__(self, request: SearchRequest) -> SearchRequest: ...


SHOWN_CACHE = 50_000  # products kept for hit pages (≈ the 44k catalogue; cleared when full)


class SearchService:
    """Runs requests against one opened pipeline; reads products from the store."""

    def __init__(
        self,
        pipeline: SearchPipeline,
        products: ProductStore,
        rewriters: Sequence[RequestRewriter] = (),
        understand: Callable[[str], ParsedQuery] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.products = products
        self.rewriters = list(rewriters)
        self.understand = understand
        self._shown: dict[str, Product] = {}
        self._facets: FacetTable | None = None

    @property
    def table_size(self) -> int:
        return len(self.pipeline.index.table)

    def search(self, request: SearchRequest) -> SearchResult:
        t0 = time.perf_counter()
        for rewrite in self.rewriters:
            request = rewrite(request)
        parsed = None
        if request.understand and self.understand is not None:
            parsed = self.understand(request.query)
            request = replace(
                request, query=parsed.corrected, filters=filters_from_parse(parsed, request.filters)
            )
        pool = max(DEFAULT_POOL, request.page * request.size)
        ranked = self.pipeline.run(
            request.query, request.mode, request.filters, pool, features=request.explain
        )
        if parsed is not None and request.sort == "relevance":
            table = self.pipeline.index.table
            ranked = boost_by_parse(
                ranked, parsed, table.categories, table.attributes, table.brands
            )
        order = self._order(ranked, request.sort)
        start = (request.page - 1) * request.size
        page = order[start : start + request.size]
        table = self.pipeline.index.table
        found = self._products([table.ids[int(ranked.rows[i])] for i in page])
        hits = []
        for n, i in enumerate(page, start=start + 1):
            product = found.get(table.ids[int(ranked.rows[i])])
            if product is None:  # deleted since the index was opened
                continue
            why = explain_hit(product, ranked, int(i)) if request.explain else None
            hits.append(Hit(n, round(float(ranked.scores[i]), 6), product, why))
        return SearchResult(
            query=request.query,
            mode=request.mode,
            sort=request.sort,
            total=len(order),
            page=request.page,
            size=request.size,
            hits=hits,
            facets=self._facet_table().counts(ranked.rows[order].tolist()),
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
            parsed=parsed,
        )

    def _facet_table(self) -> FacetTable:
        """What facets count, per product of this index, read on first use."""
        if self._facets is None:
            self._facets = FacetTable(self.pipeline.index.table)
        return self._facets

    def prime(self, request: SearchRequest, waiting: Sequence[SearchRequest]) -> None:
        """When ``request`` needs its query encoded, encode the queries of the requests
        ``waiting`` for their turn in the same batch (:meth:`SearchPipeline.prime`): they
        are then searched without encoding, and the next batch gathers those that came
        meanwhile. Only queries the pipeline encodes as asked (no rewriting, no parse)."""
        if self.rewriters or not _encodes(request) or self.pipeline.has_vector(request.query):
            return
        self.pipeline.prime([request.query, *(r.query for r in waiting if _encodes(r))])

    def _products(self, ids: list[str]) -> dict[str, Product]:
        """Products of a page of hits, read from the store once per opened index.

        A hit shows the product as stored when this index generation first showed it:
        the service is replaced when the catalogue changes (``Services.refresh_search``),
        which empties this cache, so the freshness bound of search holds for hits too.
        """
        shown = self._shown
        missing = [i for i in ids if i not in shown]
        if missing:
            fresh = self.products.get_many(missing)
            if len(shown) + len(fresh) > SHOWN_CACHE:
                shown.clear()
            shown.update(fresh)
        return {i: p for i in ids if (p := shown.get(i)) is not None}

    def forget(self, ids: Sequence[str]) -> None:
        """Drop these products' stored copies (written or deleted since they were read)."""
        for product_id in ids:
            self._shown.pop(product_id, None)

    def warm(self) -> None:
        """Fill the per-product term cache, read the products hits show (when they fit
        ``SHOWN_CACHE``) and run one search of each kind, so the first requests a server
        answers are as fast as the rest."""
        terms = self.pipeline.terms
        for row in range(self.table_size):
            terms.get(row)
        if self.table_size <= SHOWN_CACHE:
            self._shown.update((p.id, p) for p in self.products.iter_all())
        self._facet_table()
        for mode in ("bm25", "hybrid"):
            self.pipeline.run("warm up", mode)

    def _result_set(self, ranked: Ranked) -> list[int]:
        """Every lexical candidate and the first ``DENSE_ONLY_MAX`` semantic-only ones."""
        if ranked.mode == "dense":
            return list(range(len(ranked.rows)))
        semantic_only = np.cumsum(~ranked.lexical)
        keep = ranked.lexical | (semantic_only <= DENSE_ONLY_MAX)
        return [int(i) for i in np.flatnonzero(keep)]

    def _order(self, ranked: Ranked, sort: str) -> list[int]:
        keep = self._result_set(ranked)
        if sort == "relevance":
            return keep
        table = self.pipeline.index.table
        rows = ranked.rows[keep]
        if sort == "newest":
            values, sign = table.updated[rows], -1.0
        else:
            values, sign = table.prices[rows], (1.0 if sort == "price_asc" else -1.0)
        key = [
            (math.isnan(v), 0.0 if math.isnan(v) else sign * v, i)
            for i, v in zip(keep, values, strict=True)
        ]
        return [k[2] for k in sorted(key)]


#: Filters applied from a parse only at or above these confidences.
ATTRIBUTE_CONFIDENCE = 0.8
CATEGORY_PROBABILITY = 0.9


def filters_from_parse(parsed: ParsedQuery, given: SearchFilters) -> SearchFilters:
    """The shopper's own filters, plus the parse's confident ones where they set none: the
    price bounds (the tightest of each side), and the intent's category when the model is at least
    ``CATEGORY_PROBABILITY`` sure. Brand, colour and gender rank instead
    (:func:`boost_by_parse`): measured on Walmart→Amazon known-item search, a brand filter
    from the parse cost 0.033 MRR@10, because the same product is filed under a variant
    (``Mace`` / ``Mace Security``), a parent or a licensee (``Trendware`` for TRENDnet,
    ``Dane-Elec`` for Duracell) in another shop's records."""
    prices = [f for f in parsed.confident_filters(ATTRIBUTE_CONFIDENCE) if f.field == "price"]
    out = given
    if prices and given.min_price is None and given.max_price is None:
        # every bound at once: "100元以上200元以下", "over $20 under $50"
        low = max((f.low for f in prices if f.low is not None), default=None)
        high = min((f.high for f in prices if f.high is not None), default=None)
        if low is not None and high is not None and low > high:  # "over 200 under 100"
            low, high = prices[0].low, prices[0].high  # the first one alone
        out = replace(out, min_price=low, max_price=high)
    intent = parsed.intent
    if (
        intent is not None
        and not intent.abstained
        and given.category is None
        and intent.probability >= CATEGORY_PROBABILITY
    ):
        out = replace(out, category=intent.category)
    return out


#: Weights of the parse's ranking signals, added to a candidate's score rescaled to [0, 1]
#: within the pool: ``INTENT_WEIGHT × P(category)`` for a candidate under one of the
#: intent's guesses, ``ATTRIBUTE_WEIGHT`` for each confident colour / gender it carries,
#: ``BRAND_WEIGHT`` when its brand is one the query names.
INTENT_WEIGHT = 0.5
ATTRIBUTE_WEIGHT = 0.25
BRAND_WEIGHT = 0.5  # measured: 0.25 and 0.5 gave the same Walmart→Amazon MRR@10 (0.840)
SOFT_FIELDS = ("colour", "gender")
_NOT_ALNUM = re.compile(r"[\W_]+")


def _brand_key(brand: str) -> str:
    """A brand squashed to letters and digits: ``I.R.I.S.`` is ``Iris``, ``Post-it`` ``POST IT``.
    (Not ``catalog.matching.records.squash``: that keeps ASCII only, and would make every
    Chinese brand name the empty string.)"""
    return _NOT_ALNUM.sub("", brand.casefold())


def boost_by_parse(
    ranked: Ranked,
    parsed: ParsedQuery,
    categories: Sequence[tuple[str, ...]],
    attributes: Sequence[Mapping[str, str]],
    brands: Sequence[str | None] = (),
) -> Ranked:
    """Re-rank by what the parse says the shopper wants: the intent's category (unless it
    abstained), the confident brands and the confident colour / gender (ranking signals, not
    filters: a catalogue may not record them, another shop's records may file the product
    under another brand, and a near miss in colour still beats another kind of product).
    Candidates carrying none of them keep their order."""
    feature = np.zeros(len(ranked.rows))
    intent = parsed.intent
    guesses = []
    if intent is not None and not intent.abstained:
        guesses = [
            (SearchFilters(category=g.category).category_prefix, g.probability) for g in intent.top
        ]
    confident = parsed.confident_filters(ATTRIBUTE_CONFIDENCE)
    wanted = [attribute_pair(f.field, f.value) for f in confident if f.field in SOFT_FIELDS]
    named = {_brand_key(f.value) for f in confident if f.field == "brand"}
    for i, row in enumerate(ranked.rows):
        have = set(category_prefixes(categories[int(row)]))
        feature[i] = INTENT_WEIGHT * max((p for c, p in guesses if c in have), default=0.0)
        pairs = {attribute_pair(k, v) for k, v in attributes[int(row)].items()}
        feature[i] += ATTRIBUTE_WEIGHT * sum(w in pairs for w in wanted)
        brand = brands[int(row)] if named and brands else None
        feature[i] += BRAND_WEIGHT * (brand is not None and _brand_key(brand) in named)
    if not feature.any():
        return ranked
    scores = np.asarray(ranked.scores, dtype=np.float64)
    span = float(scores.max() - scores.min()) or 1.0
    final = (scores - scores.min()) / span + feature
    order = np.argsort(-final, kind="stable")
    return replace(
        ranked,
        rows=ranked.rows[order],
        scores=final[order],
        features=_reorder(ranked.features, order),
        contributions=_reorder(ranked.contributions, order),
        lexical=ranked.lexical[order],
    )


def _reorder(matrix: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Rows of ``matrix`` in ``order`` (a matrix not computed for this run stays as is)."""
    return matrix[order] if len(matrix) == len(order) else matrix


def ranked_ids(service: SearchService, query: str, mode: str, k: int) -> list[str]:
    """Top ``k`` product ids of ``query`` in ``mode`` (what evaluation scores)."""
    ranked = service.pipeline.run(query, mode, None, max(k, DEFAULT_POOL))
    table = service.pipeline.index.table
    return [table.ids[int(r)] for r in np.asarray(ranked.rows)[:k]]
