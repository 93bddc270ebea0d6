"""Query understanding wired into search: the parse's confident filters and the intent
re-ranking, on hand-checkable candidates."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from shopsense.app.search_parse import (
    ATTRIBUTE_WEIGHT,
    BRAND_WEIGHT,
    INTENT_WEIGHT,
    KIND_WEIGHT,
    ParseBoosts,
    ParseUse,
    apply_parse,
    boost_by_parse,
    brand_and_kind,
    category_names,
    filters_from_parse,
    item_words,
    name_category,
    narrows,
    parse_sort,
    widen_category,
)
from shopsense.query.attributes import AttributeParser
from shopsense.query.types import (
    AttributeFilter,
    CategoryGuess,
    Correction,
    Intent,
    ParsedQuery,
)
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


NAVY = AttributeFilter("colour", "Navy Blue", (0, 9), "navy blue", 1.0)
WOMEN = AttributeFilter("gender", "Women", (14, 19), "women", 1.0)


def test_confident_colour_and_gender_rank_without_filtering() -> None:
    parsed = ParsedQuery(text="navy blue for women", corrected="q", filters=(NAVY, WOMEN))
    # scaled 1, 0, 0.8; row 2 carries both and gains 2 × 0.25; nothing is dropped
    out = boost_by_parse(_ranked([3.0, 2.0, 2.8]), parsed, CATEGORIES, ATTRIBUTES)
    assert out.rows.tolist() == [2, 0, 1]
    assert np.allclose(out.scores, [0.8 + 2 * ATTRIBUTE_WEIGHT, 1.0, 0.0])
    assert filters_from_parse(parsed, SearchFilters()) == SearchFilters()


def test_a_named_gender_ranks_the_other_genders_lower_but_not_unisex() -> None:
    parsed = ParsedQuery(text="womens shoes", corrected="womens shoes", filters=(WOMEN,))
    boosts = ParseBoosts(parsed)
    assert boosts.of((), {"gender": "Women"}, None) == {"gender Women": ATTRIBUTE_WEIGHT}
    assert boosts.of((), {"gender": "Men"}, None) == {"gender not Women": -ATTRIBUTE_WEIGHT}
    assert boosts.of((), {"gender": "男子"}, None) == {"gender not Women": -ATTRIBUTE_WEIGHT}
    assert boosts.of((), {"gender": "Unisex"}, None) == {}
    assert boosts.of((), {}, None) == {}
    men = AttributeFilter("gender", "Men", (0, 3), "men", 1.0)
    both = ParsedQuery(text="men women", corrected="men women", filters=(men, WOMEN))
    assert ParseBoosts(both).of((), {"gender": "Men"}, None) == {"gender Men": ATTRIBUTE_WEIGHT}


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


def test_a_price_in_a_named_currency_keeps_to_it_where_the_catalogue_has_several() -> None:
    parser = AttributeParser([])

    def applied(query: str, currencies: set[str]) -> tuple[SearchFilters, str]:
        parsed = ParsedQuery(text=query, corrected=query, filters=tuple(parser.parse(query)))
        out, uses = apply_parse(parsed, SearchFilters(), currencies=currencies)
        return out, next(u.note for u in uses if u.field == "price")

    out, note = applied("双肩包 300元以下", {"CNY", "USD"})
    assert (out.max_price, out.currency) == (300.0, "CNY")
    assert note == "only products at price ≤ 300 CNY"
    out, note = applied("backpack under $50", {"CNY", "USD"})
    assert (out.max_price, out.currency) == (50.0, "USD")
    # one currency in the catalogue: nothing to keep apart, and the account says so
    out, note = applied("双肩包 300元以下", {"USD"})
    assert out.currency is None and note.endswith(": CNY compared as written with prices in USD")
    # no currency named: amounts compared as written, and the account says so
    out, note = applied("backpack under 50", {"CNY", "USD"})
    assert out.currency is None and note.endswith("in any currency (CNY/USD as written)")
    # the shopper's own currency filter stands
    parsed = ParsedQuery(
        text="双肩包 300元以下",
        corrected="双肩包 300元以下",
        filters=tuple(parser.parse("双肩包 300元以下")),
    )
    own, uses = apply_parse(parsed, SearchFilters(currency="USD"), currencies={"CNY", "USD"})
    assert own.currency == "USD" and own.max_price is None  # 300 yuan are not 300 dollars
    assert [(u.use, u.note) for u in uses if u.field == "price"] == [
        ("unused", "in CNY, your currency filter is USD: prices are not converted")
    ]
    # a currency the catalogue lacks gives way to one it has
    query = "backpack under €50 over 100元"
    parsed = ParsedQuery(text=query, corrected=query, filters=tuple(parser.parse(query)))
    out = apply_parse(parsed, SearchFilters(), currencies={"CNY", "USD"})[0]
    assert (out.min_price, out.max_price, out.currency) == (100.0, None, "CNY")
    # bounds in two currencies: those in the first named one filter; the other is left
    query = "backpack over $20 under 300元"
    parsed = ParsedQuery(text=query, corrected=query, filters=tuple(parser.parse(query)))
    out, uses = apply_parse(parsed, SearchFilters(), currencies={"CNY", "USD"})
    assert (out.min_price, out.max_price, out.currency) == (20.0, None, "USD")
    assert [(u.text, u.use, u.note) for u in uses if u.field == "price"] == [
        ("over $20", "filter", "only products at price ≥ 20 USD"),
        ("under 300元", "unused", "in CNY, the first price in USD: prices are not converted"),
    ]


def test_every_part_of_the_parse_is_accounted_for() -> None:
    red = AttributeFilter("colour", "Red", (0, 3), "red", 1.0)
    nike = AttributeFilter("brand", "Nike", (4, 8), "nike", 1.0)
    over = AttributeFilter("price", "200-", (20, 28), "over 200", 0.95, 200.0, None)
    under = AttributeFilter("price", "-100", (29, 38), "under 100", 0.95, None, 100.0)
    size = AttributeFilter("size", "M", (9, 10), "m", 0.9)
    guess = AttributeFilter("gender", "Women", (11, 16), "women", 0.6)
    parsed = ParsedQuery(
        text="red nike m women runing over 200 under 100",
        corrected="red nike m women running over 200 under 100",
        corrections=(Correction("runing", "running", (17, 23)),),
        filters=(red, nike, size, guess, over, under),
        intent=_parsed([("Footwear > Shoes", 0.95), ("Apparel", 0.05)]).intent,
    )
    filters, uses = apply_parse(parsed, SearchFilters())
    # the bounds contradict each other: the first alone filters, and says so
    assert (filters.min_price, filters.max_price) == (200.0, None)
    assert filters.category == "Footwear > Shoes" and filters.brands == ()
    assert uses == (
        ParseUse("spelling", "running", "runing", "query", "searched for 'running'"),
        ParseUse("colour", "Red", "red", "rank", "+0.25 to products whose colour is Red"),
        ParseUse("brand", "Nike", "nike", "rank", "+0.5 to Nike"),
        ParseUse("size", "M", "m", "rank", "+0.25 to products whose size is M"),
        ParseUse("gender", "Women", "women", "unused", "a guess: confidence 0.60 < 0.80"),
        ParseUse("price", "200-", "over 200", "filter", "only products at price ≥ 200"),
        ParseUse("price", "-100", "under 100", "unused", "contradicts the first bound"),
        ParseUse(
            "category",
            "Footwear > Shoes",
            "",
            "filter",
            "only products under Footwear > Shoes (p 0.95); "
            "lifts Footwear > Shoes +0.47, Apparel +0.03",
        ),
    )
    # sorted by price, nothing ranks: the filters stay, the lifts are reported unused
    by_price = apply_parse(parsed, SearchFilters(), sort="price_asc")[1]
    assert [(u.field, u.use, u.note) for u in by_price if u.field in ("brand", "category")] == [
        ("brand", "unused", "results sorted by price_asc"),
        ("category", "filter", "only products under Footwear > Shoes (p 0.95)"),
    ]
    # the shopper's own price and category win; the category then only ranks
    mine = SearchFilters(min_price=10.0, category="Apparel")
    kept, uses = apply_parse(parsed, mine)
    assert kept == mine
    assert [(u.field, u.use, u.note) for u in uses if u.field in ("price", "category")] == [
        ("price", "unused", "your own price filter applies"),
        ("price", "unused", "your own price filter applies"),
        ("category", "rank", "lifts Footwear > Shoes +0.47, Apparel +0.03"),
    ]
    abstains = ParsedQuery(text="q", corrected="q", intent=_parsed([("Apparel", 0.2)], True).intent)
    assert apply_parse(abstains, SearchFilters())[1] == (
        ParseUse(
            "category", "unknown", "", "unused", "the model abstains (best guess Apparel, p 0.20)"
        ),
    )


def test_each_hit_can_say_what_the_parse_added() -> None:
    nike = AttributeFilter("brand", "Nike", (20, 24), "nike", 1.0)
    intent = _parsed([("Apparel > Topwear", 0.8), ("Footwear", 0.2)]).intent
    parsed = ParsedQuery(text="q", corrected="q", filters=(NAVY, WOMEN, nike), intent=intent)
    boosts = ParseBoosts(parsed)
    brands = ["NIKE", None, "Puma"]
    gained = [boosts.of(CATEGORIES[r], ATTRIBUTES[r], brands[r]) for r in range(3)]
    assert gained == [
        {"category Apparel > Topwear": INTENT_WEIGHT * 0.8, "brand Nike": BRAND_WEIGHT},
        {"category Footwear": INTENT_WEIGHT * 0.2},
        {
            "category Apparel > Topwear": INTENT_WEIGHT * 0.8,
            "colour Navy Blue": ATTRIBUTE_WEIGHT,
            "gender Women": ATTRIBUTE_WEIGHT,
        },
    ]
    # the reasons add up to the boost the ranking applied (scores scale to 1, 0.5, 0)
    out = boost_by_parse(_ranked([2.0, 1.0, 0.0]), parsed, CATEGORIES, ATTRIBUTES, brands)
    by_row = dict(zip(out.rows.tolist(), out.scores.tolist(), strict=True))
    for row, scaled in enumerate([1.0, 0.5, 0.0]):
        assert np.isclose(by_row[row], scaled + sum(gained[row].values()))
    assert not ParseBoosts(ParsedQuery(text="q", corrected="q"), frozenset())


def test_a_colour_lifts_the_products_written_in_any_of_its_spellings() -> None:
    rose = AttributeFilter("colour", "Rose", (0, 3), "玫瑰金", 1.0)
    boosts = ParseBoosts(ParsedQuery(text="玫瑰金 手表", corrected="玫瑰金 手表", filters=(rose,)))
    lifted = [boosts.of((), {"colour": c}, None) for c in ("Rose Gold", "Rose", "Gold")]
    assert lifted == [{"colour Rose": ATTRIBUTE_WEIGHT}, {"colour Rose": ATTRIBUTE_WEIGHT}, {}]
    grey = AttributeFilter("colour", "Grey", (0, 4), "grey", 1.0)
    boosts = ParseBoosts(ParsedQuery(text="grey", corrected="grey", filters=(grey,)))
    assert boosts.of((), {"colour": "Gray"}, None) == {"colour Grey": ATTRIBUTE_WEIGHT}


def test_a_predicted_category_the_catalogue_lacks_filters_nothing() -> None:
    # an intent model trained on another shop's labels ("shoes") must not empty the page
    known = frozenset({"footwear", "footwear > shoes", "apparel"})
    foreign = ParsedQuery(text="q", corrected="q", intent=_parsed([("shoes", 0.99)]).intent)
    filters, uses = apply_parse(foreign, SearchFilters(), known)
    assert filters == SearchFilters()
    assert uses == (
        ParseUse(
            "category", "shoes", "", "unused", "not a category of this catalogue, so no filter"
        ),
    )
    assert not ParseBoosts(foreign, known)
    ours = ParsedQuery(text="q", corrected="q", intent=_parsed([("Footwear > Shoes", 0.99)]).intent)
    assert apply_parse(ours, SearchFilters(), known)[0].category == "Footwear > Shoes"
    # a foreign first guess beside a known second: only the known one lifts, and says so
    mixed = _parsed([("shopsense", 0.6), ("Footwear", 0.35)]).intent
    both = ParsedQuery(text="q", corrected="q", intent=mixed)
    assert apply_parse(both, SearchFilters(), known)[1] == (
        ParseUse(
            "category",
            "shopsense",
            "",
            "rank",
            "not a category of this catalogue, so no filter; lifts Footwear +0.17",
        ),
    )
    gained = ParseBoosts(both, known).of(("Footwear", "Shoes"), {}, None)
    assert gained == {"category Footwear": INTENT_WEIGHT * 0.35}
    assert ParseBoosts(both, known).of(("Apparel",), {}, None) == {}


def test_a_filter_widens_to_its_parent_when_it_would_hide_many_siblings() -> None:
    watches = "Accessories > Watches > Smart Watches"
    uses = (ParseUse("category", watches, "", "filter", f"only products under {watches}; lifts x"),)
    sure = SearchFilters(category=watches, max_price=300.0)
    wrist = ("Accessories", "Watches", "Wrist Watches")
    hidden = [(wrist, "Casio Digital Watch"), (wrist, "Casio Analog Watch")]
    wider, account = widen_category(sure, uses, hidden, inside=8)
    assert wider == SearchFilters(category="Accessories > Watches", max_price=300.0)
    assert account[0].value == "Accessories > Watches" and account[0].use == "filter"
    assert account[0].note.startswith("only products under Accessories > Watches: ")
    assert "'Casio Digital Watch' and 1 more" in account[0].note
    assert account[0].note.endswith("; lifts x")
    # one hidden sibling, or fewer than a quarter of those inside: the filter stays
    assert widen_category(sure, uses, hidden[:1], inside=1)[0] == sure
    assert widen_category(sure, uses, hidden, inside=9)[0] == sure
    # products in another branch (a watch filed under free gifts) never widen it
    gifts = [(("Free Items", "Free Gifts", "Watches"), "Maxima Watch")] * 5
    assert widen_category(sure, uses, gifts, inside=1) == (sure, uses)


def test_a_query_naming_a_category_filters_to_it() -> None:
    names = category_names(
        [
            ("Footwear", "Shoes", "Running Shoes"),
            ("Footwear", "Shoes", "Sneakers"),
            ("Men", "Accessories", "Belts"),
            ("Women", "Accessories", "Scarves"),
        ]
    )
    assert names[frozenset({"shoe"})] == "Footwear > Shoes"
    assert names[frozenset({"running", "shoe"})] == "Footwear > Shoes > Running Shoes"
    assert frozenset({"accessory"}) not in names  # nodes in two branches: names none
    nested = category_names([("Apparel", "Dresses", "Dresses"), ("Sports", "Running", "Shoes")])
    assert nested[frozenset({"dress"})] == "Apparel > Dresses"  # holds its namesake
    apart = category_names([("Footwear", "Shoes", "Sneakers"), ("Sports", "Running", "Shoes")])
    assert frozenset({"shoe"}) not in apart and frozenset({"running"}) in apart
    # "running" names no node when running shoes are filed elsewhere
    shoes = category_names([("Footwear", "Running Shoes"), ("Sports", "Running", "Watches")])
    assert frozenset({"running"}) not in shoes
    guess = ParseUse(
        "category",
        "Footwear > Shoes > Running Shoes",
        "",
        "filter",
        "only products under Footwear > Shoes > Running Shoes (p 1.00); lifts X +0.50",
    )
    out, uses = name_category(
        SearchFilters(category=guess.value), [guess], "shoes ", names, "relevance"
    )
    assert out.category == "Footwear > Shoes"
    assert uses == (
        ParseUse(
            "category",
            "Footwear > Shoes",
            "shoes",
            "filter",
            "only products under Footwear > Shoes: the query names this category; the model:"
            " Footwear > Shoes > Running Shoes (filter); lifts X +0.50",
        ),
    )
    # words that name no category leave the parse's filter as it is
    kept = name_category(SearchFilters(category=guess.value), [guess], "trail", names, "relevance")
    assert kept == (SearchFilters(category=guess.value), (guess,))


def test_a_query_asking_for_an_order_sorts_unless_the_shopper_chose_one() -> None:
    parser = AttributeParser()

    def sort_of(query: str, chosen: str = "relevance") -> tuple[str, list[tuple[str, str]]]:
        parsed = ParsedQuery(text=query, corrected=query, filters=tuple(parser.parse(query)))
        sort, uses = parse_sort(parsed, chosen)
        assert all(u.field != "sort" for u in apply_parse(parsed, SearchFilters())[1])
        return sort, [(u.text, u.use) for u in uses]

    assert sort_of("cheapest running shoes") == ("price_asc", [("cheapest", "sort")])
    assert sort_of("最便宜的耳机") == ("price_asc", [("最便宜", "sort")])
    assert sort_of("most expensive headphones") == ("price_desc", [("most expensive", "sort")])
    assert sort_of("new arrivals sneakers") == ("newest", [("new arrivals", "sort")])
    assert sort_of("newest iphone") == ("relevance", [])  # the newest model, not an order
    assert sort_of("cheapest shoes", "newest") == ("newest", [("cheapest", "unused")])
    assert sort_of("cheap jeans") == ("relevance", [("cheap", "unused")])  # a guess
    assert sort_of("latest iphone") == ("relevance", [])  # the latest model, not an order
    assert sort_of("running shoes") == ("relevance", [])
    cheapest = ParsedQuery(
        text="cheapest shoes",
        corrected="cheapest shoes",
        filters=tuple(parser.parse("cheapest shoes")),
    )
    assert item_words(cheapest) == "shoes"  # names the category Shoes


def test_a_category_the_shopper_picked_above_the_parse_keeps_the_narrower_one() -> None:
    assert narrows("Footwear > Shoes > Running Shoes", None)
    assert narrows("Footwear > Shoes > Running Shoes", "footwear")
    assert not narrows("Footwear > Shoes", "Footwear > Shoes")  # the same: the shopper's
    assert not narrows("Footwear > Shoes", "Electronics")
    assert not narrows("Footwear > Shoes", "Foot")  # whole levels only
    parsed = ParsedQuery(
        text="q", corrected="q", intent=_parsed([("Footwear > Shoes", 0.95)]).intent
    )
    assert apply_parse(parsed, SearchFilters(category="Footwear"))[0].category == (
        "Footwear > Shoes"
    )
    assert apply_parse(parsed, SearchFilters(category="Home"))[0].category == "Home"


def test_a_product_of_the_kind_the_query_names_ranks_first() -> None:
    # "phone": a smartphone is one (through the synonym smartphone), a phone case is a case
    phone = ParsedQuery(text="phone", corrected="phone", synonyms={"phone": ("smartphone", "手机")})
    boosts = ParseBoosts(phone)
    assert boosts.of(("Electronics", "Phones", "Smartphones"), {}, None) == {
        "kind Smartphones": KIND_WEIGHT
    }
    assert boosts.of(("Electronics", "Phones", "Phone Cases"), {}, None) == {}
    # the last item word is the kind: a phone charger is a charger
    charger = ParseBoosts(ParsedQuery(text="phone charger", corrected="phone charger"))
    assert charger.of(("Electronics", "Phones", "Smartphones"), {}, None) == {}
    assert charger.of(("Electronics", "Phones", "Chargers"), {}, None) == {
        "kind Chargers": KIND_WEIGHT
    }
    case = ParsedQuery(text="iphone case", corrected="iphone case")
    assert ParseBoosts(case).of(("Electronics", "Phones", "Phone Cases"), {}, None) == {
        "kind Phone Cases": KIND_WEIGHT
    }
    assert ParseBoosts(case).of(("Electronics", "Phones", "Smartphones"), {}, None) == {}


def test_the_kind_named_beside_a_brand() -> None:
    parser = AttributeParser(["Nike", "Apple"])

    def split(query: str) -> tuple[str, tuple[str, ...]]:
        parsed = ParsedQuery(text=query, corrected=query, filters=tuple(parser.parse(query)))
        return brand_and_kind(parsed)

    assert split("red nike shoes under $50") == ("shoes", ("Nike",))
    assert split("shoes without nike") == ("shoes", ())  # a brand said not to show
    assert split("running shoes") == ("running shoes", ())


def test_what_the_query_says_not_to_show() -> None:
    parser = AttributeParser(["Nike", "Adidas"])
    text = "red running shoes without nike not blue"
    parsed = ParsedQuery(text=text, corrected=text, filters=tuple(parser.parse(text)))
    out, uses = apply_parse(parsed, SearchFilters(brands=("Adidas",)))
    # the negated brand is excluded, the shopper's own brand filter kept
    assert out == SearchFilters(brands=("Adidas",), exclude_brands=("Nike",))
    by_text = {u.text: (u.use, u.note) for u in uses}
    assert by_text["without nike"] == ("filter", "no products of Nike")
    assert by_text["not blue"] == ("rank", "-0.25 to products whose colour is Blue")
    boosts = ParseBoosts(parsed)
    assert boosts.of((), {"colour": "Blue"}, "Nike") == {"not colour Blue": -ATTRIBUTE_WEIGHT}
    assert boosts.of((), {"colour": "Red"}, None) == {"colour Red": ATTRIBUTE_WEIGHT}
    assert item_words(parsed) == "running shoes"


def test_a_price_guess_lifts_products_priced_near_it_in_its_currency() -> None:
    guess = AttributeFilter("price", "40-60", (6, 14), "50 bucks", 0.7, 40.0, 60.0, "USD")
    parsed = ParsedQuery(text="jeans 50 bucks", corrected="jeans 50 bucks", filters=(guess,))
    # one currency in the catalogue: amounts compare as written
    boosts = ParseBoosts(parsed, currencies={"USD"})
    assert boosts.of((), {}, None, 49.9, "USD") == {"price 40–60": ATTRIBUTE_WEIGHT}
    assert boosts.of((), {}, None, 79.5, "USD") == {}
    assert boosts.of((), {}, None, float("nan"), "USD") == {}
    # several: a guess in dollars lifts no product priced in yuan
    several = ParseBoosts(parsed, currencies={"USD", "CNY"})
    assert several.of((), {}, None, 50.0, "CNY") == {}
    assert several.of((), {}, None, 50.0, "USD") == {"price 40–60": ATTRIBUTE_WEIGHT}
    # a guess filters nothing, and the account says it ranks
    out, uses = apply_parse(parsed, SearchFilters())
    assert out == SearchFilters()
    assert [(u.field, u.use) for u in uses] == [("price", "rank")]
    assert uses[0].note.endswith("+0.25 to products at price 40–60 USD")
    sorted_by_price = apply_parse(parsed, SearchFilters(), sort="price_asc")[1]
    assert sorted_by_price[0].use == "unused"
    # a query that is only the guess filters by it, and then it lifts nothing
    alone = ParsedQuery(
        text="50 bucks", corrected="50 bucks", filters=(replace(guess, span=(0, 8)),)
    )
    out, uses = apply_parse(alone, SearchFilters())
    assert (out.min_price, out.max_price) == (40.0, 60.0) and uses[0].use == "filter"
    assert ParseBoosts(alone).prices == []
    # a bare range (a lens's 70-200) is below a guess: it neither filters nor ranks
    lens = replace(guess, confidence=0.6, currency=None)
    assert not ParseBoosts(ParsedQuery(text="q", corrected="q", filters=(lens,)), frozenset())
