"""Query understanding wired into search: the parse's confident filters and the intent
re-ranking, on hand-checkable candidates."""

from __future__ import annotations

import numpy as np

from shopsense.app.search import (
    ATTRIBUTE_WEIGHT,
    BRAND_WEIGHT,
    INTENT_WEIGHT,
    boost_by_parse,
    filters_from_parse,
)
from shopsense.query.attributes import AttributeParser
from shopsense.query.types import AttributeFilter, CategoryGuess, Intent, ParsedQuery
from shopsense.ranking.pipeline import Ranked
from shopsense.retrieval.filters import SearchFilters

CATEGORIES = [
    ("apparel", "topwear", "jackets"),
    ("footwear", "shoes", "sports shoes"),
    ("apparel", "topwear", "tshirts"),
]
ATTRIBUTES = [{"colour": "Red"}, {}, {"colour": "Navy Blue", "gender": "Women"}]


def _ranked(scores: list[float]) -> Ranked:
    n = len(scores)
    return Ranked(
        mode="bm25",
        ranker="rules",
        terms=[],
        rows=np.arange(n, dtype=np.int64),
        scores=np.asarray(scores),
        features=np.arange(n, dtype=np.float64).reshape(n, 1),
        contributions=np.zeros((0, 1)),
        lexical=np.ones(n, dtype=bool),
    )


def _parsed(top: list[tuple[str, float]], abstained: bool = False) -> ParsedQuery:
    guesses = tuple(CategoryGuess(c, p) for c, p in top)
    intent = Intent("unknown" if abstained else top[0][0], top[0][1], guesses, abstained, "t")
    return ParsedQuery(text="q", corrected="q", intent=intent)


def test_the_predicted_category_lifts_its_products() -> None:
    # scores scale to 1, 0.75, 0; the shoe (row 1) gains 0.5 × 0.9 and passes the jacket,
    # which gains 0.5 × 0.1 as apparel
    parsed = _parsed([("Footwear > Shoes", 0.9), ("Apparel", 0.1)])
    out = boost_by_parse(_ranked([3.0, 2.5, 1.0]), parsed, CATEGORIES, ATTRIBUTES)
    assert out.rows.tolist() == [1, 0, 2]
    w = INTENT_WEIGHT
    assert np.allclose(out.scores, [0.75 + w * 0.9, 1 + w * 0.1, w * 0.1])
    assert out.features[:, 0].tolist() == [1.0, 0.0, 2.0]  # features follow their rows
    assert out.contributions.shape == (0, 1)  # not computed for this run: left alone


def test_no_intent_abstention_or_no_match_keeps_the_order() -> None:
    ranked = _ranked([3.0, 2.0, 1.0])
    for parsed in (
        ParsedQuery(text="q", corrected="q"),
        _parsed([("Footwear", 0.9)], abstained=True),
        _parsed([("Home > Kitchen", 0.9)]),
    ):
        assert boost_by_parse(ranked, parsed, CATEGORIES, ATTRIBUTES) is ranked


def test_confident_colour_and_gender_rank_without_filtering() -> None:
    parsed = ParsedQuery(
        text="navy blue for women",
        corrected="navy blue for women",
        filters=(
            AttributeFilter("colour", "Navy Blue", (0, 9), "navy blue", 1.0),
            AttributeFilter("gender", "Women", (14, 19), "women", 1.0),
        ),
    )
    # scaled 1, 0, 0.8; row 2 carries both and gains 2 × 0.25; nothing is dropped
    out = boost_by_parse(_ranked([3.0, 2.0, 2.8]), parsed, CATEGORIES, ATTRIBUTES)
    assert out.rows.tolist() == [2, 0, 1]
    assert np.allclose(out.scores, [0.8 + 2 * ATTRIBUTE_WEIGHT, 1.0, 0.0])
    assert filters_from_parse(parsed, SearchFilters()) == SearchFilters()


def test_confident_parse_becomes_filters_unless_the_shopper_set_them() -> None:
    parsed = ParsedQuery(
        text="red nike shoes under 50",
        corrected="red nike shoes under 50",
        filters=(
            AttributeFilter("colour", "Red", (0, 3), "red", 1.0),
            AttributeFilter("brand", "Nike", (4, 8), "nike", 1.0),
            AttributeFilter("price", "-50", (15, 23), "under 50", 0.95, None, 50.0),
            AttributeFilter("size", "m", (9, 10), "m", 0.5),  # not confident: no filter
        ),
        intent=_parsed([("Footwear", 0.95)]).intent,
    )
    out = filters_from_parse(parsed, SearchFilters())
    assert out.brands == () and out.max_price == 50.0 and out.min_price is None  # brand ranks
    assert out.attributes == () and out.category == "Footwear"  # colour ranks instead
    mine = SearchFilters(brands=("Puma",), category="Apparel")
    kept = filters_from_parse(parsed, mine)
    assert kept.brands == ("Puma",) and kept.category == "Apparel"
    unsure = ParsedQuery(text="q", corrected="q", intent=_parsed([("Footwear", 0.6)]).intent)
    assert filters_from_parse(unsure, SearchFilters()).category is None


def test_brands_named_in_the_query_rank_first_and_filter_nothing() -> None:
    parser = AttributeParser(["Nike", "Adidas", "Orange", "I.R.I.S."])
    both = ParsedQuery(text="q", corrected="q", filters=tuple(parser.parse("nike adidas shoes")))
    assert filters_from_parse(both, SearchFilters()) == SearchFilters()
    # scores scale to 1, 0.75, 0; rows 1 and 2 carry a named brand (in other letters)
    brands = ["Puma", "ADIDAS", "nike"]
    out = boost_by_parse(_ranked([3.0, 2.5, 1.0]), both, CATEGORIES, [{}, {}, {}], brands)
    assert out.rows.tolist() == [1, 0, 2]
    assert np.allclose(out.scores, [0.75 + BRAND_WEIGHT, 1.0, BRAND_WEIGHT])
    # the catalogue's "I.R.I.S." is the record's "Iris": brands compare squashed
    iris = ParsedQuery(text="q", corrected="q", filters=tuple(parser.parse("iris pen scanner")))
    named = ["Canon", "Iris", "Sony"]
    lifted = boost_by_parse(_ranked([3.0, 2.5, 1.0]), iris, CATEGORIES, [{}, {}, {}], named)
    assert lifted.rows.tolist() == [1, 0, 2]
    # a brand spelled like a colour is a soft guess: it neither filters nor ranks
    orange = ParsedQuery(text="q", corrected="q", filters=tuple(parser.parse("orange shirt")))
    assert {(f.field, f.value) for f in orange.filters} == {
        ("brand", "Orange"),
        ("colour", "Orange"),
    }
    ranked = _ranked([2.0, 1.0])
    assert boost_by_parse(ranked, orange, CATEGORIES, [{}, {}], ["Nike", "Orange"]) is ranked


def test_every_confident_price_bound_applies() -> None:
    parser = AttributeParser([])
    for query in ("100元以上200元以下的鞋", "shoes over $100 under $200"):
        parsed = ParsedQuery(text=query, corrected=query, filters=tuple(parser.parse(query)))
        out = filters_from_parse(parsed, SearchFilters())
        assert (out.min_price, out.max_price) == (100.0, 200.0), query
    # bounds that cannot both hold: the first alone, not an empty page
    query = "over $200 under $100"
    parsed = ParsedQuery(text=query, corrected=query, filters=tuple(parser.parse(query)))
    out = filters_from_parse(parsed, SearchFilters())
    assert (out.min_price, out.max_price) == (200.0, None)
