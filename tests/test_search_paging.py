"""Paging a broad query of the demo catalogue: the same total and facets on every page,
each result once, and the first 100 the ranker's order over its default pool."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from shopsense.app import search as search_module
from shopsense.app import search_pages
from shopsense.app.search import SearchRequest, SearchResult, SearchService
from shopsense.app.search_pages import result_set, sort_order
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.ranking.pipeline import DEFAULT_POOL


@pytest.fixture(scope="module")
def search(demo_search_store: tuple[str, Path]) -> Iterator[SearchService]:
    db, data_dir = demo_search_store
    services = Services.from_settings(Settings(db=db, data_dir=data_dir))
    yield services.search()
    services.close()


def _pages(search: SearchService, request: SearchRequest) -> list[SearchResult]:
    """Every page of ``request`` (its size), up to the last result that can be paged."""
    pages = [search.search(request)]
    while request.page * request.size < min(pages[0].total, search_pages.MAX_RESULTS):
        request = replace(request, page=request.page + 1)
        pages.append(search.search(request))
    return pages


def _ranker_head(search: SearchService, query: str, sort: str) -> list[str]:
    """What the first 100 results were before paging went past them: the result set of
    the pipeline's run over its ``DEFAULT_POOL`` candidates, in ``sort`` order."""
    pipeline = search.pipeline
    ranked = pipeline.run(query, "hybrid", None, DEFAULT_POOL, features=False)
    order, _ = sort_order(ranked, sort, pipeline.index.table)
    return [pipeline.index.table.ids[int(ranked.rows[i])] for i in order]


@pytest.mark.parametrize("sort", ["relevance", "price_asc"])
@pytest.mark.parametrize("query", ["men black", "black white"])
def test_pages_list_each_result_once_with_one_total_and_one_facet_count(
    search: SearchService, query: str, sort: str
) -> None:
    pages = _pages(search, SearchRequest(query, sort=sort, size=10))
    total = pages[0].total
    head = _ranker_head(search, query, sort)
    assert total > len(head) >= DEFAULT_POOL  # the pages reach past the ranked head
    assert {p.total for p in pages} == {total}
    assert all(p.facets == pages[0].facets for p in pages)
    assert sum(pages[0].facets.availability.values()) == total  # facets count them all
    ids = [h.product.id for p in pages for h in p.hits]
    assert len(ids) == len(set(ids)) == total  # none twice, none left out
    assert [h.rank for p in pages for h in p.hits] == list(range(1, total + 1))
    first = search.search(SearchRequest(query, sort=sort, size=100))
    assert ids[:100] == [h.product.id for h in first.hits]
    if sort == "relevance":
        assert ids[:100] == head[:100]
        assert set(ids[: len(head)]) == set(head)  # the head, then the other matches
    else:  # the whole result set by price, each currency apart: not the head's first
        hits = [h.product for p in pages for h in p.hits]
        priced = [p for p in hits if p.effective_price is not None]
        assert hits[: len(priced)] == priced  # a product without a price comes last
        groups = [c.strip() for c in _apart(first.notices)]
        assert len(groups) == 2 and [p.currency for p in priced] == sorted(
            (p.currency for p in priced), key=groups.index
        )
        for currency in groups:
            paid = [p.effective_price for p in priced if p.currency == currency]
            assert paid == sorted(paid)  # type: ignore[type-var]
        # a product the ranked head left out is cheaper than one it held, and comes first
        assert set(ids[: len(head)]) != set(head)
        assert not any(n.startswith("sorted by price among the best") for n in first.notices)
        told = search.search(SearchRequest(query, sort=sort, size=10, page=3, explain=True))
        assert [h.product.id for h in told.hits] == ids[20:30]
        for hit in told.hits:  # said why it is there, and what its score is
            assert hit.explanation is not None and hit.explanation.matched
            assert any(
                n.startswith("sorted by price: every product holding a word")
                for n in hit.explanation.notes
            )


def _apart(notices: tuple[str, ...]) -> list[str]:
    """The currencies a price sort listed apart, in order, as its notice names them."""
    notice = next(n for n in notices if n.startswith("prices are not converted"))
    return notice.split("(")[1].rstrip(")").split(", then ")


def test_a_parsed_query_pages_alike_and_tail_hits_are_explained(search: SearchService) -> None:
    request = SearchRequest("men black", size=10, understand=True, explain=True)
    pages = _pages(search, request)
    ids = [h.product.id for p in pages for h in p.hits]
    assert {p.total for p in pages} == {len(ids)} and len(set(ids)) == len(ids) > 120
    assert all(p.facets == pages[0].facets for p in pages)
    last = pages[-1].hits[-1].explanation
    assert last is not None and last.contributions


def test_past_the_paging_limit_the_pages_stop_and_say_so(
    search: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 120  # "men black" has more results (the demo is too small to pass 1000)
    monkeypatch.setattr(search_module, "MAX_RESULTS", limit)
    monkeypatch.setattr(search_pages, "MAX_RESULTS", limit)
    pages = _pages(search, SearchRequest("men black", size=10))
    total = pages[0].total
    ids = [h.product.id for p in pages for h in p.hits]
    assert total > limit and len(ids) == len(set(ids)) == limit
    assert f"showing the first {limit} of {total} results" in pages[0].notices
    by_price = _pages(search, SearchRequest("men black", size=10, sort="price_asc"))
    assert len({h.product.id for p in by_price for h in p.hits}) == limit
    assert f"sorted by price among the best {limit} of {total} matches" in by_price[0].notices


def test_a_query_with_few_results_lists_the_ranked_pool(search: SearchService) -> None:
    result = search.search(SearchRequest("sony headphones", size=100))
    ranked = search.pipeline.run("sony headphones", "hybrid", None, DEFAULT_POOL)
    assert result.total == len(result_set(ranked)) == len(result.hits) < DEFAULT_POOL
