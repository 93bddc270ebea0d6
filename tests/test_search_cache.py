"""The search result cache: repeats are hits, any catalogue or ranker change empties it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from shopsense.app.demo import ingest_demo_catalog
from shopsense.app.search import SearchRequest, SearchResult
from shopsense.app.search_cache import (
    BASE_KB,
    EXPLAINED_HIT_KB,
    HIT_KB,
    SearchCache,
    cache_key,
    result_kb,
)
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.retrieval.facets import Facets
from shopsense.retrieval.filters import SearchFilters


def _result(query: str) -> SearchResult:
    return SearchResult(query, "bm25", "relevance", 0, 1, 10, [], Facets({}, [], {}, {}, {}), 0.0)


def test_lru_keeps_at_most_capacity_and_drops_the_least_recently_used() -> None:
    cache = SearchCache(int(2 * BASE_KB))  # room for two results without hits
    a, b, c = (SearchRequest(q) for q in ("a", "b", "c"))
    for r in (a, b):
        assert cache.put(r, _result(r.query), cache.generation)
    assert cache.get(a) is not None  # a is now the most recently used
    cache.put(c, _result("c"), cache.generation)
    assert cache.get(b) is None and cache.get(a) is not None and cache.get(c) is not None
    stats = cache.stats()
    assert (stats.size, stats.kb, stats.hits, stats.misses) == (2, 2 * BASE_KB, 3, 1)
    assert stats.hit_rate == pytest.approx(0.75)


def test_big_results_take_more_room_and_one_too_big_is_not_kept(svc: Services) -> None:
    page = svc.search().search(SearchRequest("shoes", size=40, explain=True))
    n = len(page.hits)
    assert n > 20 and result_kb(page) == pytest.approx(BASE_KB + n * (HIT_KB + EXPLAINED_HIT_KB))
    cache = SearchCache(int(result_kb(page)) + 2)  # not room for both
    small = SearchRequest("a")
    cache.put(small, _result("a"), 0)
    assert cache.put(SearchRequest("shoes", size=40, explain=True), page, 0)
    assert cache.get(small) is None and cache.stats().size == 1  # evicted to make room
    assert not SearchCache(int(result_kb(page)) - 1).put(SearchRequest("shoes"), page, 0)


def test_capacity_zero_caches_nothing() -> None:
    cache = SearchCache(0)
    assert not cache.put(SearchRequest("a"), _result("a"), cache.generation)
    assert cache.get(SearchRequest("a")) is None


def test_a_result_computed_before_an_invalidation_is_not_stored() -> None:
    cache = SearchCache(10)
    seen = cache.generation
    cache.invalidate()  # the catalogue changed while the search ran
    assert not cache.put(SearchRequest("a"), _result("a"), seen)
    assert cache.get(SearchRequest("a")) is None and cache.stats().generation == seen + 1


def test_keys_collapse_whitespace_only_and_tell_every_other_field_apart() -> None:
    base = SearchRequest("red  dress ")
    assert cache_key(base) == SearchRequest("red dress")
    assert cache_key(SearchRequest("Red dress")) != cache_key(base)  # case may matter
    variants = [
        replace(base, filters=SearchFilters(brands=("nike",))),
        replace(base, filters=SearchFilters(max_price=50.0)),
        replace(base, filters=SearchFilters(attributes=(("colour", "red"),))),
        replace(base, sort="price_asc"),
        replace(base, page=2),
        replace(base, size=20),
        replace(base, mode="hybrid" if base.mode != "hybrid" else "bm25"),
        replace(base, explain=True),
        replace(base, understand=True),
    ]
    keys = {cache_key(v) for v in [base, *variants]}
    assert len(keys) == len(variants) + 1


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Services]:
    settings = Settings(db=str(tmp_path / "s.db"), data_dir=tmp_path / "data", semantic=False)
    services = Services.from_settings(settings.model_copy(update={"search_cache_mb": 1.0}))
    ingest_demo_catalog(services)
    yield services
    services.close()


def test_repeats_are_hits_with_the_same_answer(svc: Services) -> None:
    first, hit = svc.run_search(SearchRequest("running shoes", size=5))
    assert not hit and first.hits
    again, hit = svc.run_search(SearchRequest(" running   shoes ", size=5))
    assert hit and again == first
    other, hit = svc.run_search(SearchRequest("running shoes", SearchFilters(brands=("Nike",))))
    assert not hit and {h.product.brand for h in other.hits} == {"Nike"}
    assert svc.search_cache.stats().hits == 1


def test_writes_and_deletes_empty_the_cache_and_show_at_once(svc: Services) -> None:
    request = SearchRequest("running shoes", size=5)
    first, _ = svc.run_search(request)
    top = first.hits[0].product
    renamed = top.model_dump(mode="json") | {"title": top.title + " Limited Edition"}
    assert svc.write_products([renamed], gate=False).items[0].status == "updated"
    after_write, hit = svc.run_search(request)
    assert not hit and after_write.hits[0].product.title.endswith("Limited Edition")
    assert svc.run_search(request)[1]  # cached again
    svc.delete_product(top.id)
    after_delete, hit = svc.run_search(request)
    assert not hit and top.id not in {h.product.id for h in after_delete.hits}


def test_a_refreshed_index_empties_the_cache(svc: Services) -> None:
    request = SearchRequest("running shoes", size=5)
    svc.run_search(request)
    svc.products.delete("P0001")  # written behind the services' back (another process)
    generation = svc.search_cache.generation
    assert svc.refresh_search()
    assert svc.search_cache.generation == generation + 1
    result, hit = svc.run_search(request)
    assert not hit and "P0001" not in {h.product.id for h in result.hits}


def test_a_starting_server_opens_search_and_fills_its_term_cache(svc: Services) -> None:
    from fastapi.testclient import TestClient

    from shopsense.api.server import create_app

    assert svc.settings.search_warm and svc._search is None
    with TestClient(create_app(svc)):
        service = svc._search
        assert service is not None
        assert len(service.pipeline.terms) == service.table_size > 300


def test_a_burst_of_one_new_query_is_searched_once(svc: Services) -> None:
    import threading
    import time

    searched = []
    service = svc.search()
    original = service.search

    def counting(request: SearchRequest) -> SearchResult:
        searched.append(request.query)
        deadline = time.monotonic() + 30
        while svc.search_cache.stats().misses < 6 and time.monotonic() < deadline:
            time.sleep(0.01)  # let every other request miss the cache first
        return original(request)

    service.search = counting  # type: ignore[method-assign]
    results: list[tuple[SearchResult, bool]] = []
    threads = [
        threading.Thread(target=lambda: results.append(svc.run_search(SearchRequest("boots"))))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert searched == ["boots"]
    assert sorted(hit for _, hit in results) == [False] + [True] * 5
    assert len({id(r) for r, _ in results}) == 1
    stats = svc.search_cache.stats()
    assert (stats.hits, stats.misses) == (5, 1)
