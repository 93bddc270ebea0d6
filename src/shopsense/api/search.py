"""Search route: ``GET /search`` with filters, facets, sort, pages and explanations."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter

from shopsense.api.auth import READ
from shopsense.api.errors import documented
from shopsense.api.limits import MAX_PAGE_SIZE, MAX_QUERY_CHARS, check_page, check_query
from shopsense.app.search import SearchRequest, SearchResult
from shopsense.app.search_requests import search_request
from shopsense.app.services import Services

router = APIRouter(tags=["search"])
ERRORS = documented(400, 401, 403, 422, 503)
Sort = Literal["relevance", "price_asc", "price_desc", "newest"]
Mode = Literal["bm25", "dense", "hybrid", "ltr"]
SORTS: tuple[str, ...] = get_args(Sort)
MODES: tuple[str, ...] = get_args(Mode)
TEXT_MAX = {"q": MAX_QUERY_CHARS, "category": 512, "currency": 16}  # characters
LIST_MAX = 20  # values of brand / attr
PAGE_MAX = 1000


@cache
def _result_json() -> TypeAdapter[SearchResult]:
    return TypeAdapter(SearchResult)


def search_json(svc: Services, request: SearchRequest) -> tuple[bytes, bool]:
    """The JSON of ``request``'s result and whether the result cache had it.

    Serialised with the schema's own serializer, in the searching worker thread: FastAPI
    would first re-validate the result against ``response_model`` and then serialise it in
    a second thread hand-off (~1 ms of CPU a request; RESULTS.md #7, fifth session)."""
    result, hit = svc.run_search(request)
    return _result_json().dump_json(result), hit


def cache_header(hit: bool) -> list[tuple[bytes, bytes]]:
    """``X-Search-Cache: hit|miss`` as raw ASGI headers."""
    return [(b"x-search-cache", b"hit" if hit else b"miss")]


@router.get("/search", response_model=SearchResult, responses=ERRORS, dependencies=[READ])
def search(
    request: Request,
    q: Annotated[str, Query(max_length=TEXT_MAX["q"])] = "",
    brand: Annotated[list[str] | None, Query(max_length=LIST_MAX)] = None,
    category: Annotated[str | None, Query(max_length=TEXT_MAX["category"])] = None,
    min_price: Annotated[float | None, Query(ge=0)] = None,
    max_price: Annotated[float | None, Query(ge=0)] = None,
    currency: Annotated[
        str | None,
        Query(
            max_length=TEXT_MAX["currency"],
            description="Only products priced in this currency (USD, CNY, ¥, …); prices are"
            " never converted, so price bounds in a catalogue of several currencies need it.",
        ),
    ] = None,
    in_stock: bool = False,
    attr: Annotated[
        list[str] | None,
        Query(
            max_length=LIST_MAX,
            description="key=value, repeatable: a product holds one value of each key"
            " (attr=colour=Red&attr=colour=Black: red or black)",
        ),
    ] = None,
    sort: Sort = "relevance",
    page: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
    mode: Mode | None = None,
    explain: bool = False,
    understand: Annotated[
        bool,
        Query(
            description="Parse the query first: spelling; a confident price and a sure"
            " category filter; brand, colour, gender and the predicted category rank."
            " `understood` in the answer says what was used and how."
        ),
    ] = False,
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
        currency=currency,
        in_stock=in_stock,
        attr=attr or (),
        sort=sort,
        page=page,
        size=size,
        mode=mode,
        explain=explain,
        understand=understand,
    )
    body, hit = search_json(svc, req)
    return Response(
        body, media_type="application/json", headers={"X-Search-Cache": "hit" if hit else "miss"}
    )
