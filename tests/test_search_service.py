"""The search service on the shipped demo catalogue: modes, filters, facets, sort, explanations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from shopsense.app.demo import ingest_demo_catalog
from shopsense.app.search import SearchRequest, SearchService
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.core.errors import InputError
from shopsense.retrieval.filters import SearchFilters
from shopsense.retrieval.index_sync import index_version


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("search")
    services = Services.from_settings(Settings(db=str(root / "demo.db"), data_dir=root / "data"))
    ingest_demo_catalog(services)
    yield services
    services.close()


@pytest.fixture(scope="module")
def search(svc: Services) -> SearchService:
    return svc.search()


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid", "ltr"])
def test_every_mode_finds_the_obvious_products(search: SearchService, mode: str) -> None:
    en = search.search(SearchRequest("sony headphones", mode=mode, size=3))
    assert all("Sony" in h.product.title for h in en.hits[:2])
    zh = search.search(SearchRequest("小米手机", mode=mode, size=3))
    assert all(h.product.brand == "Xiaomi" for h in zh.hits[:2])


def test_filters_hold_for_every_hit_and_facets_count_the_result_set(search: SearchService) -> None:
    f = SearchFilters(brands=("sony",), max_price=300.0, in_stock=True)
    result = search.search(SearchRequest("headphones", filters=f, size=50))
    assert result.hits and result.total == len(result.hits)
    for h in result.hits:
        assert h.product.brand == "Sony" and h.product.availability == "in_stock"
        assert h.product.effective_price is not None and h.product.effective_price <= 300
    assert result.facets.brand == {"Sony": result.total}
    assert sum(result.facets.availability.values()) == result.total
    cat = search.search(SearchRequest("shoes", filters=SearchFilters(category="Footwear"), size=50))
    assert cat.hits and all(h.product.category[0] == "Footwear" for h in cat.hits)
    assert set(cat.facets.category[0]) == {"Footwear"}


def test_sorts_and_pages(search: SearchService) -> None:
    only_usd = SearchFilters(currency="USD")
    asc = search.search(SearchRequest("shoes", only_usd, sort="price_asc", size=100))
    prices = [h.product.effective_price for h in asc.hits if h.product.effective_price is not None]
    assert prices == sorted(prices) and len(prices) > 5
    assert not any(n.startswith("prices are not converted") for n in asc.notices)  # one currency
    desc = search.search(SearchRequest("shoes", only_usd, sort="price_desc", size=100))
    assert desc.hits[0].product.effective_price == prices[-1]
    p1 = search.search(SearchRequest("shoes", size=5))
    p2 = search.search(SearchRequest("shoes", size=5, page=2))
    assert [h.rank for h in p2.hits] == [6, 7, 8, 9, 10]
    assert not {h.product.id for h in p1.hits} & {h.product.id for h in p2.hits}
    with pytest.raises(InputError):
        SearchRequest("shoes", size=1000)
    with pytest.raises(InputError):
        SearchRequest("shoes", sort="cheapest")


def test_prices_in_two_currencies_are_sorted_apart_and_said_so(search: SearchService) -> None:
    result = search.search(SearchRequest("", sort="price_asc", size=100, page=1))
    rest = [search.search(SearchRequest("", sort="price_asc", size=100, page=n)) for n in (2, 3, 4)]
    hits = [h for r in (result, *rest) for h in r.hits]
    # the demo has more USD products than CNY ones: USD first, each currency in price order
    currencies = [h.product.currency for h in hits if h.product.effective_price is not None]
    first_cny = currencies.index("CNY")
    assert set(currencies[:first_cny]) == {"USD"} and set(currencies[first_cny:]) == {"CNY"}
    for currency in ("USD", "CNY"):
        paid = [h.product.effective_price for h in hits if h.product.currency == currency]
        assert paid == sorted(paid)  # type: ignore[type-var]
    assert result.notices == (
        "prices are not converted: sorted within each currency (USD, then CNY)",
    )


@pytest.mark.parametrize(
    ("query", "first"), [("nike", "USD"), ("耐克", "CNY"), ("耐克 nike", "CNY")]
)
def test_a_price_sort_lists_first_the_currency_of_the_query_s_script(
    search: SearchService, query: str, first: str
) -> None:
    """The demo's Chinese titles are priced in yuan, its English ones in dollars; Nike's
    products of both hold 耐克 and nike (brand names are synonyms)."""
    result = search.search(SearchRequest(query, sort="price_asc", size=100))
    priced = [h.product for h in result.hits if h.product.effective_price is not None]
    assert {p.currency for p in priced} == {"USD", "CNY"} and priced[0].currency == first
    last = max(n for n, p in enumerate(priced) if p.currency == first)
    assert {p.currency for p in priced[: last + 1]} == {first}
    said = f"prices are not converted: sorted within each currency ({first}, then"
    assert any(n.startswith(said) for n in result.notices)


def test_an_empty_query_lists_every_product_whatever_the_page(search: SearchService) -> None:
    everything = search.table_size
    pages = [(5, 1), (5, 21), (100, 4), (10, 11)]
    totals = {search.search(SearchRequest("", size=s, page=p)).total for s, p in pages}
    assert totals == {everything}
    last = search.search(SearchRequest("", size=100, page=4))
    assert len(last.hits) == everything - 300
    assert sum(last.facets.availability.values()) == everything
    ids = [
        h.product.id
        for n in range(1, 5)
        for h in search.search(SearchRequest("", size=100, page=n)).hits
    ]
    assert len(set(ids)) == len(ids) == everything  # no product twice, none left out
    # the cheapest product in dollars is the first one listed by price in dollars
    usd = search.search(SearchRequest("", SearchFilters(currency="USD"), sort="price_asc"))
    cheapest = min(
        p.effective_price
        for p in search.products.iter_all()
        if p.currency == "USD" and p.effective_price is not None
    )
    assert usd.hits[0].product.effective_price == cheapest
    why = search.search(SearchRequest("", explain=True, size=1)).hits[0].explanation
    assert why is not None and why.ranker == "browse" and "by popularity" in why.notes[-1]
    # what cannot be bought comes last (the demo's most popular jacket is out of stock)
    for filters in (SearchFilters(), SearchFilters(category="Apparel")):
        listed = [
            h
            for n in range(1, 5)
            for h in search.search(SearchRequest("", filters, page=n, size=100)).hits
        ]
        gone = [h.product.availability == "out_of_stock" for h in listed]
        assert any(gone) and gone == sorted(gone), filters


def test_a_result_with_no_word_of_the_query_or_no_product_says_so(
    search: SearchService,
) -> None:
    junk = search.search(SearchRequest("asdfghjkl"))
    assert junk.total == 0 and junk.notices == (
        "no product matches 'asdfghjkl', by its words or near enough in meaning",
    )
    # Chinese words no title holds: products near in meaning, and the notice says why
    near = search.search(
        SearchRequest("降噪耳机", mode="hybrid", filters=SearchFilters(brands=("sony",)))
    )
    assert near.hits and all(h.product.brand == "Sony" for h in near.hits)
    assert not search.search(SearchRequest("running shoes")).notices
    none = search.search(SearchRequest("red running shoes under 5", understand=True))
    assert none.total == 0 and none.notices[0].startswith(
        "nothing passes the filters read from the query ('under 5'"
    )
    # words no product holds are said to be the cause, not the price read beside them
    junk = search.search(SearchRequest("asdfghjkl under $50", understand=True))
    assert junk.notices == (
        "no product matches 'asdfghjkl', by its words or near enough in meaning",
    )
    # words too common to index: not every product in the catalogue
    for common in ("the", "for the", "的"):
        found = search.search(SearchRequest(common))
        assert found.total == 0 and found.notices == (
            f"nothing to search for in {common!r}: only words too common to search",
        )
    assert search.search(SearchRequest("the north face")).total > 0
    # shoes exist, but none passes these filters: the notice says so, not "no such words"
    cheap = SearchFilters(max_price=20.0, currency="USD")
    socks = search.search(SearchRequest("shoes", cheap, explain=True))
    assert socks.hits and socks.notices == (
        "no product with the words of 'shoes' passes the filters: these pass them and are"
        " the closest in meaning",
    )
    why = socks.hits[0].explanation
    assert why is not None and why.notes[0].startswith("found by meaning, not by its words")
    # a synonym note only on the hits that hold the synonym
    nike = search.search(SearchRequest("nike", explain=True, size=100)).hits
    noted = {h.product.title for h in nike if "synonym added: '耐克'" in h.explanation.notes}
    assert noted and all("耐克" in t for t in noted)


def test_an_empty_browse_says_the_filters_pass_nothing(search: SearchService) -> None:
    nothing = search.search(SearchRequest("", SearchFilters(max_price=0.5, currency="USD")))
    assert nothing.total == 0 and nothing.notices == ("no product passes the filters",)
    cheap = search.search(SearchRequest("1元以下", understand=True))
    assert cheap.total == 0 and cheap.notices[0].startswith(
        "nothing passes the filters read from the query ('1元以下')"
    )


def test_a_price_is_a_filter_not_words_to_match(search: SearchService) -> None:
    # "under $50" matched "SPF 50" as words; a query that is only a price browses under it
    only = search.search(SearchRequest("300元以下", understand=True, size=100))
    assert only.query == "" and only.total > 20
    assert {h.product.currency for h in only.hits} == {"CNY"}
    assert all((h.product.effective_price or 0) <= 300 for h in only.hits)
    kind = search.search(SearchRequest("sunscreen under $50", understand=True, size=50))
    assert kind.query == "sunscreen" and kind.hits
    assert all(h.product.category[-1] == "Sunscreen" for h in kind.hits)


def test_a_brand_named_in_either_script_finds_all_its_products(
    svc: Services, search: SearchService
) -> None:
    # 宜家 found the two IKEA products titled in Chinese, not the five titled in English
    for query, brand in (("宜家", "IKEA"), ("卡西欧", "Casio"), ("耐克", "Nike")):
        sold = {s.product.id for s in svc.products.iter_stored() if s.product.brand == brand}
        found = search.search(SearchRequest(query, mode="bm25", size=100))
        assert {h.product.id for h in found.hits} == sold, query


def test_a_gender_named_in_either_script_finds_the_products_titled_either_way(
    search: SearchService,
) -> None:
    # 男士 found the 9 titles that say 男士, not those that say 男子 or Men's
    def titles(query: str) -> set[str]:
        return {h.product.title for h in search.search(SearchRequest(query, size=100)).hits}

    chinese, english = titles("男士"), titles("men")
    assert chinese == english and len(chinese) > 50
    assert any("男子" in t for t in chinese) and any("Men's" in t for t in chinese)
    assert not any("Women" in t or "女" in t for t in chinese)


def test_picking_a_category_facet_returns_what_the_facet_counted(search: SearchService) -> None:
    # "running shoes" filters to Running Shoes; its facet says Footwear (15): picking it
    # must not widen the result to every one of Footwear's products
    first = search.search(SearchRequest("running shoes", understand=True, size=50))
    counted = first.facets.category[0]["Footwear"]
    picked = SearchFilters(category="Footwear")
    second = search.search(SearchRequest("running shoes", picked, understand=True, size=50))
    assert second.total == counted == first.total
    elsewhere = SearchFilters(category="Electronics")  # the shopper's choice stands
    assert search.search(SearchRequest("running shoes", elsewhere, understand=True)).total == 0
    # "shoes" names Footwear > Shoes (running shoes and sneakers): picking that facet, or
    # one of its subcategories, lists what it counted, not the model's narrower guess
    shoes = search.search(SearchRequest("shoes", understand=True, size=50))
    for path in ("Footwear > Shoes", "Footwear > Shoes > Sneakers"):
        counted = shoes.facets.category[path.count(" > ")][path]
        got = search.search(SearchRequest("shoes", SearchFilters(category=path), understand=True))
        assert got.total == counted, path


def test_a_brand_and_a_category_name_filter_to_the_category_the_brand_spreads_over(
    search: SearchService,
) -> None:
    # Nike sells running shoes and sneakers: "nike shoes" is every Nike shoe
    shoes = search.search(SearchRequest("nike shoes", understand=True, size=50))
    (use,) = [u for u in shoes.understood if u.field == "category"]
    assert (use.value, use.text, use.use) == ("Footwear > Shoes", "shoes", "filter")
    kinds = {h.product.category[-1] for h in shoes.hits if h.product.brand == "Nike"}
    assert kinds == {"Running Shoes", "Sneakers"}
    assert shoes.hits[0].product.brand == "Nike"
    # Apple's watches are all smart watches: "apple watch" names no wider category
    watch = search.search(SearchRequest("apple watch", understand=True, size=50))
    assert not any(u.field == "category" and u.text for u in watch.understood)


def test_a_kind_named_in_the_query_ranks_that_kind_first(search: SearchService) -> None:
    # "phone": smartphones (their titles never say phone) before phone cases and chargers
    phone = search.search(SearchRequest("phone", understand=True, size=10, explain=True))
    kinds = [h.product.category[-1] for h in phone.hits]
    assert kinds[:5] == ["Smartphones"] * 5, kinds
    why = phone.hits[0].explanation
    assert why is not None and why.parse["kind Smartphones"] > 0


def test_cheapest_in_the_query_sorts_by_price(search: SearchService) -> None:
    cheapest = search.search(SearchRequest("cheapest running shoes", understand=True, size=50))
    plain = search.search(SearchRequest("running shoes", understand=True, size=50))
    assert cheapest.sort == "price_asc" and cheapest.query == "running shoes"
    assert {h.product.id for h in cheapest.hits} == {h.product.id for h in plain.hits}
    usd = [h.product.effective_price for h in cheapest.hits if h.product.currency == "USD"]
    assert len(usd) > 3 and usd == sorted(usd)
    chosen = search.search(SearchRequest("cheapest running shoes", sort="newest", understand=True))
    assert chosen.sort == "newest"
    # nothing left but an order: every product, in that order; a sort phrase is never
    # searched as words, whichever sort applies
    for query, sort in (("the cheapest", "relevance"), ("cheapest", "newest")):
        every = search.search(SearchRequest(query, sort=sort, understand=True))
        assert every.query == "" and every.total == search.table_size, query
    # sorted, only the products holding the words: no cheaper neighbour in meaning
    nike = search.search(SearchRequest("nike", sort="price_asc", size=100))
    assert nike.hits and {h.product.brand for h in nike.hits} == {"Nike"}


def test_a_query_that_is_only_a_price_filters_by_it(search: SearchService) -> None:
    for query, currency, low, high in (("around 400", None, 320, 480), ("100元", "CNY", 80, 120)):
        found = search.search(SearchRequest(query, understand=True, size=100))
        assert found.query == "" and 0 < found.total < 50, query
        (use,) = [u for u in found.understood if u.field == "price"]
        assert use.use == "filter"
        for h in found.hits:
            assert low <= (h.product.effective_price or 0) <= high
            assert currency is None or h.product.currency == currency


def test_a_brand_filter_in_another_spelling_is_the_catalogue_s(search: SearchService) -> None:
    for spelling in ("耐克", "NIKE"):
        found = search.search(SearchRequest("跑鞋", SearchFilters(brands=(spelling,)), size=50))
        assert found.hits and {h.product.brand for h in found.hits} == {"Nike"}, spelling


def test_a_brand_the_query_says_not_to_show_is_left_out(search: SearchService) -> None:
    for query in ("running shoes without nike", "不要耐克的跑鞋", "non-nike running shoes"):
        found = search.search(SearchRequest(query, understand=True, size=50))
        assert found.hits and found.query in ("running shoes", "跑鞋"), found.query
        assert all(h.product.brand != "Nike" for h in found.hits), query
        assert "Nike" not in found.facets.brand
    plain = search.search(SearchRequest("running shoes", understand=True, size=50))
    assert any(h.product.brand == "Nike" for h in plain.hits)


def test_an_amount_alone_ranks_products_near_it_and_hides_none(search: SearchService) -> None:
    # "jeans 50 bucks": a guess about the price, not a filter (it may be a face value)
    plain = search.search(SearchRequest("jeans", understand=True, size=50))
    near = search.search(SearchRequest("jeans 50 bucks", understand=True, size=50, explain=True))
    assert near.query == "jeans" and near.total == plain.total
    (use,) = [u for u in near.understood if u.field == "price"]
    assert (use.text, use.use) == ("50 bucks", "rank")
    priced = [(h.product.currency, h.product.effective_price or 0) for h in near.hits]
    lifted = [c == "USD" and 40 <= p <= 60 for c, p in priced]
    assert sum(lifted) >= 2 and lifted == sorted(lifted, reverse=True), priced
    why = near.hits[0].explanation
    assert why is not None and why.parse["price 40–60"] > 0
    yuan = search.search(SearchRequest("耳机 300元", understand=True, size=5))
    first = yuan.hits[0].product
    assert first.currency == "CNY" and 240 <= (first.effective_price or 0) <= 360


def test_a_query_in_traditional_chinese_finds_what_simplified_finds(
    search: SearchService,
) -> None:
    for mode in ("bm25", "hybrid"):
        simple = search.search(SearchRequest("华为 手机壳", mode=mode, understand=True, size=5))
        trad = search.search(SearchRequest("華為 手機殼", mode=mode, understand=True, size=5))
        assert [h.product.id for h in trad.hits] == [h.product.id for h in simple.hits], mode
        assert trad.hits[0].product.brand == "Huawei"
        assert [(u.field, u.value) for u in trad.understood][0] == ("brand", "Huawei")


def test_explanations_name_fields_and_contributions(search: SearchService) -> None:
    result = search.search(SearchRequest("sony hedphones", explain=True, size=3))
    why = result.hits[0].explanation
    assert why is not None and why.ranker == "linear"
    assert why.matched["brand"] == ["sony"] and "sony" in why.matched["title"]
    assert sum(why.contributions.values()) == pytest.approx(result.hits[0].score, abs=1e-3)
    assert any("hedphones" in n and "edit distance" in n for n in why.notes)


def test_index_is_incremental_and_embeddings_are_never_recomputed(
    svc: Services, search: SearchService
) -> None:
    first = search.pipeline.index.report
    assert first.encoded == first.products > 300
    product = svc.products.get("P0052")
    svc.products.upsert([product.model_copy(update={"title": "小米15 Pro 折叠屏 zqxwv"})])
    svc.products.delete("P0001")
    again = Services.from_settings(svc.settings)
    try:
        fresh = again.search()
        report = fresh.pipeline.index.report
        assert (report.indexed, report.deleted, report.encoded) == (1, 1, 1)
        assert report.reused == report.products - 1
        hit = fresh.search(SearchRequest("zqxwv", mode="hybrid", size=1)).hits[0]
        assert hit.product.id == "P0052"
        everything = fresh.search(SearchRequest("", size=100, page=4, mode="bm25"))
        assert everything.total == report.products
        ids = {
            h.product.id
            for p in range(1, 5)
            for h in fresh.search(SearchRequest("", size=100, page=p, mode="bm25")).hits
        }
        assert "P0001" not in ids and "P0052" in ids and len(ids) == report.products
        dense = fresh.pipeline.index.dense
        assert dense is not None and len(dense) == report.products
        q = np.asarray(fresh.pipeline.index.encoder.encode(["wireless earbuds"])[0])  # type: ignore[union-attr]
        exact, approx = dense.search_exact(q, 10), dense.search(q, 10)
        assert len(set(exact.keys.tolist()) & set(approx.keys.tolist())) >= 9
    finally:
        again.close()


def test_an_index_of_other_terms_is_emptied_when_the_catalogue_is_empty(tmp_path: Path) -> None:
    from shopsense.catalog.schema import Product
    from shopsense.catalog.store import ProductStore
    from shopsense.retrieval.index_sync import SearchIndex
    from shopsense.storage.engine import open_store

    engine = open_store(str(tmp_path / "s.db"))
    store = ProductStore(engine)
    store.upsert([Product.model_validate({"id": f"P{i}", "title": "Red Shoes"}) for i in range(3)])
    folder = tmp_path / "index"
    assert SearchIndex.open(engine, folder).lexical.num_docs == 3
    (folder / "lexical.terms").write_text("0", encoding="utf-8")
    for i in range(3):
        store.delete(f"P{i}")
    again = SearchIndex.open(engine, folder)
    assert again.lexical.num_docs == 0 and len(again.table) == 0
    assert (folder / "lexical.terms").read_text(encoding="utf-8") == index_version()


def test_a_query_of_symbols_finds_nothing_and_pictographs_are_read(search: SearchService) -> None:
    for understand in (False, True):
        nothing = search.search(SearchRequest("!!! ??", understand=understand))
        assert nothing.total == 0 and nothing.hits == [] and nothing.facets.brand == {}
        assert nothing.query == "!!! ??"
        assert nothing.notices == ("nothing to search for in '!!! ??': it has no letter or digit",)
    shoe = search.search(SearchRequest("👟", size=5))
    assert shoe.query == "athletic shoe" and shoe.notices == ("read 👟 as “athletic shoe”",)
    words = search.search(SearchRequest("athletic shoe", size=5))
    assert [h.product.id for h in shoe.hits] == [h.product.id for h in words.hits]
    assert shoe.hits[0].product.category[0] == "Footwear"
    # an empty query still browses the catalogue
    assert search.search(SearchRequest("   ")).total > 0
    # read words may pass the query limit; they are cut at a word, not refused
    many = search.search(SearchRequest("👟" * 200, size=3))
    assert many.hits and len(many.query) <= 512 and many.query.split()[-1] in {"athletic", "shoe"}


def test_singular_and_plural_meet_and_an_index_of_other_terms_is_rebuilt(svc: Services) -> None:
    svc.search()  # the index folder exists
    (terms,) = svc.settings.data_dir.glob("search/*/lexical.terms")
    terms.write_text("0", encoding="utf-8")  # as if built by a shopsense that folded otherwise
    again = Services.from_settings(svc.settings)
    try:
        fresh = again.search()
        report = fresh.pipeline.index.report
        assert report.indexed == report.products == fresh.pipeline.index.lexical.num_docs
        assert terms.read_text(encoding="utf-8") == index_version()
        # titles say "Running Shoes"; the shopper types one shoe
        shoe = fresh.search(SearchRequest("running shoe", mode="bm25", size=5, explain=True))
        assert all("Shoes" in h.product.title for h in shoe.hits) and len(shoe.hits) == 5
        assert shoe.hits[0].explanation is not None
        assert shoe.hits[0].explanation.matched["title"] == ["running", "shoe"]
        plural = fresh.search(SearchRequest("running shoes", mode="bm25", size=5, explain=True))
        assert [h.product.id for h in plural.hits] == [h.product.id for h in shoe.hits]
        assert plural.hits[0].explanation is not None
        assert plural.hits[0].explanation.matched["title"] == ["running", "shoes"]
    finally:
        again.close()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """A demo store with the demo's intent model (weak labels: titles → their category)."""
    from shopsense.app.demo import train_demo_intent

    root = tmp_path_factory.mktemp("trained")
    own = Services.from_settings(Settings(db=str(root / "d.db"), data_dir=root / "data"))
    try:
        ingest_demo_catalog(own)
        train_demo_intent(own)
        yield own
    finally:
        own.close()


