"""Search over HTTP and in the storefront, on the demo store with its real indexes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api_helpers import Api, running_api


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
    ],
)
def test_bad_search_input_is_a_4xx(api: Api, params: dict[str, object], status: int) -> None:
    r = api.client.get("/search", params=params, headers=api.headers("search"))
    assert r.status_code == status
    assert r.json()["error"]["message"]


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

    assert ids("quokka") == []
    refresher = api.app.state.refresher
    seen = api.services.catalogue_version()
    product = {"id": "ZQ1", "title": "Quokka plush toy", "brand": "Outback"}
    assert api.client.put("/products/ZQ1", json=product, headers=h).status_code == 201
    seen = refresher.check_once(seen)
    assert ids("quokka") == ["ZQ1"]
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
