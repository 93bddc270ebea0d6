"""The search service: query → filtered, ranked, paged hits with facets and explanations.

Limits (``InputError`` beyond them): query ≤ 512 characters, page size ≤ 100,
results reachable by paging ≤ ``MAX_RESULTS``. ``total`` and the facets count the
filtered result set, the same on every page (:mod:`shopsense.app.search_pages`):
every product passing the filters that holds a word of the query, however many, plus
the products only the semantic index found among its best ``DEFAULT_POOL`` whose
cosine with the query is at least ``DENSE_FLOOR`` (weak semantic neighbours do not
flood facets and nonsense, ``asdfghjkl`` at cosine ≤ 0.12 on the demo, finds nothing).
The first results are the ranker's order over its ``DEFAULT_POOL`` candidates of each
retriever, whatever the page; the pages past them come from a deeper run, without
the products already listed. Sorted by price or date, the whole result set is in that
order (its best ``MAX_RESULTS`` when it holds more).
An empty query browses every product passing the filters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from typing import Protocol

import numpy as np
import numpy.typing as npt

from shopsense.app.search_pages import (
    MAX_RESULTS,
    SORTED_BY,
    Rows,
    listed,
    paging_notices,
    result_set,
    script_currencies,
    sort_order,
    tail,
)
from shopsense.app.search_parse import (
    ATTRIBUTE_CONFIDENCE,
    CATEGORY_PROBABILITY,
    WORD_SORT_CATEGORY_PROBABILITY,
    ParseBoosts,
    ParseUse,
    apply_parse,
    brand_and_kind,
    catalogue_kinds,
    category_names,
    item_words,
    name_category,
    parse_sort,
    rerank,
    widen_category,
)
from shopsense.catalog.schema import CATEGORY_SEP, Product
from shopsense.catalog.store import ProductStore, Stored
from shopsense.core.errors import InputError
from shopsense.query.attributes import brand_aliases
from shopsense.query.lexicon import norm
from shopsense.query.types import ParsedQuery
from shopsense.query.understanding import remainder
from shopsense.ranking.features import FEATURES
from shopsense.ranking.pipeline import (
    DEFAULT_POOL,
    MAX_QUERY_CHARS,
    Ranked,
    SearchPipeline,
    check_mode,
)
from shopsense.retrieval.doctable import DocTable
from shopsense.retrieval.documents import (
    TEXT_FIELDS,
    category_prefix_set,
    category_prefixes,
    to_index_doc,
)
from shopsense.retrieval.expansion import QueryTerm, query_terms
from shopsense.retrieval.facets import Facets, FacetTable
from shopsense.retrieval.filters import SearchFilters
from shopsense.text.normalize import has_cjk, has_terms, normalize
from shopsense.text.pictographs import read_pictographs
from shopsense.text.singular import search_terms
from shopsense.text.tokenize import tokenize

SORTS = ("relevance", "price_asc", "price_desc", "newest")
MAX_PAGE_SIZE = 100
EXACT_PROBE = 50  # lexical matches read for products a parsed category filter would hide


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
    contributions: dict[str, float]  # feature → what it adds to the ranker's score
    features: dict[str, float]
    notes: list[str]
    baseline: float = 0.0  # score = baseline + Σ contributions (a learned model's expected value)
    #: what the query's parse added to the score, by reason (``brand Nike``: 0.5); when it
    #: added anything to any hit, scores are the ranker's rescaled to [0, 1] plus these
    parse: dict[str, float] = field(default_factory=dict)


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
    #: how the search used each part of ``parsed``: filter, rank, query text or not at all
    understood: tuple[ParseUse, ...] = ()
    #: what the search did to the query as typed (``read 👟 as "athletic shoe"``)
    notices: tuple[str, ...] = ()


def _encodes(request: SearchRequest) -> bool:
    """Whether the pipeline encodes ``request.query`` as asked."""
    q = request.query
    return (
        request.mode != "bm25"
        and not request.understand
        and has_terms(q)
        and read_pictographs(q)[0] == q
    )


def _read_symbols(request: SearchRequest) -> tuple[SearchRequest, list[str]]:
    """The request with its query's pictographs read as words (cut to the query length
    limit at a word: 200 ``👟`` are within it, 200 ``athletic shoe`` are not), and what
    was read."""
    text, readings = read_pictographs(request.query)
    if len(text) > MAX_QUERY_CHARS:
        text = text[: MAX_QUERY_CHARS + 1].rsplit(" ", 1)[0]
    notices = [
        f"read {r.symbol} as “{r.words}”"
        if r.words
        else f"ignored {r.symbol}: it pictures no product"
        for r in readings
    ]
    return (replace(request, query=text) if readings else request), notices


def _notes(terms: list[QueryTerm], have: set[str], lexical: bool) -> list[str]:
    """How the query's words were widened, as far as it concerns one hit: a synonym or a
    joined word only when the hit holds it (``have``: its indexed terms), a typo-tolerant
    or short-typed word only when the hit was found by its words (``lexical``)."""
    out = []
    for t in terms:
        if (t.source in ("synonym", "joined") and t.text not in have) or (
            t.source in ("fuzzy", "prefix") and not lexical
        ):
            continue
        if t.source == "fuzzy":
            out.append(f"typo-tolerant: {t.shown!r} within edit distance {t.fuzzy}")
        elif t.source == "synonym":
            out.append(f"synonym added: {t.text!r}")
        elif t.source == "prefix":
            out.append(f"model number typed short: {t.shown!r} as the start of longer ones")
        elif t.source == "joined":
            out.append(f"joined: {t.typed!r} also searched as {t.text!r}")
    return out


def explain_hit(product: Product, ranked: Ranked, i: int) -> Explanation:
    """Fields matched (exact query terms per field) and per-feature contributions."""
    doc = to_index_doc(0, product)
    exact = [t for t in ranked.terms if not t.fuzzy and not t.prefix]
    matched = {}
    held: set[str] = set()
    for name in TEXT_FIELDS:
        have = set(doc.terms[name])
        held |= have
        found = [t.shown for t in exact if t.text in have]
        if found:
            matched[name] = found
    row, baseline = ranked.explain(i)
    contrib = {f: round(float(c), 4) for f, c in zip(FEATURES, row, strict=True) if c}
    feats = {f: round(float(v), 4) for f, v in zip(FEATURES, ranked.features[i], strict=True)}
    notes = _notes(ranked.terms, held, bool(ranked.lexical[i]))
    if ranked.terms and not ranked.lexical[i]:  # the semantic index alone found it
        notes.insert(0, f"found by meaning, not by its words: cosine {feats['dense']:.2f}")
    return Explanation(ranked.ranker, matched, contrib, feats, notes, round(baseline, 4))


class RequestRewriter(Protocol):
    """Query understanding hook: turn a request into a better one before retrieval
    (e.g. ``"backpack under 50"`` → query ``"backpack"``, ``max_price=50``)."""

    def __call__(self, request: SearchRequest) -> SearchRequest: ...


#: The ranker named in the explanation of an empty query's hits, and what it says.
BROWSE = "browse"
#: why a product is listed in a sorted result set larger than the ranked head
_SORTED_NOTE = (
    "sorted by {}: every product holding a word of the query, in that order; its score is"
    " the BM25 of the words it holds"
)
#: why a product is listed when there is no query, by the sort asked for
BROWSE_NOTES = {
    "relevance": "no query: every product passing the filters, in stock first, by popularity,"
    " then quality score",
    "price_asc": "no query: every product passing the filters, by price, lowest first",
    "price_desc": "no query: every product passing the filters, by price, highest first",
    "newest": "no query: every product passing the filters, newest first",
}
SHOWN_CACHE = 50_000  # products kept for hit pages (≈ the 44k catalogue; cleared when full)


class SearchService:
    """Runs requests against one opened pipeline; reads products from the store."""

    def __init__(
        self,
        pipeline: SearchPipeline,
        products: ProductStore,
        rewriters: Sequence[RequestRewriter] = (),
        understand: Callable[[str], ParsedQuery] | None = None,
        ranker: str = "linear ranker",
    ) -> None:
        self.pipeline = pipeline
        #: what ``--mode ltr`` ranks with (see ``search_wiring.ranker_status``)
        self.ranker = ranker
        self.products = products
        self.rewriters = list(rewriters)
        self.understand = understand
        self._shown: dict[str, Stored] = {}  # products of hits, with their content hash
        self._facets: FacetTable | None = None
        self._category_prefixes: frozenset[str] | None = None
        self._names: dict[frozenset[str], str] | None = None
        self._currency_set: frozenset[str] | None = None
        self._sold: dict[str, str] | None = None
        self._brand_names: dict[str, tuple[str, ...]] | None = None
        self._brand_categories: dict[str, set[tuple[str, ...]]] | None = None
        self._kind_set: frozenset[str | None] | None = None
        self._gone: npt.NDArray[np.bool_] | None = None
        self._script_currency: dict[bool, str] | None = None

    @property
    def table_size(self) -> int:
        return len(self.pipeline.index.table)

    def search(self, request: SearchRequest) -> SearchResult:
        t0 = time.perf_counter()
        for rewrite in self.rewriters:
            request = rewrite(request)
        request = replace(request, filters=self._brand_spelling(request.filters))
        typed, own = request.query, request.filters
        request, notices = _read_symbols(request)
        if typed.strip() and not has_terms(request.query):
            # punctuation or symbols only: nothing to search for (an empty query browses)
            notices.append(f"nothing to search for in {typed!r}: it has no letter or digit")
            return self._nothing(replace(request, query=typed), notices, t0)
        if request.query.strip() and not tokenize(request.query):
            # "the", "for": words too common to index, so every product would "match"
            notices.append(f"nothing to search for in {typed!r}: only words too common to search")
            return self._nothing(replace(request, query=typed), notices, t0)
        parsed: ParsedQuery | None = None
        understood: tuple[ParseUse, ...] = ()
        if request.understand and self.understand is not None:
            parsed = self.understand(request.query)
            sort, sorted_by = parse_sort(parsed, request.sort)  # "cheapest": by price
            words_sort = sort != request.sort
            sure = WORD_SORT_CATEGORY_PROBABILITY if words_sort else CATEGORY_PROBABILITY
            if not tokenize(item_words(parsed)):
                # "women", "red": no item named, so no kind of product to keep to (the
                # model read dresses for "women" at p 0.95); its guess only ranks
                sure = float("inf")
            request = replace(request, sort=sort)
            filters, understood = apply_parse(
                parsed,
                request.filters,
                self._categories(),
                request.sort,
                self._currencies(),
                sure,
            )
            understood = (*understood, *sorted_by)
            chosen = request.filters.category
            words = item_words(parsed)
            filters, understood = name_category(
                filters, understood, words, self._category_names(), request.sort, chosen
            )
            if not _names_it(understood):
                # "nike shoes": the kind is named after the brand; it is the filter when
                # the brand's products spread over several of its categories (Nike's
                # running shoes and sneakers), not when they sit in one (apple watch)
                kind, brands = brand_and_kind(parsed)
                named = self._category_names().get(frozenset(search_terms(kind)))
                if brands and named and all(self._spreads(b, named) for b in brands):
                    filters, understood = name_category(
                        filters, understood, kind, self._category_names(), request.sort, chosen
                    )
            # the parse's category (the shopper chose none, or one above it) widens, but
            # not one the model is unsure of that filters only because the words sort
            # ("cheapest iphone": widened, it would let the cheaper cases back in)
            unsure = parsed.intent is None or parsed.intent.probability < CATEGORY_PROBABILITY
            widens = not (words_sort and unsure) and not _names_it(understood)
            if filters.category not in (None, chosen) and widens:
                outside, inside = self._exact_matches(words, filters)
                filters, understood = widen_category(filters, understood, outside, inside)
            searched = _searched(parsed, understood)  # "the cheapest": nothing left but "the"
            searched = searched if tokenize(searched) else ""
            request = replace(request, query=searched, filters=filters)
        if not tokenize(request.query):  # nothing left to search ("the cheapest"): browse
            ranked = self._browse(request.filters, request.mode, request.explain)
        else:
            ranked = self.pipeline.run(
                request.query, request.mode, request.filters, features=request.explain
            )
        ranked, boosts = self._boosted(ranked, parsed, request.sort)
        table = self.pipeline.index.table
        if request.mode == "ltr" and ranked.ranker == "linear":  # no usable learned model
            notices.append(f"ltr ranks with the {self.ranker}")
        first = self._first_currency(typed) if request.sort in SORTED_BY else None
        order, apart = sort_order(ranked, request.sort, table, first)
        meant = len(result_set(ranked)) - len(order) if request.sort in SORTED_BY else 0
        if meant > 0:
            notices.append(
                f"sorted by {SORTED_BY[request.sort]}, only the products holding the query's"
                f" words are listed: at least {meant} found by meaning alone are left out"
                " (they rank by relevance)"
            )
        if (own.min_price, own.max_price) != (None, None) and own.currency is None:
            several = sorted(self._currencies())
            if len(several) > 1:
                notices.append(
                    f"price bounds compare prices as written in every currency"
                    f" ({', '.join(several)}): choose a currency to keep to one"
                )
        # whether some product holds the words, filters aside: asked only when no result
        # holds them (an empty page, or results near in meaning only)
        unmatched = not order or (ranked.mode != "dense" and not ranked.lexical[order].any())
        words_match = self._words_match(ranked) if unmatched else True
        notices += _weak_result(request, ranked, order, understood, words_match, own)
        if not order:
            notices += self._unknown_filters(request.filters)
        results = self._results(request, ranked, order)
        deep = request.sort in SORTED_BY and len(results) > len(order)
        if deep:
            # sorted by price or date, the order is the whole result set's (its best
            # MAX_RESULTS), not the ranked head's then the rest's: the cheapest product
            # holding a word of the query comes first, whichever page it would rank on.
            # Nothing ranks them, so the words' BM25 is their score: no features (≈ 20
            # ms over 1000 Amazon candidates) unless an explanation asks for them
            ranked, boosts = self._by_words(request, len(results)), None
            order, apart = sort_order(ranked, request.sort, table, first)
        if apart:
            named = ", then ".join(apart)
            notices.append(f"prices are not converted: sorted within each currency ({named})")
        notices += paging_notices(request.sort, len(results), len(order))
        start = (request.page - 1) * request.size
        page = [(ranked, i, boosts) for i in order[start : start + request.size]]
        if not deep and start + request.size > len(order) and len(results) > len(order):
            page += self._tail(request, parsed, ranked.rows[order], results)[
                max(start - len(order), 0) : start + request.size - len(order)
            ]
        found = self._products([table.ids[int(r.rows[i])] for r, i, _ in page])
        hits = []
        for n, (run, i, lift) in enumerate(page, start=start + 1):
            product = found.get(table.ids[int(run.rows[i])])
            if product is None:  # deleted since the index was opened
                continue
            why = explain_hit(product, run, int(i)) if request.explain else None
            if why is not None and run.ranker == BROWSE:
                why = replace(why, notes=[*why.notes, BROWSE_NOTES[request.sort]])
            elif why is not None and deep:
                why = replace(why, notes=[*why.notes, _SORTED_NOTE.format(SORTED_BY[request.sort])])
            if why is not None and lift is not None:
                why = _with_parse(why, lift, table, int(run.rows[i]))
            hits.append(Hit(n, round(float(run.scores[i]), 6), product, why))
        return SearchResult(
            query=request.query,
            mode=request.mode,
            sort=request.sort,
            total=len(results),
            page=request.page,
            size=request.size,
            hits=hits,
            facets=self._facet_table().counts(results),
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
            parsed=parsed,
            understood=understood,
            notices=tuple(notices),
        )

    def _browse(self, filters: SearchFilters, mode: str, explain: bool) -> Ranked:
        """An empty query lists every product passing ``filters`` (the result set and
        ``total`` then hold them all, whatever the page), those out of stock last, by
        popularity, then quality score, then id: no text to rank by, and no candidate pool
        to cut it short. The feature rows (popularity, quality, price, out of stock) are
        filled only to be explained."""
        check_mode(mode)
        table = self.pipeline.index.table
        rows = table.rows(self.pipeline.index.lexical.passing(filters))
        quality = np.nan_to_num(table.quality[rows], nan=-1.0)
        if self._gone is None:  # out of stock, per row, read on first use
            self._gone = np.asarray([a == "out_of_stock" for a in table.availability], bool)
        gone = self._gone[rows]
        order = np.lexsort((rows, -quality, -table.popularity[rows], gone))
        rows = rows[order]
        features = np.zeros((len(rows) if explain else 0, len(FEATURES)))  # 0 rows: none
        if explain:
            features[:, FEATURES.index("popularity")] = np.log1p(table.popularity[rows])
            features[:, FEATURES.index("quality")] = quality[order]
            features[:, FEATURES.index("out_of_stock")] = gone[order]
            price = np.log1p(table.prices[rows])
            features[:, FEATURES.index("price")] = np.nan_to_num(price, nan=-1.0)
        return Ranked(
            mode=mode,
            ranker=BROWSE,
            terms=[],
            rows=rows,
            scores=table.popularity[rows].astype(np.float64),
            features=features,
            contributions=np.zeros((0, len(FEATURES))),
            lexical=np.ones(len(rows), dtype=bool),
        )

    def _boosted(
        self, ranked: Ranked, parsed: ParsedQuery | None, sort: str
    ) -> tuple[Ranked, ParseBoosts | None]:
        """``ranked`` reordered by what the query's parse lifts (by relevance only), and
        the boosts when they lifted anything."""
        if parsed is None or sort != "relevance":
            return ranked, None
        table = self.pipeline.index.table
        signals = ParseBoosts(parsed, self._categories(), self._currencies(), self._kinds())
        rest = None
        if ranked.ranker == BROWSE and len(ranked.rows) > DEFAULT_POOL:
            # a browse lists the whole catalogue: the parse re-ranks its head (the first
            # page's worth), not 44k products one by one
            ranked, rest = _cut(ranked, DEFAULT_POOL), ranked
        boosted = rerank(
            ranked,
            signals,
            table.categories,
            table.attributes,
            table.brands,
            table.prices,
            table.currencies,
        )
        if boosted is ranked:  # nothing lifted
            return (rest if rest is not None else ranked), None
        if rest is not None:
            boosted = _join(boosted, rest, DEFAULT_POOL)
        return boosted, signals

    def _results(self, request: SearchRequest, head: Ranked, order: list[int]) -> Rows:
        """The rows of the result set (:mod:`shopsense.app.search_pages`): the head's,
        then every other product passing the filters that holds a word of the query."""
        shown = head.rows[order]
        if head.ranker == BROWSE or request.mode == "dense":
            return shown
        index = self.pipeline.index
        matched = index.table.rows(index.lexical.matching(head.terms, request.filters))
        return listed(shown, matched, len(index.table))

    def _tail(
        self, request: SearchRequest, parsed: ParsedQuery | None, head: Rows, results: Rows
    ) -> list[tuple[Ranked, int, ParseBoosts | None]]:
        """The results past the head, in the order of a run over the best
        ``min(total, MAX_RESULTS)`` lexical candidates and the head's semantic ones."""
        deep, boosts = self._deep(request, parsed, len(results))
        order, _ = sort_order(deep, request.sort, self.pipeline.index.table)
        return [(deep, i, boosts) for i in tail(head, results, deep, order)]

    def _by_words(self, request: SearchRequest, total: int) -> Ranked:
        """The best ``min(total, MAX_RESULTS)`` products holding a word of the query,
        scored by the words' BM25 (a sorted result set's, :mod:`search_pages`)."""
        return self.pipeline.run(
            request.query, "bm25", request.filters, min(total, MAX_RESULTS), request.explain
        )

    def _deep(
        self, request: SearchRequest, parsed: ParsedQuery | None, total: int
    ) -> tuple[Ranked, ParseBoosts | None]:
        """A run over the best ``min(total, MAX_RESULTS)`` lexical candidates of a result
        set of ``total`` and the head's semantic ones, with the parse's lifts."""
        deep = self.pipeline.run(
            request.query,
            request.mode,
            request.filters,
            min(total, MAX_RESULTS),
            features=request.explain,
            semantic_pool=DEFAULT_POOL,
        )
        return self._boosted(deep, parsed, request.sort)

    def _nothing(self, request: SearchRequest, notices: list[str], t0: float) -> SearchResult:
        return SearchResult(
            query=request.query,
            mode=request.mode,
            sort=request.sort,
            total=0,
            page=request.page,
            size=request.size,
            hits=[],
            facets=self._facet_table().counts([]),
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
            notices=tuple(notices),
        )

    def _exact_matches(
        self, words: str, filters: SearchFilters
    ) -> tuple[list[tuple[tuple[str, ...], str]], int]:
        """Among the best ``EXACT_PROBE`` lexical matches of ``words`` under ``filters``
        but its category, those whose titles hold every term of ``words``: (category,
        title) of each outside ``filters.category``, and how many are inside it."""
        terms = query_terms(words)
        prefix = filters.category_prefix
        if not terms or prefix is None:
            return [], 0
        index = self.pipeline.index
        found = index.lexical.search(terms, EXACT_PROBE, replace(filters, category=None))
        outside, inside = [], 0
        for row in index.table.rows(found.keys).tolist():
            if not all(t.text in self.pipeline.terms.get(row).title for t in terms):
                continue
            category = index.table.categories[row]
            if prefix in category_prefixes(category):
                inside += 1
            else:
                outside.append((category, index.table.titles[row]))
        return outside, inside

    def _spreads(self, brand: str, category: str) -> bool:
        """Whether ``brand``'s products under ``category`` sit in more than one of its
        subcategories."""
        if self._brand_categories is None:  # each brand's categories, read on first use
            table = self.pipeline.index.table
            held: dict[str, set[tuple[str, ...]]] = {}
            for b, c in set(zip(table.brands, map(tuple, table.categories), strict=True)):
                if b:
                    held.setdefault(normalize(b), set()).add(c)
            self._brand_categories = held
        prefix = SearchFilters(category=category).category_prefix
        depth = len(category.split(CATEGORY_SEP))
        below = {
            c[: depth + 1]
            for c in self._brand_categories.get(normalize(brand), ())
            if prefix in category_prefixes(c)
        }
        return len(below) > 1

    def _kinds(self) -> frozenset[str | None]:
        """The kinds of product this catalogue's categories name (``ParseBoosts``)."""
        if self._kind_set is None:
            self._kind_set = catalogue_kinds(self._categories())
        return self._kind_set

    def _currencies(self) -> frozenset[str]:
        """Every currency this index's products are priced in, read on first use."""
        if self._currency_set is None:
            self._currency_set = frozenset(
                c for c in self.pipeline.index.table.currencies if c is not None
            )
        return self._currency_set

    def _first_currency(self, typed: str) -> str | None:
        """The currency whose prices a price sort lists first: the one most of the
        catalogue's titles written in the query's script are priced in (a Chinese query:
        those of the Chinese titles). A price the query names in a currency keeps the
        results to it, so it needs no order."""
        if self._script_currency is None:  # read on first use
            self._script_currency = script_currencies(self.pipeline.index.table)
        return self._script_currency.get(has_cjk(typed))

    def _sold_brands(self) -> dict[str, str]:
        """The catalogue's brands, by their normalised name, read on first use."""
        if self._sold is None:
            self._sold = {normalize(b): b for b in set(self.pipeline.index.table.brands) if b}
        return self._sold

    def _brand_spelling(self, filters: SearchFilters) -> SearchFilters:
        """The shopper's brand filter in the catalogue's spelling: ``耐克`` is Nike, ``levis``
        Levi's (:func:`brand_aliases`); a name no brand has stays as given."""
        if not filters.brands:
            return filters
        if self._brand_names is None:
            sold = set(self._sold_brands().values())
            spelled: dict[str, set[str]] = {}
            for a in brand_aliases(sold):
                spelled.setdefault(a.alias, set()).add(a.value)
            self._brand_names = {
                **{k: tuple(sorted(v)) for k, v in spelled.items()},
                **{norm(b): (b,) for b in sold},  # a brand sold as written stays itself
            }
        names = tuple(
            dict.fromkeys(n for b in filters.brands for n in self._brand_names.get(norm(b), (b,)))
        )
        return replace(filters, brands=names) if names != filters.brands else filters

    def _categories(self) -> frozenset[str]:
        """Every category prefix of this index's products, read on first use."""
        if self._category_prefixes is None:
            self._category_prefixes = category_prefix_set(self.pipeline.index.table.categories)
        return self._category_prefixes

    def _words_match(self, ranked: Ranked) -> bool:
        """Whether any product holds a word of ``ranked``'s query, whatever the filters."""
        if not ranked.terms:
            return False
        return len(self.pipeline.index.lexical.search(ranked.terms, 1).keys) > 0

    def _unknown_filters(self, filters: SearchFilters) -> list[str]:
        """What a shopper's filters name that no product of the catalogue has: a brand
        (``Nikee``: did you mean Nike?), a currency, an attribute key or value, a category
        path (``Dresses`` for *Apparel > Dresses*)."""
        table = self.pipeline.index.table
        out = []
        if filters.brands:
            sold = self._sold_brands()
            for brand in filters.brands:
                if normalize(brand) not in sold:
                    near = get_close_matches(normalize(brand), list(sold), n=3, cutoff=0.75)
                    hint = f"; did you mean {' or '.join(repr(sold[n]) for n in near)}?"
                    out.append(f"no brand {brand!r} in this catalogue{hint if near else ''}")
        held = self._currencies()
        if filters.currency is not None and held and filters.currency not in held:
            here = ", ".join(sorted(held))
            out.append(f"no product is priced in {filters.currency} (prices here: {here})")
        prefix = filters.category_prefix
        if prefix is not None and prefix not in self._categories():
            leaf = prefix.rsplit(CATEGORY_SEP, 1)[-1]
            paths = sorted(
                {
                    CATEGORY_SEP.join(c[: i + 1])
                    for c in set(table.categories)
                    for i in range(len(c))
                    if normalize(c[i]) == leaf
                }
            )
            hint = f"; did you mean {' or '.join(map(repr, paths[:3]))}?" if paths else ""
            out.append(f"no category {filters.category!r} in this catalogue{hint}")
        values: dict[str, set[str]] = {}
        for attrs in table.attributes if filters.attributes else ():
            for k, v in attrs.items():
                values.setdefault(normalize(k), set()).add(v)
        for key, value in filters.attributes:
            known = values.get(normalize(key))
            if known is None:
                keys = ", ".join(sorted(values)) or "none"
                out.append(f"no product has the attribute {key!r} (attributes: {keys})")
            elif normalize(value) not in {normalize(v) for v in known}:
                some = ", ".join(sorted(known)[:8])
                out.append(
                    f"no product has {key}={value} ({key}: {some}{', …' * (len(known) > 8)})"
                )
        return out

    def _category_names(self) -> dict[frozenset[str], str]:
        """Category node names → paths (:func:`category_names`), read on first use."""
        if self._names is None:
            self._names = category_names(self.pipeline.index.table.categories)
        return self._names

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
        which keeps only the copies whose content hash the new table still has
        (:meth:`carry`), so the freshness bound of search holds for hits too.
        """
        shown = self._shown
        missing = [i for i in ids if i not in shown]
        if missing:
            fresh = self.products.stored_many(missing)
            if len(shown) + len(fresh) > SHOWN_CACHE:
                shown.clear()
            shown.update(fresh)
        return {i: s.product for i in ids if (s := shown.get(i)) is not None}

    def forget(self, ids: Sequence[str]) -> None:
        """Drop these products' stored copies (written or deleted since they were read)."""
        for product_id in ids:
            self._shown.pop(product_id, None)

    def carry(self, old: SearchService) -> None:
        """Take over what ``old``, the service of an earlier table of the same store,
        computed for the products unchanged since (same id, same content hash): their
        terms and their stored copies. A catalogue change then costs in proportion to
        the products it touched, not to the catalogue."""
        self.pipeline.terms.carry(old.pipeline.terms)
        table = self.pipeline.index.table
        now = dict(zip(table.ids, table.hashes, strict=True))
        kept = dict(old._shown)  # one C-level copy: the old service may still be adding
        self._shown.update((i, s) for i, s in kept.items() if now.get(i) == s.content_hash)

    def warm(self) -> None:
        """Fill the per-product term cache, read the products hits show (when they fit
        ``SHOWN_CACHE``) and run one search of each kind, so the first requests a server
        answers are as fast as the rest."""
        terms = self.pipeline.terms
        for row in range(self.table_size):
            terms.get(row)
        if self.table_size <= SHOWN_CACHE:
            missing = [i for i in self.pipeline.index.table.ids if i not in self._shown]
            if len(missing) > len(self._shown):  # most of them: one pass over the store
                fresh = ((s.product.id, s) for s in self.products.iter_stored())
                self._shown.update((i, s) for i, s in fresh if i not in self._shown)
            else:
                self._shown.update(self.products.stored_many(missing))
        self._facet_table()
        for mode in ("bm25", "hybrid"):
            self.pipeline.run("warm up", mode)


