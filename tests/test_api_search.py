"""Search over HTTP and in the storefront, on the demo store with its real indexes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_helpers import Api, running_api
from shopsense.api import search_lane
from shopsense.api.search_lane import plain_request
from shopsense.app.search_requests import search_request
from shopsense.retrieval.filters import SearchFilters


@pytest.fixture(scope="module")
def api(demo_search_store: tuple[str, Path]) -> Iterator[Api]:
    db, data_dir = demo_search_store
    with running_api(db, data_dir=data_dir) as a:
        # these tests refresh the indexes by hand (``check_once``): the background refresher
        # would otherwise react to one test's writes during the next test (a cache emptied
        # between two identical requests; a third refresh counted)
        a.app.state.refresher.stop()
        yield a


def test_search_ranks_filters_facets_and_explains(api: Api) -> None:
    h = api.headers("search")
    r = api.client.get("/search", params={"q": "running shoes", "explain": True}, headers=h)
    body = r.json()
    assert r.status_code == 200 and body["total"] > 0
    first = body["hits"][0]
    assert "running" in first["product"]["title"].lower()
    assert first["explanation"]["matched"]["title"] == ["running", "shoes"]
    assert body["facets"]["brand"]["Nike"] > 0
    only_nike = api.client.get(
        "/search", params={"q": "running shoes", "brand": "Nike"}, headers=h
    ).json()
    assert only_nike["total"] == body["facets"]["brand"]["Nike"]
    assert {hit["product"]["brand"] for hit in only_nike["hits"]} == {"Nike"}


def test_search_sorts_and_pages(api: Api) -> None:
    h = api.headers("search")
    params = {"q": "shoes", "sort": "price_asc", "size": 5}
    prices = [
        hit["product"]["sale_price"] or hit["product"]["price"]
        for hit in api.client.get("/search", params=params, headers=h).json()["hits"]
    ]
    assert prices == sorted(prices)
    page2 = api.client.get("/search", params={**params, "page": 2}, headers=h).json()
    assert page2["hits"][0]["rank"] == 6


def test_chinese_query(api: Api) -> None:
    r = api.client.get("/search", params={"q": "跑步鞋"}, headers=api.headers("search"))
    assert any("跑步鞋" in hit["product"]["title"] for hit in r.json()["hits"])


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "x" * 513}, 422),
        ({"q": "shoes", "size": 101}, 422),
        ({"q": "shoes", "page": 200, "size": 10}, 400),
        ({"q": "shoes", "sort": "cheapest"}, 422),
        ({"q": "shoes", "min_price": 50, "max_price": 10}, 400),
        ({"q": "shoes", "attr": "colour"}, 400),
        ({"q": "shoes", "currency": "dollars"}, 400),
    ],
)
def test_bad_search_input_is_a_4xx(api: Api, params: dict[str, object], status: int) -> None:
    r = api.client.get("/search", params=params, headers=api.headers("search"))
    assert r.status_code == status
    assert r.json()["error"]["message"]


def test_search_understands_the_query_when_asked_and_says_how(api: Api) -> None:
    h = api.headers("search")
    q = "sony headphones under 400"
    plain = api.client.get("/search", params={"q": q, "explain": True}, headers=h).json()
    assert plain["understood"] == [] and plain["parsed"] is None
    r = api.client.get("/search", params={"q": q, "explain": True, "understand": True}, headers=h)
    body = r.json()
    uses = {(u["field"], u["use"]) for u in body["understood"]}
    assert {("brand", "rank"), ("price", "filter")} <= uses
    price = next(u for u in body["understood"] if u["field"] == "price")
    # the demo prices in CNY and USD, and "under 400" names neither: the account says so
    any_currency = "only products at price ≤ 400, in any currency (CNY/USD as written)"
    assert price["text"] == "under 400" and price["note"] == any_currency
    assert body["hits"] and all(
        (hit["product"]["sale_price"] or hit["product"]["price"]) <= 400 for hit in body["hits"]
    )
    first = body["hits"][0]
    assert first["product"]["brand"] == "Sony"
    assert first["explanation"]["parse"]["brand Sony"] == 0.5
    # the hit's score is its rescaled ranker score plus what the parse added
    assert first["score"] >= sum(first["explanation"]["parse"].values())
    # sorted by price, nothing ranks: the brand is reported unused, the price still filters
    by_price = {"q": q, "understand": True, "sort": "price_asc"}
    body = api.client.get("/search", params=by_price, headers=h).json()
    uses = {(u["field"], u["use"], u["note"]) for u in body["understood"]}
    assert ("brand", "unused", "results sorted by price_asc") in uses
    assert ("price", "filter", any_currency) in uses


def test_a_price_bound_keeps_to_the_currency_asked_for(api: Api) -> None:
    h = api.headers("search")
    mixed = api.client.get("/search", params={"q": "shoes", "size": 50}, headers=h).json()
    # the demo prices in CNY and USD: the price facet keeps the two apart
    assert any(k.endswith(" CNY") for k in mixed["facets"]["price"])
    assert any(k.endswith(" USD") for k in mixed["facets"]["price"])
    assert sum(mixed["facets"]["price"].values()) == mixed["total"]
    params = {"q": "shoes", "max_price": 100, "currency": "¥", "size": 50}
    body = api.client.get("/search", params=params, headers=h).json()
    assert body["hits"] and {hit["product"]["currency"] for hit in body["hits"]} == {"CNY"}
    paid = [hit["product"]["sale_price"] or hit["product"]["price"] for hit in body["hits"]]
    assert max(paid) <= 100 and all(k.endswith(" CNY") for k in body["facets"]["price"])
    # the plain lane reads the parameter as the route does
    lane = plain_request(api.services, b"q=shoes&max_price=100&currency=%C2%A5")
    assert lane is not None and lane.filters == SearchFilters(max_price=100.0, currency="CNY")


def test_a_warm_start_builds_the_query_parser_before_serving(
    demo_search_store: tuple[str, Path],
) -> None:
    db, data_dir = demo_search_store
    with running_api(db, data_dir=data_dir, warm=True) as cold_start:
        assert cold_start.services.query.built  # no shopper waits for it
    with running_api(db, data_dir=data_dir) as lazy:
        assert not lazy.services.query.built


def test_storefront_shows_facets_sort_and_why(api: Api) -> None:
    html = api.client.get("/", params={"q": "running shoes"}, headers=api.headers("search")).text
    assert 'data-facet="brand"' in html and "Why this result" in html
    assert "title matched: running, shoes" in html
    assert '<option value="price_asc"' in html


def test_products_written_through_the_api_become_searchable_after_a_refresh(api: Api) -> None:
    h = api.headers("admin")

    def ids(q: str) -> list[str]:
        hits = api.client.get("/search", params={"q": q, "mode": "bm25"}, headers=h).json()["hits"]
        return [hit["product"]["id"] for hit in hits]

    def brands(q: str) -> list[str]:
        return [f.value for f in api.services.query.parse(q).filters if f.field == "brand"]

    assert ids("quokka") == [] and brands("outback quokka") == []
    refresher = api.app.state.refresher
    seen = api.services.catalogue_version()
    product = {"id": "ZQ1", "title": "Quokka plush toy", "brand": "Outback"}
    assert api.client.put("/products/ZQ1", json=product, headers=h).status_code == 201
    seen = refresher.check_once(seen)
    assert ids("quokka") == ["ZQ1"]
    assert brands("outback quokka") == ["Outback"]  # the parser learnt the new brand too
    assert api.client.delete("/products/ZQ1", headers=h).status_code == 204
    refresher.check_once(seen)
    assert ids("quokka") == []
    assert refresher.refreshes == 2


def test_repeated_searches_are_answered_from_the_cache(api: Api) -> None:
    h = api.headers("search")
    params = {"q": "leather  wallet", "sort": "price_desc", "size": 3}
    first = api.client.get("/search", params=params, headers=h)
    again = api.client.get("/search", params={**params, "q": "leather wallet"}, headers=h)
    assert first.headers["x-search-cache"] == "miss" and again.headers["x-search-cache"] == "hit"
    assert again.json()["hits"] == first.json()["hits"]
    assert again.json()["query"] == "leather wallet"
    other = api.client.get("/search", params={**params, "sort": "price_asc"}, headers=h)
    assert other.headers["x-search-cache"] == "miss"


# -- the short lane (shopsense.api.search_lane) answers plain requests as the route does


@pytest.fixture
def lane_answers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per request the lane answered itself (it still runs the real search)."""
    answered: list[int] = []
    real = search_lane.search_json

    def spy(*args: Any) -> tuple[bytes, bool]:
        answered.append(1)
        return real(*args)

    monkeypatch.setattr(search_lane, "search_json", spy)
    return answered


