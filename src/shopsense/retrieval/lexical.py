"""Lexical retrieval: BM25 with per-field weights over tantivy (the only tantivy importer).

Every text field is indexed pre-tokenized by ``shopsense.text.tokenize.tokenize``
(terms joined by spaces, indexed with tantivy's whitespace tokenizer), and queries
are built from the same tokenizer's terms, so index and query share one tokenizer.
Scores are tantivy's BM25 (k1=1.2, b=0.75, Lucene idf ``ln(1 + (N-n+0.5)/(n+0.5))``,
lengths quantised to one byte as in Lucene), summed over fields times each field's
weight. Filters are MUST clauses with zero score, evaluated inside the index.

Updates are incremental: ``upsert`` deletes a product's old document by key and
adds the new one; ``delete`` removes by key; both are searchable after ``commit``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from shopsense.retrieval.documents import TEXT_FIELDS, FieldWeights, IndexDoc
from shopsense.retrieval.expansion import QueryTerm
from shopsense.retrieval.filters import SearchFilters

try:
    import tantivy
except ImportError as exc:  # pragma: no cover - install hint
    raise ImportError("lexical search needs `pip install 'tantivy>=0.25,<0.28'`") from exc

_HEAP = 64_000_000
PASSING_CACHE = 32  # filters whose passing keys are kept (44k products: 350 KB each)
POSTINGS_CACHE = 5_000_000  # cached (key, score) entries: ~60 MB; emptied when passed


class Postings(NamedTuple):
    """Documents one term matches in one field: keys ascending, boosted scores."""

    keys: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]


class LexicalHits(NamedTuple):
    """Index keys and their weighted BM25 scores, best first."""

    keys: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]


#: bump when the schema or what ``_document`` stores changes: stored indexes are rebuilt
SCHEMA_VERSION = 2  # 2: f_currency


def _schema() -> Any:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("key", stored=False, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    for name in ("f_brand", "f_category", "f_attr", "f_availability", "f_currency"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    sb.add_float_field("price", indexed=True, fast=True)
    sb.add_float_field("updated", indexed=False, fast=True)
    return sb.build()


def _document(doc: IndexDoc) -> Any:
    d = tantivy.Document()
    d.add_unsigned("key", doc.key)
    for name in TEXT_FIELDS:
        if doc.terms[name]:
            d.add_text(name, " ".join(doc.terms[name]))
    if doc.brand:
        d.add_text("f_brand", doc.brand)
    for prefix in doc.category_prefixes:
        d.add_text("f_category", prefix)
    for pair in doc.attribute_pairs:
        d.add_text("f_attr", pair)
    d.add_text("f_availability", doc.availability)
    if doc.currency:
        d.add_text("f_currency", doc.currency)
    if doc.price is not None:
        d.add_float("price", doc.price)
    if doc.updated_at is not None:
        d.add_float("updated", doc.updated_at)
    return d


class LexicalIndex:
    """A tantivy index on disk (or in memory when ``path`` is None)."""

    def __init__(self, path: Path | None = None, weights: FieldWeights | None = None) -> None:
        self.weights = weights or FieldWeights()
        self._schema = _schema()
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self._schema, path=str(path), reuse=True)
        else:
            self._index = tantivy.Index(self._schema)
        self._writer: Any = None
        self._searcher: Any = self._index.searcher()
        self._known: dict[str, bool] = {}
        self._idf: dict[str, float] = {}
        self._df: dict[str, int] = {}
        self._postings: dict[tuple[str, str, int, bool, float], Postings] = {}
        self._held = 0
        self._passing: dict[SearchFilters, npt.NDArray[np.int64]] = {}

    # -- writes -------------------------------------------------------------
    def _w(self) -> Any:
        if self._writer is None:
            self._writer = self._index.writer(heap_size=_HEAP, num_threads=1)
        return self._writer

    def _delete_key(self, key: int) -> None:
        self._w().delete_documents_by_query(tantivy.Query.term_query(self._schema, "key", key))

    def upsert(self, docs: Iterable[IndexDoc], *, replace: bool = True) -> int:
        """Add documents, replacing earlier versions with the same key (call ``commit``)."""
        n = 0
        for doc in docs:
            if replace:
                self._delete_key(doc.key)
            self._w().add_document(_document(doc))
            n += 1
        return n

    def delete(self, keys: Iterable[int]) -> int:
        n = 0
        for key in keys:
            self._delete_key(key)
            n += 1
        return n

    def clear(self) -> None:
        self._w().delete_all_documents()

    def commit(self) -> None:
        """Make every write so far durable and searchable."""
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self._index.reload()
        self._searcher = self._index.searcher()
        self._known.clear()
        self._idf.clear()
        self._df.clear()
        self._postings.clear()
        self._held = 0
        self._passing.clear()

    # -- reads --------------------------------------------------------------
    @property
    def num_docs(self) -> int:
        return int(self._searcher.num_docs)

    def knows(self, term: str) -> bool:
        """Whether any text field of any document holds ``term``."""
        if term not in self._known:
            self._known[term] = any(self.doc_freq(term, f) > 0 for f in TEXT_FIELDS)
        return self._known[term]

    def idf(self, term: str, field: str = "title") -> float:
        """BM25 idf of ``term`` in ``field``, ``ln(1 + (N - n + 0.5) / (n + 0.5))`` (cached)."""
        key = f"{field}\0{term}"
        if key not in self._idf:
            n, total = self.doc_freq(term, field), self.num_docs
            self._idf[key] = math.log(1.0 + (total - n + 0.5) / (n + 0.5))
        return self._idf[key]

    def _term_query(self, field: str, term: QueryTerm) -> Any:
        if term.fuzzy or term.prefix:
            return tantivy.Query.fuzzy_term_query(
                self._schema, field, term.text, term.fuzzy, True, term.prefix
            )
        return tantivy.Query.term_query(self._schema, field, term.text)

    def _text_clauses(self, terms: Sequence[QueryTerm], fields: Sequence[str]) -> list[Any]:
        should = tantivy.Occur.Should
        clauses = []
        for name in fields:
            w = self.weights.of(name)
            for t in terms:
                boost = w * t.weight
                if boost > 0:
                    q = tantivy.Query.boost_query(self._term_query(name, t), boost)
                    clauses.append((should, q))
        return clauses

    def _filter_clauses(self, filters: SearchFilters | None) -> list[Any]:
        if filters is None or filters.empty:
            return []
        s, must, zero = self._schema, tantivy.Occur.Must, tantivy.Query.const_score_query
        qs: list[Any] = []
        if filters.brands:
            qs.append(tantivy.Query.term_set_query(s, "f_brand", list(filters.brand_terms)))
        if filters.category_prefix:
            qs.append(tantivy.Query.term_query(s, "f_category", filters.category_prefix))
        if filters.min_price is not None or filters.max_price is not None:
            qs.append(
                tantivy.Query.range_query(
                    s, "price", tantivy.FieldType.Float, filters.min_price, filters.max_price
                )
            )
        if filters.in_stock:
            qs.append(tantivy.Query.term_query(s, "f_availability", "in_stock"))
        if filters.currency_term:
            qs.append(tantivy.Query.term_query(s, "f_currency", filters.currency_term))
        qs.extend(
            tantivy.Query.term_set_query(s, "f_attr", list(g)) for g in filters.attribute_terms
        )
        out = [(must, zero(q, 0.0)) for q in qs]
        if filters.exclude_brands:
            excluded = tantivy.Query.term_set_query(
                s, "f_brand", list(filters.excluded_brand_terms)
            )
            out.append((tantivy.Occur.MustNot, excluded))
        return out

    def _run(self, clauses: list[Any], filters: list[Any], k: int) -> LexicalHits:
        if clauses:
            text_q = tantivy.Query.boolean_query(clauses)
        else:
            text_q = tantivy.Query.const_score_query(tantivy.Query.all_query(), 0.0)
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, text_q), *filters])
        hits = self._searcher.search(query, k, count=False).hits
        if not hits:
            return LexicalHits(np.empty(0, np.int64), np.empty(0, np.float64))
        scores, addresses = zip(*hits, strict=True)
        keys = self._searcher.fast_field_values("key", list(addresses))
        return LexicalHits(np.asarray(keys, dtype=np.int64), np.asarray(scores, dtype=np.float64))

    def search(
        self,
        terms: Sequence[QueryTerm],
        k: int,
        filters: SearchFilters | None = None,
        fields: Sequence[str] = TEXT_FIELDS,
    ) -> LexicalHits:
        """Top ``k`` documents by weighted BM25 among those passing ``filters``.

        With no terms, every document passing the filters matches with score 0.
        """
        return self._run(self._text_clauses(terms, fields), self._filter_clauses(filters), k)

    def matching(
        self, terms: Sequence[QueryTerm], filters: SearchFilters | None = None
    ) -> npt.NDArray[np.int64]:
        """Keys of every live document ``search`` finds for ``terms`` under ``filters``,
        however many, ascending: the union of its clauses' postings (cached, and read by
        ``field_scores`` for the same search anyway), cut to the filter's passing keys.
        With no clause of any weight, every document passing the filters (as ``search``)."""
        parts = [
            self.postings(name, t, self.weights.of(name) * t.weight).keys
            for name in TEXT_FIELDS
            for t in terms
            if self.weights.of(name) * t.weight > 0
        ]
        if not parts:
            return self.passing(filters or SearchFilters())
        keys = np.unique(np.concatenate(parts))
        if filters is None or filters.empty:
            return keys
        return np.intersect1d(keys, self.passing(filters), assume_unique=True)

    def passing(self, filters: SearchFilters) -> npt.NDArray[np.int64]:
        """Keys of every live document passing ``filters``, ascending; cached per filter
        until the next commit (the last ``PASSING_CACHE`` filters): a shopper's filter
        stays on for several queries, and a broad one passes half the catalogue."""
        found = self._passing.get(filters)
        if found is None:
            found = np.sort(self.search([], max(self.num_docs, 1), filters).keys)
            if len(self._passing) >= PASSING_CACHE:
                self._passing.pop(next(iter(self._passing)), None)
            self._passing[filters] = found
        return found

    def doc_freq(self, term: str, field: str) -> int:
        """Documents whose ``field`` holds ``term`` (cached until the next commit)."""
        key = f"{field}\0{term}"
        if key not in self._df:
            self._df[key] = int(self._searcher.doc_freq(field, term))
        return self._df[key]

    def postings(self, field: str, term: QueryTerm, boost: float) -> Postings:
        """Every live document ``term`` matches in ``field``, keys ascending, with the
        term's BM25 there times ``boost`` (a fuzzy term's constant score times it), as
        tantivy scores the clause; cached per term, field and boost until the next
        commit (bounded by ``POSTINGS_CACHE`` entries)."""
        key = (field, term.text, term.fuzzy, term.prefix, boost)
        hit = self._postings.get(key)
        if hit is not None:
            return hit
        n = self.num_docs if term.fuzzy or term.prefix else self.doc_freq(term.text, field)
        query = tantivy.Query.boost_query(self._term_query(field, term), boost)
        hits = self._searcher.search(query, max(n, 1), count=False).hits
        keys = np.asarray(
            self._searcher.fast_field_values("key", [a for _, a in hits]) if hits else [],
            dtype=np.int64,
        )
        scores = np.asarray([sc for sc, _ in hits], dtype=np.float32)
        order = np.argsort(keys, kind="stable")
        out = Postings(keys[order], scores[order])
        self._held += len(keys)
        if self._held > POSTINGS_CACHE:
            self._postings.clear()
            self._held = len(keys)
        self._postings[key] = out
        return out

    def field_scores(
        self, terms: Sequence[QueryTerm], keys: Sequence[int] | npt.NDArray[np.int64]
    ) -> dict[str, npt.NDArray[np.float64]]:
        """Unweighted BM25 of each text field for the documents ``keys`` (0 where no match).

        The field's query is a sum of boosted term scores, so each document's score is
        summed here from the terms' cached postings (``postings``) in float32, in clause
        order, as tantivy sums them: the same numbers as one tantivy query per field
        restricted to ``keys`` (tests/test_lexical.py compares them bit for bit), without
        a query per search (2.7 → ~0.3 ms a cold search on Myntra; RESULTS.md #7).
        """
        out = {name: np.zeros(len(keys), dtype=np.float64) for name in TEXT_FIELDS}
        if not len(keys) or not terms:
            return out
        wanted = np.asarray(keys, dtype=np.int64)
        for name in TEXT_FIELDS:
            w = self.weights.of(name)
            if w <= 0:
                continue
            total = np.zeros(len(keys), dtype=np.float32)
            for t in terms:
                if w * t.weight <= 0:
                    continue
                found = self.postings(name, t, w * t.weight)
                if not len(found.keys):
                    continue
                at = np.minimum(np.searchsorted(found.keys, wanted), len(found.keys) - 1)
                hit = found.keys[at] == wanted
                total[hit] += found.scores[at[hit]]
            out[name] = total.astype(np.float64) / w
        return out