def test_a_generic_word_does_not_hide_the_sibling_category(trained: Services) -> None:
    own, search = trained, trained.search()
    # the weak-label model reads "watch" as Smart Watches, sure; wrist watches say "Watch"
    intent = own.query.understanding().parse("watch").intent
    assert intent is not None and intent.category.endswith("Smart Watches")
    assert intent.probability >= 0.9
    found = search.search(SearchRequest("watch", understand=True, size=50))
    kinds = {h.product.category[-1] for h in found.hits}
    assert kinds == {"Smart Watches", "Wrist Watches"}
    (use,) = [u for u in found.understood if u.field == "category"]
    assert use.use == "filter" and use.value == "Accessories > Watches"
    # a word only one sibling has, or a brand only one sibling has, keeps the filter
    for query in ("smart watch", "apple watch"):
        narrow = search.search(SearchRequest(query, understand=True, size=50))
        assert {h.product.category[-1] for h in narrow.hits} == {"Smart Watches"}, query
    # a query that names a category of the catalogue filters to it, whatever the model
    # guessed: "shoes" is every shoe (the model: Running Shoes, p 1.00), "laptop" the
    # laptops (the model: a laptop backpack's category)
    shoes = search.search(SearchRequest("shoes", understand=True, size=50))
    assert {h.product.category[-1] for h in shoes.hits} == {"Running Shoes", "Sneakers"}
    laptop = search.search(SearchRequest("laptop", understand=True, size=50))
    assert laptop.hits and {h.product.category[-1] for h in laptop.hits} == {"Laptops"}
    (use,) = [u for u in laptop.understood if u.field == "category"]
    assert use.note.startswith(
        "only products under Electronics > Computers > Laptops: the query names this category"
    )


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("iphone 16", "Smartphones"),
        ("iphone 16 pro", "Smartphones"),
        ("s25 ultra", "Smartphones"),
        ("黑色 iphone 16", "Smartphones"),
        ("iphone 16 case", "Phone Cases"),
        ("iphone 16 pro case", "Phone Cases"),
        ("s25 ultra case", "Phone Cases"),
        ("iphone 16 手机壳", "Phone Cases"),
    ],
)
def test_a_model_name_finds_the_product_before_its_accessories(
    trained: Services, query: str, kind: str
) -> None:
    # the cases' titles name the phone they fit ("Case for iPhone 16 Pro"); the weak labels
    # leave that out, so the model no longer reads "iphone 16" as Phone Cases (it did, p 0.86)
    intent = trained.query.understanding().parse(query).intent
    assert intent is not None and intent.top[0].category.endswith(kind)
    found = trained.search().search(SearchRequest(query, understand=True, size=5))
    assert found.hits[0].product.category[-1] == kind


