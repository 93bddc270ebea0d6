"""A short lane for ``GET /search``: plain requests skip FastAPI's per-request machinery.

A cold search spends ~1.2 ms of CPU on the event loop before and after the search itself
(benchmarks/RESULTS.md, issue 7, eighth session): routing over every route, solving
13 query parameters and two security dependencies with pydantic, exception and
exit-stack middleware. This ASGI layer sits inside :class:`~shopsense.api.guard.Guard`
(admission and metrics still apply) and answers a ``GET /search`` itself when the
request is plain: every parameter it reads in a canonical form within the route's
documented limits, and a key already verified in the last few seconds that may read
(or open access). It then runs the same search and sends the same bytes as the route
(:func:`shopsense.api.search.search_json`).

Anything else goes to the FastAPI route unchanged, which stays the one definition of
the endpoint (its OpenAPI schema, its 4xx answers): an unknown key or one not cached,
a cookie, a parameter in another spelling (``True``, ``01``, ``1e3``), a repeated
single parameter, a value out of range, a request the search refuses (the route
then searches again and answers the error the usual way).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fastapi.security.utils import get_authorization_scheme_param
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from shopsense.api.auth import KeyCache
from shopsense.api.guard import ASGIApp, Receive, Scope, Send
from shopsense.api.limits import MAX_PAGE_SIZE, check_page, check_query
from shopsense.api.search import (
    LIST_MAX,
    MODES,
    PAGE_MAX,
    SORTS,
    TEXT_MAX,
    cache_header,
    search_json,
)
from shopsense.app.keys import Access, grants
from shopsense.app.keys import Scope as KeyScope
from shopsense.app.search import SearchRequest
from shopsense.app.search_requests import search_request
from shopsense.app.services import Services

PATH = "/search"
_COUNT = re.compile(r"[1-9][0-9]{0,5}")  # what the route reads as an int, in its plainest form
_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,12})?")  # a price, plainly written
_FLAGS = {"true": True, "false": False, "1": True, "0": False}
#: parameters read once (a repeated one is the route's to read)
_SINGLE = frozenset(
    (
        "q",
        "category",
        "min_price",
        "max_price",
        "currency",
        "in_stock",
        "sort",
        "page",
        "size",
        "mode",
        "explain",
        "understand",
    )
)


class _NotPlain(Exception):
    """The request is the route's to answer."""


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of header ``name`` (as starlette's ``Headers.get`` reads it)."""
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


def _key_scope(keys: KeyCache, headers: Iterable[tuple[bytes, bytes]]) -> KeyScope | None:
    """The scope of the request's bearer or ``X-API-Key`` key when it was verified
    recently (``KeyCache.cached``); None when only the route can tell."""
    if keys.open_access:
        return KeyScope.ADMIN
    key = None
    authorization = _header(headers, b"authorization")
    if authorization:
        scheme, credentials = get_authorization_scheme_param(authorization)
        if scheme.lower() == "bearer" and credentials:
            key = credentials
    key = key or _header(headers, b"x-api-key")
    if not key:
        return None
    known, scope = keys.cached(key)
    return scope if known else None


def _count(params: QueryParams, name: str, default: int, high: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    if not _COUNT.fullmatch(value) or int(value) > high:
        raise _NotPlain(name)
    return int(value)


def _amount(params: QueryParams, name: str) -> float | None:
    value = params.get(name)
    if value is None:
        return None
    if not _AMOUNT.fullmatch(value):
        raise _NotPlain(name)
    return float(value)


def _flag(params: QueryParams, name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if value not in _FLAGS:
        raise _NotPlain(name)
    return _FLAGS[value]


def _choice(params: QueryParams, name: str, choices: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value is not None and value not in choices:
        raise _NotPlain(name)
    return value


def _text(params: QueryParams, name: str) -> str | None:
    value = params.get(name)
    if value is not None and len(value) > TEXT_MAX[name]:
        raise _NotPlain(name)
    return value


def _many(params: QueryParams, name: str) -> list[str]:
    values = params.getlist(name)
    if len(values) > LIST_MAX:
        raise _NotPlain(name)
    return values


def plain_request(services: Services, query_string: bytes) -> SearchRequest | None:
    """The search a plain query string asks for, as the route would build it; None when
    the route must read it (its validation and error answers apply)."""
    params = QueryParams(query_string)
    keys = [k for k, _ in params.multi_items()]
    if any(keys.count(name) > 1 for name in _SINGLE):
        return None
    try:
        size = _count(params, "size", 10, MAX_PAGE_SIZE)
        page = _count(params, "page", 1, PAGE_MAX)
        query = _text(params, "q") or ""
        check_query(query)
        check_page(size, (page - 1) * size)
        return search_request(
            services.settings,
            query,
            brand=_many(params, "brand"),
            category=_text(params, "category"),
            min_price=_amount(params, "min_price"),
            max_price=_amount(params, "max_price"),
            currency=_text(params, "currency"),
            in_stock=_flag(params, "in_stock"),
            attr=_many(params, "attr"),
            sort=_choice(params, "sort", SORTS) or "relevance",
            page=page,
            size=size,
            mode=_choice(params, "mode", MODES),
            explain=_flag(params, "explain"),
            understand=_flag(params, "understand"),
        )
    except Exception:  # the route's checks and messages apply
        return None


class SearchLane:
    """ASGI middleware: answers plain ``GET /search`` requests (module docstring)."""

    def __init__(self, app: ASGIApp, *, services: Services, keys: KeyCache, route: Any) -> None:
        self.app = app
        self.services = services
        self.keys = keys
        self.route = route  # the route Guard's metrics name the request by

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = self._plain(scope)
        if request is None:
            await self.app(scope, receive, send)
            return
        try:
            body, hit = await run_in_threadpool(search_json, self.services, request)
        except Exception:  # the route searches again and answers the error as it does
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route
        headers = [
            *cache_header(hit),
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", b"application/json"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _plain(self, scope: Scope) -> SearchRequest | None:
        if (
            scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] != "GET"
            or scope.get("root_path")
        ):
            return None
        access = _key_scope(self.keys, scope.get("headers", ()))
        if access is None or not grants(access, Access.READ):
            return None
        return plain_request(self.services, scope.get("query_string", b""))
