"""Ranking features against hand-computed cases; the learned ranker explained on real data."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from shopsense.app.search import SearchRequest, SearchService
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.catalog.store import ProductStore
from shopsense.evaluation.metrics import mrr_at
from shopsense.ranking.features import (
    _BITS_MAX,
    COLUMN,
    FEATURES,
    CandidateScores,
    QueryTerms,
    TermCache,
    _term_features,
    code_features,
    feature_matrix,
)
from shopsense.ranking.pipeline import SearchPipeline
from shopsense.ranking.rankers import LinearRanker
from shopsense.ranking.term_ids import FIELDS as ID_FIELDS
from shopsense.ranking.term_ids import TermIds
from shopsense.ranking.training import train_ranker
from shopsense.retrieval.doctable import DocTable
from shopsense.retrieval.documents import TEXT_FIELDS
from shopsense.retrieval.index_sync import SearchIndex

IDF = {"sony": 1.0, "turntable": 2.0, "pslx350h": 5.0, "ps": 1.5, "lx350h": 4.0, "belt": 3.0}


def _idf(term: str) -> float:
    return IDF.get(term, 1.0)


def _table(rows: list[tuple[str, dict[str, str]]]) -> DocTable:
    n = len(rows)
    nan = np.full(n, math.nan)
    return DocTable(
        keys=np.arange(n, dtype=np.int64),
        ids=[f"p{i}" for i in range(n)],
        titles=[t for t, _ in rows],
        brands=["Sony"] * n,
        categories=[()] * n,
        availability=["in_stock"] * n,
        attributes=[a for _, a in rows],
        hashes=[""] * n,
        prices=nan.copy(),
        updated=nan.copy(),
        quality=nan.copy(),
        popularity=np.zeros(n),
    )


def test_model_numbers_match_squashed_in_both_directions() -> None:
    terms = TermCache(
        _table(
            [
                ("Sony PS-LX350H Belt-Drive Turntable", {}),
                ("Sony PS-LX250H Turntable", {}),
                ("Sony Turntable", {"modelno": "PS-LX350H/B"}),
                ("Sony Turntable", {}),
            ]
        ),
        _idf,
    )
    q = QueryTerms.of("Sony Turntable - PSLX350H", _idf)
    assert q.codes == {"pslx350h"}
    # model_match, code_in_product, product_code_in_query, code_prefix, code_conflict
    assert code_features(q, terms.get(0)) == (1.0, 1.0, 1.0, 1.0, 0.0)
    # pslx350h vs pslx250h: common prefix "pslx" = 4 of 8 characters, and a conflict
    assert code_features(q, terms.get(1)) == (0.0, 0.0, 0.0, 0.5, 1.0)
    # the code lives in an attribute: found in the product; the product's code
    # (pslx350hb) is not in the query; prefix 8 of 9
    exact, in_product, in_query, prefix, conflict = code_features(q, terms.get(2))
    assert (in_product, in_query, conflict) == (1.0, 0.0, 0.0)
    assert prefix == pytest.approx(8 / 9)
    assert code_features(q, terms.get(3)) == (0.0, 0.0, -1.0, -1.0, -1.0)
    assert code_features(QueryTerms.of("sony turntable", _idf), terms.get(0))[1:] == (-1.0,) * 4


def test_idf_weighted_coverage_is_hand_computable() -> None:
    terms = TermCache(_table([("Sony PS-LX350H Belt Turntable", {}), ("Sony Belt", {})]), _idf)
    cands = CandidateScores(
        rows=np.asarray([0, 1], np.int64),
        field_bm25={f: np.zeros(2) for f in TEXT_FIELDS},
        bm25=np.asarray([4.0, 2.0]),
        dense=np.zeros(2),
        rrf=np.zeros(2),
        bm25_rank=np.asarray([1.0, 2.0]),
        dense_rank=np.asarray([1000.0, 1000.0]),
    )
    m = feature_matrix("sony turntable pslx350h", cands, terms)
    col = {f: i for i, f in enumerate(FEATURES)}
    # query idf: sony 1 + turntable 2 + pslx350h 5 = 8; title 0 holds all three
    assert m[0, col["idf_coverage"]] == pytest.approx(1.0)
    # title 0 terms: sony 1, pslx350h 5, ps 1.5, lx350h 4, sonypslx350h 1, belt 3,
    # pslx350hbelt 1, turntable 2 (the tokenizer joins neighbours of a model number)
    assert m[0, col["idf_title_coverage"]] == pytest.approx(8 / 18.5)
    # title 1 holds only "sony" (1 of 8); its own terms: sony 1 + belt 3
    assert m[1, col["idf_coverage"]] == pytest.approx(1 / 8)
    assert m[1, col["idf_title_coverage"]] == pytest.approx(1 / 4)
    assert m[:, col["bm25_rel"]].tolist() == [1.0, 0.5]
    assert m[:, col["bm25_norm"]].tolist() == [1.0, 0.0]


def test_feature_rows_carry_the_variant_evidence() -> None:
    idf = {"magenta": 4.0, "cli": 3.0, "221": 2.0, "cli221": 5.0}
    terms = TermCache(
        _table(
            [
                ("Canon CLI-221 Ink Tank 9ml Magenta", {}),
                ("Canon CLI-221 Ink Tank 12ml", {"modelno": "2946B001-BLK"}),
                ("Canon Paper", {}),
            ]
        ),
        lambda t: idf.get(t, 1.0),
    )
    cands = CandidateScores(
        rows=np.asarray([0, 1, 2], np.int64),
        field_bm25={f: np.zeros(3) for f in TEXT_FIELDS},
        bm25=np.asarray([3.0, 2.0, 1.0]),
        dense=np.zeros(3),
        rrf=np.zeros(3),
        bm25_rank=np.asarray([1.0, 2.0, 3.0]),
        dense_rank=np.full(3, 1000.0),
    )
    m = feature_matrix("Canon CLI-221 Magenta 9 ml", cands, terms)
    col = {f: i for i, f in enumerate(FEATURES)}
    assert m[:, col["spec_agree"]].tolist() == [1.0, 0.0, 0.0]
    assert m[:, col["spec_conflict"]].tolist() == [0.0, 1.0, 0.0]
    # the second product is black by its model number, the third names no colour
    assert m[:, col["colour_match"]].tolist() == [1.0, 0.0, -1.0]
    # rarest query terms: cli221 5, magenta 4, cli 3
    assert m[:, col["rare_coverage"]].tolist() == pytest.approx([1.0, 2 / 3, 0.0])
    assert m[0, col["title_trigram"]] > m[1, col["title_trigram"]] > m[2, col["title_trigram"]]


def _known_item_slice(shared_data: Path, tmp: Path, n: int) -> tuple[Path, dict[str, str]]:
    """The first ``n`` matched Abt→Buy pairs: Buy products as a catalogue, Abt titles as queries."""
    base = shared_data / "entity_matching" / "D2"

    def rows(name: str) -> list[dict[str, str]]:
        with (base / name).open(encoding="utf-8", errors="replace", newline="") as fh:
            return list(csv.DictReader(fh, delimiter="|"))

    abt = {r["id"]: r["name"] for r in rows("abt.csv")}
    buy = {r["id"]: r for r in rows("buy.csv")}
    pairs = rows("gt.csv")[:n]
    path = tmp / "buy.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "name", "description", "price"], delimiter="|")
        w.writeheader()
        w.writerows(buy[p["D2"]] for p in pairs)
    return path, {p["D2"]: abt[p["D1"]] for p in pairs}


@pytest.mark.slow
def test_learned_ranker_explains_every_score_on_real_known_item_queries(
    shared_data: Path, sqlite_engine: Engine, tmp_path: Path
) -> None:
    path, queries = _known_item_slice(shared_data, tmp_path, 240)
    ingest_file(sqlite_engine, path, IngestOptions(mapping=("title=name", "id=id"), sep="|"))
    pipeline = SearchPipeline(SearchIndex.open(sqlite_engine, None, None))
    answers = list(queries)
    train, test = answers[:160], answers[160:]
    model = train_ranker(pipeline, {a: queries[a] for a in train}, {a: {a: 1.0} for a in train})
    assert model is not None
    pipeline.learned = model
    ids = pipeline.index.table.ids
    mrr = {"bm25": 0.0, "ltr": 0.0}
    for a in test:
        for mode in mrr:
            ranked = pipeline.run(queries[a], mode)
            mrr[mode] += mrr_at([ids[int(r)] for r in ranked.rows], {a: 1.0}) / len(test)
        ranked = pipeline.run(queries[a], "ltr")
        assert ranked.ranker == "lambdamart"
        # SHAP: every score is the expected value plus its features' contributions,
        # computed on demand for the rows asked (ranking itself uses plain predictions)
        assert len(ranked.contributions) == 0
        for i in range(min(5, len(ranked.rows))):
            row, baseline = ranked.explain(i)
            assert baseline + row.sum() == pytest.approx(ranked.scores[i], abs=1e-6)
    assert mrr["ltr"] >= mrr["bm25"] - 0.01
    # what a shopper sees: each feature's contribution, adding up to the hit's score
    service = SearchService(pipeline, ProductStore(sqlite_engine))
    result = service.search(SearchRequest(queries[test[0]], mode="ltr", explain=True, size=3))
    for hit in result.hits:
        why = hit.explanation
        assert why is not None and why.ranker == "lambdamart"
        assert why.baseline + sum(why.contributions.values()) == pytest.approx(hit.score, abs=1e-2)
        assert set(why.contributions) <= set(FEATURES) and len(why.contributions) >= 3
    assert result.hits[0].product.id == ids[int(pipeline.run(queries[test[0]], "ltr").rows[0])]


def test_linear_ranker_contributions_are_weight_times_value() -> None:
    ranker = LinearRanker({"bm25_rel": 2.0, "model_match": 0.5})
    feats = np.zeros((1, len(FEATURES)))
    feats[0, FEATURES.index("bm25_rel")] = 0.5
    feats[0, FEATURES.index("model_match")] = 1.0
    scored = ranker.score(feats)
    assert scored.scores.tolist() == [1.5]
    assert scored.contributions[0, FEATURES.index("model_match")] == 0.5


def test_counts_like_2_way_are_not_model_numbers() -> None:
    """A Walmart→Amazon miss, by hand: ``2-Way`` was read as a model number, so a
    ``KFC-X1730 2-Way`` speaker matched the query's "code" and the ``KFC-1652S`` it names
    looked like a conflict."""
    terms = TermCache(
        _table(
            [
                ("Kenwood Excelon KFC-X1730 6- 2-Way Car Speakers", {}),
                ("Kenwood KFC-1652S 6.5-Inch 160 Watt Max Power Dual Cone Speaker System", {}),
            ]
        ),
        _idf,
    )
    q = QueryTerms.of("Kenwood 6.5  2-Way 160W Speaker System KFC-1652", _idf)
    assert q.codes == {"kfc1652"}
    assert terms.get(0).codes == {"kfcx1730"}
    # the other speaker: nothing shared, a conflict; the named one: its code contains the query's
    assert code_features(q, terms.get(0)) == (0.0, 0.0, 0.0, 0.375, 1.0)
    assert code_features(q, terms.get(1))[1:3] == (1.0, 0.0)
    assert QueryTerms.of("Kingston 240-Pin 4GB 6-in-1 50-Sheet", _idf).codes == frozenset()


def _no_scores(n: int) -> CandidateScores:
    """Candidates ``0 … n-1`` that no retriever scored (only the term features move)."""
    return CandidateScores(
        rows=np.arange(n),
        field_bm25={f: np.zeros(n) for f in TEXT_FIELDS},
        bm25=np.zeros(n),
        dense=np.zeros(n),
        rrf=np.zeros(n),
        bm25_rank=np.full(n, 1000.0),
        dense_rank=np.full(n, 1000.0),
    )


def test_products_with_equal_terms_share_them_and_get_equal_feature_rows() -> None:
    rows = [
        ("Sony PS-LX350H Belt Turntable", {}),
        ("Sony Belt", {}),
        ("Sony PS-LX350H Belt Turntable", {}),  # the first again: same terms
        ("Sony PS-LX350H Belt Turntable Black", {}),  # one more term
    ]
    terms = TermCache(_table(rows), _idf)
    assert terms.get(2) is terms.get(0) and terms.get(3) is not terms.get(0)
    query = "sony pslx350h black"
    shared = feature_matrix(query, _no_scores(len(rows)), terms)
    # every row as computed for its product alone
    alone = [feature_matrix(query, _no_scores(1), TermCache(_table([r]), _idf)) for r in rows]
    assert np.array_equal(shared, np.vstack(alone))
    colour = FEATURES.index("colour_match")
    assert shared[3, colour] != shared[0, colour]


def test_term_columns_at_once_equal_product_by_product_bit_for_bit() -> None:
    """The term features of all candidates at once (ids, bits, one lookup) are the same
    floats as ``_term_features`` for one product at a time: model numbers, specs,
    colours, numbers, brand and category words, repeated titles, and a query long enough
    to be compared product by product (more than ``_BITS_MAX`` tokens)."""
    rows = [
        ("Sony PS-LX350H Belt Turntable Black", {"modelno": "PS-LX350H"}),
        ("Sony Belt 2 Pack 32GB", {"colour": "Red"}),
        ("Canon CLI-221 Ink Tank 9ml Magenta", {}),
        ("Sony PS-LX350H Belt Turntable Black", {"modelno": "PS-LX350H"}),
        ("Nike Men Air Max 90 White Running Shoes", {"gender": "Men"}),
        ("Puma", {}),
        ("", {}),
    ]
    table = _table(rows)
    table.brands[4], table.brands[5] = "Nike", None
    table.categories[4] = ("Footwear", "Shoes", "Sports Shoes")
    queries = [
        "sony pslx350h black",
        "sony belt 2 pack 16gb red",
        "canon cli 221 magenta 9 ml",
        "nike air max 90 white sports shoes",
        "men shoes",
        "",
        "one two three four five six seven eight nine ten black sony",
    ]
    for query in queries:
        terms = TermCache(table, _idf)
        cands = _no_scores(len(rows))
        got = feature_matrix(query, cands, terms)[:, COLUMN["model_match"] : COLUMN["quality"]]
        q = QueryTerms.of(query, _idf)
        one_by_one = np.asarray([_term_features(q, terms.get(r)) for r in range(len(rows))])
        assert got.tobytes() == one_by_one.tobytes(), query
    assert len(QueryTerms.of(queries[-1], _idf).tokens) > _BITS_MAX


def test_term_ids_count_what_each_set_holds() -> None:
    ids = TermIds()
    sets = dict.fromkeys(ID_FIELDS, ())
    ids.add({**sets, "title": ("red", "shirt"), "colours": ("red",)}, 2.5, 0)
    ids.add(sets, 0.0, 0)  # nothing at all
    ids.add({**sets, "title": ("blue", "shirt", "42"), "terms": ("cotton",)}, 4.0, 1)
    held, size = ids.held(
        np.asarray([2, 0, 1, 0]), {"title": {"shirt": 1, "red": 2, "42": 4}, "colours": {"red": 1}}
    )
    title, colours = ID_FIELDS.index("title"), ID_FIELDS.index("colours")
    assert held[:, title].tolist() == [1 + 4, 1 + 2, 0, 1 + 2]
    assert size[:, title].tolist() == [3, 2, 0, 2]
    assert held[:, colours].tolist() == [0, 1, 0, 1]
    assert size[:, ID_FIELDS.index("terms")].tolist() == [1, 0, 0, 0]
    assert ids.title_idf.values.tolist() == [2.5, 0.0, 4.0]


def test_terms_numbered_from_many_threads_stay_consistent() -> None:
    import random
    import threading

    titles = [
        f"Sony Belt {i % 7} Black Turntable {'PS-LX350H' if i % 3 else ''}" for i in range(60)
    ]
    table = _table([(t, {}) for t in titles])
    terms = TermCache(table, _idf)

    def number(seed: int) -> None:
        rows = list(range(len(titles)))
        random.Random(seed).shuffle(rows)
        terms.distinct(np.asarray(rows, dtype=np.int64))

    threads = [threading.Thread(target=number, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    alone = TermCache(table, _idf)
    assert all(terms.get(r) == alone.get(r) for r in range(len(titles)))
    query = "sony belt 3 black pslx350h"
    got = feature_matrix(query, _no_scores(len(titles)), terms)
    assert got.tobytes() == feature_matrix(query, _no_scores(len(titles)), alone).tobytes()