def _cut(ranked: Ranked, n: int) -> Ranked:
    """The first ``n`` of ``ranked`` (a matrix not computed for this run stays as is)."""

    def head(m: np.ndarray) -> np.ndarray:
        return m[:n] if len(m) == len(ranked.rows) else m

    return replace(
        ranked,
        rows=ranked.rows[:n],
        scores=ranked.scores[:n],
        features=head(ranked.features),
        contributions=head(ranked.contributions),
        lexical=ranked.lexical[:n],
    )


def _join(head: Ranked, whole: Ranked, n: int) -> Ranked:
    """``head`` (the first ``n`` of ``whole``, re-ranked) followed by the rest of ``whole``;
    the rest's scores sit below the head's."""

    def both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.concatenate([a, b[n:]]) if len(b) == len(whole.rows) else a

    below = float(head.scores.min()) - 1.0 if len(head.scores) else 0.0
    return replace(
        head,
        rows=np.concatenate([head.rows, whole.rows[n:]]),
        scores=np.concatenate([head.scores, np.full(len(whole.rows) - n, below)]),
        features=both(head.features, whole.features),
        contributions=both(head.contributions, whole.contributions),
        lexical=np.concatenate([head.lexical, whole.lexical[n:]]),
    )


def _searched(parsed: ParsedQuery, uses: Sequence[ParseUse]) -> str:
    """The words searched for: the corrected query without the price phrases that became
    the price filter or rank as a guess (``under $50``, ``50 bucks`` would match ``SPF
    50``), nor what it says not to show (``without nike``); a query that was only a price
    (``300元以下``) then browses under it."""
    applied = {u.text for u in uses if u.field == "price" and u.use in ("filter", "rank")}
    prices = [f for f in parsed.filters if f.field == "price" and f.text in applied]
    # "without nike", "not red": the words of what the shopper does not want; "cheapest"
    # asks for an order, not a word of the product (whichever sort applies)
    sure = [f for f in parsed.filters if f.confidence >= ATTRIBUTE_CONFIDENCE]
    left = [*prices, *(f for f in sure if f.negated or f.field == "sort")]
    return remainder(parsed.corrected, left, {f.field for f in left}) if left else parsed.corrected


