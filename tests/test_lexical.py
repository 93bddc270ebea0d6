"""Lexical retrieval over tantivy, checked against bm25s on a small case."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from shopsense.retrieval import lexical
from shopsense.retrieval.documents import TEXT_FIELDS, FieldWeights, IndexDoc
from shopsense.retrieval.expansion import QueryTerm, SynonymConfig, Synonyms, query_terms
from shopsense.retrieval.filters import SearchFilters
from shopsense.retrieval.lexical import LexicalIndex
from shopsense.text.singular import search_terms

TITLES = [
    "Sony Turntable PS-LX350H belt drive",
    "Bose Acoustimass 5 speaker system",
    "Sony headphones MDR-7506 studio",
    "小米手机 红米 Note 12",
    "red dress 红色 连衣裙 summer",
    "running shoes nike air zoom running",
    "Sony television 55 inch",
]


def _doc(key: int, title: str, **kw: object) -> IndexDoc:
    terms = {f: [] for f in TEXT_FIELDS}
    terms["title"] = search_terms(title)
    return IndexDoc(
        key=key,
        terms=terms,
        brand=kw.get("brand"),  # type: ignore[arg-type]
        category_prefixes=kw.get("cats", ()),  # type: ignore[arg-type]
        attribute_pairs=(),
        availability=str(kw.get("avail", "in_stock")),
        price=kw.get("price", 10.0),  # type: ignore[arg-type]
        currency=kw.get("currency"),  # type: ignore[arg-type]
    )


@pytest.fixture
def title_index() -> LexicalIndex:
    idx = LexicalIndex(None, FieldWeights(1, 0, 0, 0, 0))
    idx.upsert([_doc(i, t) for i, t in enumerate(TITLES)], replace=False)
    idx.commit()
    return idx


@pytest.mark.parametrize(
    "query", ["sony ps lx350h", "小米 手机", "running shoes", "sony headphones", "red 连衣裙"]
)
def test_bm25_matches_bm25s_lucene_scores_and_ranking(
    title_index: LexicalIndex, query: str
) -> None:
    ref = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    ref.index([search_terms(t) for t in TITLES], show_progress=False)
    expected = ref.get_scores(search_terms(query))
    hits = title_index.search(query_terms(query, typo_tolerance=False), 10)
    got = np.zeros(len(TITLES))
    got[hits.keys] = hits.scores
    # tantivy keeps the (k1 + 1) numerator factor that bm25s' lucene variant drops
    assert np.allclose(got, 2.2 * expected, rtol=1e-4)
    assert list(hits.keys) == [
        int(i) for i in np.argsort(-expected, kind="stable") if expected[i] > 0
    ]


def test_model_number_spellings_meet(title_index: LexicalIndex) -> None:
    for q in ["PS-LX350H", "PSLX350H", "ps lx350h"]:
        assert title_index.search(query_terms(q), 1).keys[0] == 0
    # typed short, a model number is the start of the indexed one: "mdr75" of MDR-7506
    short = query_terms("mdr75", known=title_index.knows)
    assert [(t.text, t.source, t.prefix) for t in short] == [("mdr75", "prefix", True)]
    assert list(title_index.search(short, 5).keys) == [2]
    # a word of letters alone, or a known term, is no prefix
    assert not [t for t in query_terms("studio mdr7506", known=title_index.knows) if t.prefix]


def test_update_and_delete_are_searchable_after_commit(title_index: LexicalIndex) -> None:
    title_index.upsert([_doc(1, "Bose soundbar 700")])
    title_index.delete([3])
    title_index.commit()
    assert title_index.num_docs == len(TITLES) - 1
    assert list(title_index.search(query_terms("soundbar"), 5).keys) == [1]
    assert title_index.search(query_terms("acoustimass"), 5).keys.size == 0
    assert title_index.search(query_terms("小米"), 5).keys.size == 0


def test_typo_within_edit_distance_finds_the_word(title_index: LexicalIndex) -> None:
    terms = query_terms("sony hedphones", known=title_index.knows)
    # folded to "hedphone", with the edit budget of the word as typed (9 letters: 2)
    assert QueryTerm("hedphone", 0.6, 2, "fuzzy", "hedphones") in terms
    assert title_index.search(terms, 1).keys[0] == 2
    # short words and model numbers are never fuzzed
    assert all(not t.fuzzy for t in query_terms("shoe x350h", known=lambda _t: False))


def test_words_the_shopper_split_are_also_looked_up_joined(title_index: LexicalIndex) -> None:
    terms = query_terms("head phones studio", known=title_index.knows)
    assert QueryTerm("headphone", 1.0, 0, "joined", "head phones") in terms
    assert title_index.search(terms, 1).keys[0] == 2
    without = title_index.search(query_terms("head phones studio"), 1)  # nothing known: no join
    assert not any(t.source == "joined" for t in query_terms("head phones studio"))
    assert without.keys[0] == 2  # "studio" alone still finds it, with a lower score
    assert title_index.search(terms, 1).scores[0] > without.scores[0]
    # only what the index knows, only words of letters, never across a stopword the
    # tokenizer drops ("watch for men" is no "watchmen"): these add nothing
    everything = lambda _t: True  # noqa: E731
    assert not [t for t in query_terms("watch for men", known=everything) if t.source == "joined"]
    for q in ["nike air zoom", "sony ps lx350h", "belt drive"]:
        assert not [t for t in query_terms(q, known=title_index.knows) if t.source == "joined"]


def test_synonyms_expand_the_query(title_index: LexicalIndex) -> None:
    syn = Synonyms(
        SynonymConfig(groups=[["tv", "television"]], one_way={"trainers": ["running shoes"]})
    )
    assert list(title_index.search(query_terms("tv", synonyms=syn), 3).keys) == [6]
    assert list(title_index.search(query_terms("trainers", synonyms=syn), 3).keys) == [5]
    assert syn.expand(["running", "shoes"]) == []  # one way only
    # a word's synonyms share its synonym weight: four terms at 0.7 / 4, so a title with
    # three of them does not outweigh one with the word itself
    many = Synonyms(SynonymConfig(groups=[["headphones", "headset", "头戴式耳机"]]))
    added = [(t.text, t.weight) for t in query_terms("sony headphones", synonyms=many)[2:]]
    assert added == [("headset", 0.175), ("头戴", 0.175), ("头戴式", 0.175), ("耳机", 0.175)]
    # a synonym no product holds is left out, and the others share the weight
    held = query_terms("sony headphones", synonyms=many, known=lambda t: t != "头戴式")
    assert [(t.text, t.weight) for t in held if t.source == "synonym"] == [
        ("headset", 0.7 / 3),
        ("头戴", 0.7 / 3),
        ("耳机", 0.7 / 3),
    ]


def test_filters_run_inside_the_index() -> None:
    idx = LexicalIndex(None)
    idx.upsert(
        [
            _doc(
                0,
                "sony headphones",
                brand="sony",
                cats=("audio", "audio > headphones"),
                price=99.0,
                currency="USD",
            ),
            _doc(
                1,
                "bose headphones",
                brand="bose",
                cats=("audio", "audio > headphones"),
                price=299.0,
                currency="CNY",
            ),
            _doc(
                2,
                "sony speaker",
                brand="sony",
                cats=("audio", "audio > speakers"),
                avail="out_of_stock",
            ),
        ],
        replace=False,
    )
    idx.commit()
    terms = query_terms("headphones speaker")

    def keys(**kw: object) -> set[int]:
        return set(idx.search(terms, 10, SearchFilters(**kw)).keys.tolist())  # type: ignore[arg-type]

    assert keys() == {0, 1, 2}
    assert keys(brands=("Sony",)) == {0, 2}
    assert keys(category="Audio > Headphones") == {0, 1}
    assert keys(max_price=100.0) == {0, 2}
    assert keys(min_price=100.0, max_price=300.0) == {1}
    assert keys(in_stock=True) == {0, 1}
    # prices are never converted: a bound in one currency keeps to products priced in it
    assert keys(currency="cny ", max_price=300.0) == {1}
    assert keys(currency="USD") == {0}
    # no text: every product passing the filters
    assert set(idx.search([], 10, SearchFilters(brands=("bose",))).keys.tolist()) == {1}


def test_field_scores_are_per_field_bm25() -> None:
    idx = LexicalIndex(None)
    terms = {f: [] for f in TEXT_FIELDS}
    terms["title"], terms["brand"] = search_terms("sony headphones"), ["sony"]
    idx.upsert([IndexDoc(5, terms, "sony", (), (), "in_stock", 1.0)], replace=False)
    idx.commit()
    q = query_terms("sony")
    fields = idx.field_scores(q, [5])
    total = idx.search(q, 1).scores[0]
    weighted = sum(idx.weights.of(f) * fields[f][0] for f in TEXT_FIELDS)
    assert fields["title"][0] > 0 and fields["brand"][0] > 0 and fields["description"][0] == 0
    assert weighted == pytest.approx(total, rel=1e-5)


def _old_field_scores(
    idx: LexicalIndex, terms: list[QueryTerm], keys: list[int]
) -> dict[str, np.ndarray]:
    """The previous path: one query per field restricted by a term set on the key field."""
    import tantivy

    out = {name: np.zeros(len(keys)) for name in TEXT_FIELDS}
    pos = {k: i for i, k in enumerate(keys)}
    only = tantivy.Query.term_set_query(idx._schema, "key", keys)
    restrict = [(tantivy.Occur.Must, tantivy.Query.const_score_query(only, 0.0))]
    for name in TEXT_FIELDS:
        clauses = idx._text_clauses(terms, [name])
        if clauses and idx.weights.of(name) > 0:
            hits = idx._run(clauses, restrict, len(keys))
            for key, score in zip(hits.keys, hits.scores, strict=True):
                out[name][pos[int(key)]] = score / idx.weights.of(name)
    return out


def test_field_scores_match_the_one_query_per_field_path(
    demo_catalog_rows: list[dict[str, str]],
) -> None:
    from shopsense.catalog.schema import Product
    from shopsense.retrieval.documents import to_index_doc

    idx = LexicalIndex(None)
    products = [
        Product.model_validate(
            {
                "id": r["id"],
                "title": r["title"],
                "description": r["description"] or None,
                "brand": r["brand"] or None,
                "category": tuple(r["category"].split(" > ")),
                "attributes": {k: r[k] for k in ("colour", "gender", "material") if r[k]},
            }
        )
        for r in demo_catalog_rows
    ]
    idx.upsert([to_index_doc(i, p) for i, p in enumerate(products)], replace=False)
    idx.commit()
    rng = np.random.default_rng(3)
    queries = ["sony headphones", "nike running shoes black", "小米手机", "cotton men", "sonny"]
    queries += ["xyzzy", "red", "pegasus 41", "acoustimass speaker"]
    compared = 0
    for text in queries:
        terms = query_terms(text, known=idx.knows)
        found = idx.search(terms, 40).keys.tolist()
        others = rng.choice(len(products), 30, replace=False).tolist()
        keys = list(dict.fromkeys([*found, *others]))
        new, old = idx.field_scores(terms, keys), _old_field_scores(idx, terms, keys)
        for name in TEXT_FIELDS:
            assert np.array_equal(new[name], old[name]), (text, name)
            compared += int((old[name] > 0).sum())
    assert compared > 200  # the comparison covers many non-zero scores, in several fields
    assert any(t.fuzzy for t in query_terms("sonny", known=idx.knows))


def test_field_scores_follow_writes_and_stay_right_past_the_postings_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    idx = LexicalIndex(None)

    def doc(key: int, title: str) -> IndexDoc:
        terms = {f: [] for f in TEXT_FIELDS}
        terms["title"] = search_terms(title)
        return IndexDoc(key, terms, "", (), (), "in_stock", 1.0)

    idx.upsert([doc(1, "red cotton shirt"), doc(2, "blue linen shirt")], replace=False)
    idx.commit()
    q = query_terms("red shirt")
    before = idx.field_scores(q, [1, 2, 3])["title"]
    assert before[0] > before[1] > 0 and before[2] == 0
    # cached postings are dropped on commit: a new document and a deletion show at once
    idx.upsert([doc(3, "red shirt")])
    idx.delete([1])
    idx.commit()
    after = idx.field_scores(q, [1, 2, 3])["title"]
    assert after[0] == 0 and after[2] > 0
    assert after[2] == pytest.approx(idx.search(q, 1).scores[0] / idx.weights.of("title"))
    # a cache bound smaller than one term's postings: emptied as it goes, same answers
    monkeypatch.setattr(lexical, "POSTINGS_CACHE", 1)
    idx.commit()
    assert np.array_equal(idx.field_scores(q, [1, 2, 3])["title"], after)
    assert idx._held <= 2


def test_passing_lists_every_filtered_key_ascending_and_follows_commits() -> None:
    idx = LexicalIndex(None)
    brands = {k: "sony" if k % 3 == 0 else "bose" for k in (9, 3, 6, 1, 12)}
    idx.upsert([_doc(k, f"item {k}", brand=b) for k, b in brands.items()], replace=False)
    idx.commit()
    sony = SearchFilters(brands=("Sony",))
    assert idx.passing(sony).tolist() == [3, 6, 9, 12]
    assert idx.passing(sony) is idx.passing(sony)  # kept for the next search
    idx.upsert([_doc(15, "item 15", brand="sony")])
    idx.delete([6])
    idx.commit()
    assert idx.passing(sony).tolist() == [3, 9, 12, 15]
    assert idx.passing(SearchFilters(brands=("lg",))).tolist() == []


def test_matching_lists_every_key_the_search_finds_however_many() -> None:
    idx = LexicalIndex(None)
    titles = [f"{'red' if k % 2 else 'blue'} shoe {k}" for k in range(40)]
    docs = [_doc(k, t, brand="sony" if k % 3 == 0 else "bose") for k, t in enumerate(titles)]
    idx.upsert([*docs, _doc(40, "sony headphones", brand="sony")], replace=False)
    idx.delete([7])
    idx.commit()
    syn = Synonyms(SynonymConfig(groups=[["headphones", "earphones"]]))
    sony = SearchFilters(brands=("Sony",))
    for query in ["red", "red headphones", "headphnes", "earphones", "shoe", "nothing"]:
        terms = query_terms(query, synonyms=syn, known=idx.knows)
        for f in (None, sony):
            found = idx.matching(terms, f)
            assert found.tolist() == sorted(idx.search(terms, 100, f).keys.tolist()), (query, f)
    assert len(idx.matching(query_terms("shoe"))) == 39 > 10  # past any pool, none deleted
    assert idx.matching([], sony).tolist() == idx.passing(sony).tolist()  # no text: all