PLAIN = [
    {"q": "running shoes"},
    {"q": "leather wallet", "explain": "true", "sort": "price_asc", "size": "5"},
    {"q": "shoes", "page": "2", "size": "3", "sort": "price_desc"},
    {"q": "shoes", "brand": ["Nike", "Adidas"], "min_price": "10", "max_price": "250.5"},
    {"q": "shirt", "mode": "bm25", "in_stock": "1", "attr": "colour=blue"},
    {"q": "跑步鞋", "mode": "ltr", "explain": "1"},
    {"q": "", "category": "Shoes", "sort": "newest"},
    {"q": "bag", "mode": "dense", "size": "20", "explain": "false", "utm_source": "x"},
    {"q": "red nike runing shoes under 150", "understand": "true", "explain": "1"},
]


def _without_timing(body: bytes) -> bytes:
    return re.sub(rb'"took_ms":[0-9.e+-]+', b'"took_ms":0', body)


@pytest.mark.parametrize("params", PLAIN)
def test_the_lane_answers_plain_searches_with_the_routes_bytes(
    api: Api, params: dict[str, Any], lane_answers: list[int]
) -> None:
    key = api.keys["search"]
    api.services.search_cache.invalidate()
    api.app.state.keys.scope_of(key)  # verified a moment ago: the lane may read it
    lane = api.client.get("/search", params=params, headers={"X-API-Key": key})
    assert lane_answers == [1]
    api.services.search_cache.invalidate()
    # a key sent as a cookie is the route's to read
    route = api.client.get("/search", params=params, headers={"Cookie": f"shopsense_key={key}"})
    assert lane_answers == [1]
    assert lane.status_code == route.status_code == 200
    assert _without_timing(lane.content) == _without_timing(route.content)
    assert [(k, v) for k, v in lane.headers.items() if k != "content-length"] == [
        (k, v) for k, v in route.headers.items() if k != "content-length"
    ]
    assert lane.json()["total"] >= 0


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "x" * 513}, 422),
        ({"q": "shoes", "size": "101"}, 422),
        ({"q": "shoes", "size": "0"}, 422),
        ({"q": "shoes", "page": "200", "size": "10"}, 400),
        ({"q": "shoes", "sort": "cheapest"}, 422),
        ({"q": "shoes", "mode": "magic"}, 422),
        ({"q": "shoes", "min_price": "-1"}, 422),
        ({"q": "shoes", "min_price": "50", "max_price": "10"}, 400),
        ({"q": "shoes", "attr": "colour"}, 400),
        ({"q": "shoes", "explain": "maybe"}, 422),
        ({"q": "shoes", "brand": [f"b{i}" for i in range(21)]}, 422),
    ],
)
def test_bad_input_through_the_lane_gets_the_routes_error(
    api: Api, params: dict[str, Any], status: int, lane_answers: list[int]
) -> None:
    api.app.state.keys.scope_of(api.keys["search"])
    r = api.client.get("/search", params=params, headers=api.headers("search"))
    assert r.status_code == status and r.json()["error"]["message"]
    assert lane_answers == []


