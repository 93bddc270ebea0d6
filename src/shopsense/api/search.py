"""Search route: ``GET /search`` with filters, facets, sort, pages and explanations."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter

from shopsense.api.auth import READ
from shopsense.api.errors import documented
from shopsense.api.limits import MAX_QUERY_CHARS, check_page, check_query
from shopsense.app.search import SearchResult
from shopsense.app.search_requests import search_request
from shopsense.app.services import Services

router = APIRouter(tags=["search"])
ERRORS = documented(400, 401, 403, 422, 503)
Sort = Literal["relevance", "price_asc", "price_desc", "newest"]
Mode = Literal["bm25", "dense", "hybrid", "ltr"]


@cache
def _result_json() -> TypeAdapter[SearchResult]:
    return TypeAdapter(SearchResult)


@router.get("/search", response_model=SearchResult, responses=ERRORS, dependencies=[READ])
def search(
    request: Request,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    brand: Annotated[list[str] | None, Query(max_length=20)] = None,
    category: Annotated[str | None, Query(max_length=512)] = None,
    min_price: Annotated[float | None, Query(ge=0)] = None,
    max_price: Annotated[float | None, Query(ge=0)] = None,
    in_stock: bool = False,
    attr: Annotated[list[str] | None, Query(max_length=20, description="key=value")] = None,
    sort: Sort = "relevance",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 10,
    mode: Mode | None = None,
    explain: bool = False,
) -> Response:
    """Ranked products for a query, with facet counts over the whole result set.

    Repeated requests are answered from a bounded result cache, emptied whenever the
    catalogue or the ranker changes; the `X-Search-Cache` header says `hit` or `miss`."""
    svc: Services = request.app.state.services
    check_query(q)
    check_page(size, (page - 1) * size)
    req = search_request(
        svc.settings,
        q,
        brand=brand or (),
        category=category,
        min_price=min_price,
        max_price=max_price,
        in_stock=in_stock,
        attr=attr or (),
        sort=sort,
        page=page,
        size=size,
        mode=mode,
        explain=explain,
    )
    result, hit = svc.run_search(req)
    # serialised here, in the request's worker thread, with the schema's own serializer:
    # FastAPI would first re-validate the result against `response_model` and then
    # serialise it in a second thread hand-off (~1 ms of CPU a request; RESULTS.md #7)
    return Response(
        _result_json().dump_json(result),
        media_type="application/json",
        headers={"X-Search-Cache": "hit" if hit else "miss"},
    )