def _names_it(uses: Sequence[ParseUse]) -> bool:
    """Whether the category filter is the one the query names (:func:`name_category`)."""
    return any(u.field == "category" and u.text for u in uses)


def _weak_result(
    request: SearchRequest,
    ranked: Ranked,
    order: list[int],
    understood: Sequence[ParseUse],
    words_match: bool,
    own: SearchFilters,
) -> list[str]:
    """What a shopper should know about a result that is empty, or that no product's
    words match (the products near in meaning only). ``words_match``: some product
    holds a word of the query, filters aside; ``own``: the shopper's own filters."""
    query = request.query
    browsing = not query.strip() or ranked.ranker == BROWSE
    if order and browsing:
        return []
    if not order and not browsing and not words_match:
        return [f"no product matches {query!r}, by its words or near enough in meaning"]
    if not order:
        parsed = [u.text or u.value for u in understood if u.use == "filter"]
        if parsed:
            said = ", ".join(repr(t) for t in parsed)
            if not own.empty:
                return [f"nothing passes your filters together with those read from the "
                        f"query ({said})"]  # fmt: skip
            return [f"nothing passes the filters read from the query ({said}); "
                    "search for the words as typed to leave them out"]  # fmt: skip
        if request.filters.empty:
            return []
        words = "" if browsing else f" that matches {query!r}"
        return [f"no product{words} passes the filters"]
    if ranked.mode != "dense" and not ranked.lexical[order].any():
        if words_match and not request.filters.empty:  # the filters leave them out
            return [f"no product with the words of {query!r} passes the filters: "
                    "these pass them and are the closest in meaning"]  # fmt: skip
        return [f"no product has the words of {query!r}: these are the closest in meaning"]
    return []


def _with_parse(why: Explanation, boosts: ParseBoosts, table: DocTable, row: int) -> Explanation:
    """``why`` with what the parse added to the hit of index row ``row``."""
    brand = table.brands[row] if table.brands else None
    currency = table.currencies[row] if table.currencies else None
    of = boosts.of(
        table.categories[row], table.attributes[row], brand, float(table.prices[row]), currency
    )
    gained = {k: round(v, 4) for k, v in of.items()}
    note = "score: the ranker's, rescaled to 0–1 over the candidates, plus the parse's boosts"
    return replace(why, parse=gained, notes=[*why.notes, note])


def ranked_ids(service: SearchService, query: str, mode: str, k: int) -> list[str]:
    """Top ``k`` product ids of ``query`` in ``mode`` (what evaluation scores)."""
    ranked = service.pipeline.run(query, mode, None, max(k, DEFAULT_POOL))
    table = service.pipeline.index.table
    return [table.ids[int(r)] for r in np.asarray(ranked.rows)[:k]]