def test_keys_the_lane_does_not_know_go_to_the_route(api: Api, lane_answers: list[int]) -> None:
    assert api.client.get("/search", params={"q": "shoes"}).status_code == 401
    bad = {"Authorization": "Bearer not-a-key"}
    assert api.client.get("/search", params={"q": "shoes"}, headers=bad).status_code == 401
    assert lane_answers == []
    fresh = {"Authorization": f"Bearer {api.services.keys.create('search', 'lane').secret}"}
    ok = api.client.get("/search", params={"q": "shoes"}, headers=fresh)  # the route verifies
    assert ok.status_code == 200 and lane_answers == []
    again = api.client.get("/search", params={"q": "shoes"}, headers=fresh)
    assert again.status_code == 200 and lane_answers == [1]


@pytest.mark.parametrize(
    "query_string",
    [
        b"q=shoes&explain=True",  # pydantic reads it; the lane leaves other spellings
        b"q=shoes&size=010",
        b"q=shoes&min_price=1e3",
        b"q=shoes&q=bags",  # a repeated single parameter
        b"q=shoes&page=",
        b"q=shoes&in_stock=yes",
    ],
)
def test_other_spellings_are_left_to_the_route(api: Api, query_string: bytes) -> None:
    assert plain_request(api.services, query_string) is None


def test_a_plain_query_string_builds_the_routes_request(api: Api) -> None:
    got = plain_request(
        api.services, b"q=red+shoes&brand=Nike&brand=&min_price=5.5&page=2&size=7&attr=colour%3Dred"
    )
    want = search_request(
        api.services.settings,
        "red shoes",
        brand=["Nike", ""],
        min_price=5.5,
        page=2,
        size=7,
        attr=["colour=red"],
    )
    assert got == want
    assert got is not None and got.filters == SearchFilters(
        brands=("Nike",), min_price=5.5, attributes=(("colour", "red"),)
    )