def test_the_demo_retrains_only_a_model_it_trained_on_older_weak_labels(tmp_path: Path) -> None:
    from shopsense.app.demo import DEMO_INTENT_SOURCE, train_demo_intent
    from shopsense.query.intent_store import save_intent_model

    own = Services.from_settings(Settings(db=str(tmp_path / "d.db"), data_dir=tmp_path / "data"))
    try:
        ingest_demo_catalog(own)
        assert train_demo_intent(own) == 1
        assert train_demo_intent(own) == 1  # the same recipe: reused
        model = own.query.intent_model()
        assert model is not None
        # the demo's model before fits clauses were left out: no recipe in its meta
        assert save_intent_model(own.engine, model, {"trained_on": DEMO_INTENT_SOURCE}) == 2
        assert train_demo_intent(own) == 3
        # a model someone trained with `shopsense train intent` is never replaced
        assert save_intent_model(own.engine, model, {"trained_on": "my labels"}) == 4
        assert train_demo_intent(own) == 4
    finally:
        own.close()


def test_a_price_in_yuan_never_passes_a_product_priced_in_dollars(search: SearchService) -> None:
    # the demo catalogue prices in CNY and USD; a $205.99 backpack is no "300元以下" one
    yuan = search.search(SearchRequest("双肩包 300元以下", understand=True, size=50))
    assert yuan.hits
    for h in yuan.hits:
        assert h.product.currency == "CNY" and (h.product.effective_price or 0) <= 300
    dollars = search.search(SearchRequest("backpack under $150", understand=True, size=50))
    assert dollars.hits and {h.product.currency for h in dollars.hits} == {"USD"}
    # an explicit filter keeps to its currency in every retrieval mode; "rmb" is yuan
    own = SearchFilters(max_price=100.0, currency="rmb")
    assert own == SearchFilters(max_price=100.0, currency="CNY")
    for mode in ("bm25", "dense", "hybrid"):
        found = search.search(SearchRequest("backpack", filters=own, mode=mode, size=50))
        assert found.hits and {h.product.currency for h in found.hits} == {"CNY"}, mode


def test_request_rewriters_run_before_retrieval(search: SearchService) -> None:
    from dataclasses import replace

    def under_50(request: SearchRequest) -> SearchRequest:
        words = request.query.replace("under 50", "").strip()
        return replace(request, query=words, filters=SearchFilters(max_price=50.0))

    search.rewriters.append(under_50)
    try:
        result = search.search(SearchRequest("backpack under 50", size=20))
    finally:
        search.rewriters.clear()
    assert result.query == "backpack" and result.hits
    assert "Backpack" in result.hits[0].product.title
    assert all((h.product.effective_price or 0) <= 50 for h in result.hits)


def test_requests_waiting_for_their_turn_are_encoded_in_one_batch(svc: Services) -> None:
    import threading
    import time

    from shopsense.app.search import SearchResult

    service = svc.search()
    encoder = service.pipeline.index.encoder
    assert encoder is not None
    batches: list[list[str]] = []
    original = encoder.encode

    def counting(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        batches.append(list(texts))
        return original(texts)

    queries = ["noise cancelling headphones", "stainless steel kettle", "wool winter scarf"]
    results: dict[str, SearchResult] = {}
    encoder.encode = counting  # type: ignore[method-assign]
    try:
        with svc._turns.turn(SearchRequest("held")):  # a search runs: the three line up
            threads = [
                threading.Thread(
                    target=lambda q=q: results.update({q: svc.run_search(SearchRequest(q))[0]})
                )
                for q in queries
            ]
            for t in threads:
                t.start()
            deadline = time.monotonic() + 30
            while len(svc._turns) < 1 + len(queries) and time.monotonic() < deadline:
                time.sleep(0.01)
        for t in threads:
            t.join()
    finally:
        del encoder.encode
    assert len(batches) == 1 and sorted(batches[0]) == sorted(queries)
    for q in queries:  # the same answers as searched alone (vectors equal to float rounding)
        service.pipeline.clear_cache()
        alone = service.search(SearchRequest(q))
        assert [h.product.id for h in results[q].hits] == [h.product.id for h in alone.hits]
        assert [h.score for h in results[q].hits] == pytest.approx(
            [h.score for h in alone.hits], abs=1e-5
        )


def test_a_failed_parser_rebuild_still_swaps_in_the_new_indexes(tmp_path: Path) -> None:
    log = tmp_path / "queries.txt"
    log.write_text("running shoes\n", encoding="utf-8")
    settings = Settings(
        db=str(tmp_path / "s.db"), data_dir=tmp_path / "data", query_log=log, search_warm=False
    )
    svc = Services.from_settings(settings)
    try:
        first = {"id": "P1", "title": "Trail running shoes", "brand": "Salomon"}
        svc.write_products([first], gate=False)
        request = SearchRequest(query="quokka", mode="bm25", understand=True)
        assert svc.search().search(request).total == 0  # search and its parser are in use
        log.unlink()  # the parser cannot be rebuilt now
        svc.write_products([{"id": "P2", "title": "Quokka plush toy"}], gate=False)
        assert svc.refresh_search()
        assert [h.product.id for h in svc.search().search(request).hits] == ["P2"]
        assert svc.query.parse("salomon shoes").filters  # the previous parser still serves
        log.write_text("quokka\n", encoding="utf-8")
        svc.write_products([{"id": "P3", "title": "Outback hat", "brand": "Outback"}], gate=False)
        assert svc.refresh_search()  # rebuilt this time: it knows the new brand
        assert [f.value for f in svc.query.parse("outback hat").filters] == ["Outback"]
    finally:
        svc.close()


def test_a_refresh_redoes_only_the_changed_products_and_equals_a_fresh_open(
    tmp_path: Path,
) -> None:
    from shopsense.app.search_wiring import open_search

    settings = Settings(db=str(tmp_path / "s.db"), data_dir=tmp_path / "data", semantic=False)
    svc = Services.from_settings(settings)
    try:
        rows = [
            {"id": "P1", "title": "Trail running shoes", "brand": "Salomon", "price": 120},
            {"id": "P2", "title": "Road running shoes", "brand": "Asics", "price": 90},
            {"id": "P3", "title": "Wool hiking socks", "brand": "Darn Tough", "price": 25},
        ]
        svc.write_products(rows, gate=False)
        old = svc.search()
        old.warm()
        parser = svc.query.understanding()  # in use, as under the storefront
        svc.write_products([{**rows[1], "price": 75}], gate=False)  # the price alone
        assert svc.refresh_search()
        new = svc.search()
        # unchanged products keep their terms and stored copies; the changed one is re-read
        assert (old.pipeline.terms.tokenized, new.pipeline.terms.tokenized) == (3, 1)
        assert new._products(["P1"])["P1"] is old._products(["P1"])["P1"]
        assert new._products(["P2"])["P2"].price == 75
        # a price is nothing the parser learns from: it is not rebuilt
        assert svc.query.understanding() is parser
        svc.write_products([{**rows[2], "title": "Merino hiking socks"}], gate=False)
        assert svc.refresh_search()
        assert svc.query.understanding() is not parser  # a title is
        carried = svc.search()
        hits = carried.search(SearchRequest("merino socks", mode="bm25")).hits
        assert [h.product.title for h in hits] == ["Merino hiking socks"]
        # every row's terms (title IDF included) equal those of a service opened afresh
        fresh = open_search(settings, svc.engine, svc.index_dir, None)
        for row in range(fresh.table_size):
            assert carried.pipeline.terms.get(row) == fresh.pipeline.terms.get(row)
        assert (carried.pipeline.terms.tokenized, fresh.pipeline.terms.tokenized) == (1, 3)
    finally:
        svc.close()


def test_the_built_in_synonyms_search_across_languages(search: SearchService) -> None:
    from shopsense.app.search_wiring import search_synonyms

    socks = search.search(SearchRequest("袜子", mode="bm25", explain=True))
    assert socks.total >= 5 and all("Socks" in h.product.category for h in socks.hits)
    why = socks.hits[0].explanation
    assert why is not None and "synonym added: 'sock'" in why.notes
    phones = search.search(SearchRequest("mobile phone", mode="bm25", size=3))
    assert all(h.product.category[-1] == "Smartphones" for h in phones.hits)
    # a shop can search with its own synonym file alone
    assert search_synonyms(None, builtin=False) is None


def test_a_product_out_of_stock_ranks_below_an_equal_one_in_stock(search: SearchService) -> None:
    result = search.search(SearchRequest("mango slip dress", explain=True, size=2))
    first, second = result.hits
    assert first.product.title.startswith("Mango") and second.product.title.startswith("Mango")
    assert [first.product.availability, second.product.availability] == [
        "in_stock",
        "out_of_stock",
    ]
    assert first.explanation is not None and second.explanation is not None
    assert "out_of_stock" not in first.explanation.contributions
    assert second.explanation.contributions["out_of_stock"] == -0.3
    # demoted, not hidden
    only = search.search(SearchRequest("mango slip dress", SearchFilters(brands=("mango",))))
    assert second.product.id in {h.product.id for h in only.hits}


def test_filters_naming_nothing_in_the_catalogue_say_what_there_is(
    search: SearchService,
) -> None:
    def notices(filters: SearchFilters) -> tuple[str, ...]:
        result = search.search(SearchRequest("dress", filters=filters))
        assert result.total == 0
        return result.notices

    assert notices(SearchFilters(attributes=(("color", "Red"),))) == (
        "no product that matches 'dress' passes the filters",
        "no product has the attribute 'color' (attributes: colour, gender, material, size,"
        " size_norm)",
    )
    assert notices(SearchFilters(category="Dresses"))[1] == (
        "no category 'Dresses' in this catalogue; did you mean 'Apparel > Dresses' or"
        " 'Apparel > Dresses > Dresses'?"
    )
    assert notices(SearchFilters(attributes=(("colour", "Mauve"),)))[1].startswith(
        "no product has colour=Mauve (colour: Beige, Black, Blue,"
    )
    # a filter that exists but matches no dress says nothing of the sort
    assert notices(SearchFilters(category="Electronics", max_price=1.0, currency="USD")) == (
        "no product that matches 'dress' passes the filters",
    )
    assert notices(SearchFilters(brands=("Mangoo",)))[1] == (
        "no brand 'Mangoo' in this catalogue; did you mean 'Mango'?"
    )
    assert notices(SearchFilters(currency="EUR"))[1] == (
        "no product is priced in EUR (prices here: CNY, USD)"
    )


def test_a_write_during_a_refresh_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(db=str(tmp_path / "s.db"), data_dir=tmp_path / "data", semantic=False)
    svc = Services.from_settings(settings)
    try:
        rows = [
            {"id": "P1", "title": "Wool socks", "price": 11},
            {"id": "P2", "title": "Cotton socks", "price": 9},
            {"id": "P3", "title": "Hiking boots", "price": 90},
        ]
        svc.write_products(rows, gate=False)
        svc.search().warm()
        real_carry = SearchService.carry

        def carry_then_write(fresh: SearchService, old: SearchService) -> None:
            real_carry(fresh, old)  # copies taken over; now a shopper's write comes in
            svc.write_products([{**rows[0], "title": "Merino socks", "price": 99}], gate=False)
            svc.delete_product("P2")

        monkeypatch.setattr(SearchService, "carry", carry_then_write)
        svc.refresh_search()
        monkeypatch.undo()
        hits = svc.search().search(SearchRequest("socks", mode="bm25")).hits
        # the index takes the change on the next refresh; what hits show is the store's now
        assert [(h.product.id, h.product.title, h.product.price) for h in hits] == [
            ("P1", "Merino socks", 99.0)
        ]
    finally:
        svc.close()


def test_a_model_number_typed_short_finds_the_longer_one(search: SearchService) -> None:
    for query in ("ga2100", "GA-2100", "bes870"):
        result = search.search(SearchRequest(query, mode="bm25", explain=True))
        assert result.hits, query
        code = query.replace("-", "").upper()
        titles = [h.product.title.replace("-", "").upper() for h in result.hits]
        holding = [code in t for t in titles]
        assert holding[0] and holding == sorted(holding, reverse=True), query  # them first
        why = result.hits[0].explanation
        assert why is not None and any("typed short" in n for n in why.notes)


def test_a_size_in_the_query_lifts_that_size(search: SearchService) -> None:
    result = search.search(SearchRequest("xl t-shirt", understand=True, explain=True, size=4))
    assert [h.product.attributes.get("size") for h in result.hits] == ["XL"] * 4
    why = result.hits[0].explanation
    assert why is not None and why.parse["size XL"] == 0.25


def test_ltr_without_a_learned_model_says_what_it_ranks_with(search: SearchService) -> None:
    assert search.pipeline.learned is None  # the demo store holds no search-ltr model
    ltr = search.search(SearchRequest("running shoes", mode="ltr"))
    assert ltr.notices[0].startswith("ltr ranks with the linear ranker: no search-ltr model")
    assert not search.search(SearchRequest("running shoes", mode="hybrid")).notices


def test_two_values_of_one_attribute_are_either_and_two_keys_both(search: SearchService) -> None:
    def total(*pairs: tuple[str, str]) -> int:
        return search.search(SearchRequest("", SearchFilters(attributes=pairs))).total

    red, black = total(("colour", "Red")), total(("colour", "Black"))
    assert red > 0 and black > 0
    assert total(("colour", "Red"), ("colour", "black")) == red + black  # one colour each
    men_black = total(("colour", "Black"), ("gender", "Men"))
    assert 0 < men_black < black
    either = total(("colour", "Red"), ("colour", "Black"), ("gender", "Men"))
    assert men_black < either == men_black + total(("colour", "Red"), ("gender", "Men"))


def test_what_a_sort_or_a_price_bound_leaves_out_or_mixes_is_said(search: SearchService) -> None:
    ranked = search.search(SearchRequest("shoes", size=50))
    by_price = search.search(SearchRequest("shoes", sort="price_asc", size=50))
    meant = ranked.total - by_price.total
    assert meant > 0 and all(
        h.product.id in {x.product.id for x in ranked.hits} for h in by_price.hits
    )
    assert any(
        f": at least {meant} found by meaning alone are left out" in n for n in by_price.notices
    )
    assert not any("found by meaning alone" in n for n in ranked.notices)
    # the demo prices in USD and CNY: a bound without a currency compares both as written
    bound = SearchFilters(min_price=300)
    mixed = search.search(SearchRequest("headphones", bound)).notices
    assert any(n.startswith("price bounds compare prices as written") for n in mixed)
    one = search.search(SearchRequest("headphones", replace(bound, currency="USD"))).notices
    assert not any(n.startswith("price bounds") for n in one)


def test_a_browse_says_the_order_it_lists_in(search: SearchService) -> None:
    audio = SearchFilters(category="Electronics > Audio")
    for sort, said in (("price_desc", "by price, highest first"), ("relevance", "by popularity")):
        hit = search.search(SearchRequest("", audio, sort=sort, explain=True)).hits[0]
        assert hit.explanation is not None and any(said in n for n in hit.explanation.notes)
