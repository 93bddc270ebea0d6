"""The HTTP server: one FastAPI app over the services, with the pages mounted in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from shopsense import __version__
from shopsense.api import errors, events, heap, ops, products, quality, recommend, search, suggest
from shopsense.api.auth import ADMIN, READ, KeyCache
from shopsense.api.freshness import SearchRefresher
from shopsense.api.guard import Guard
from shopsense.api.metrics import Metrics
from shopsense.api.search_lane import PATH as SEARCH_PATH
from shopsense.api.search_lane import SearchLane
from shopsense.app.services import Services
from shopsense.web.pages import make_router

DESCRIPTION = """\
Search, recommendations, catalogue and events over HTTP.

**Keys**: send `Authorization: Bearer KEY` or `X-API-Key: KEY`. A *search* key
reads; an *ingest* key also writes products and events; an *admin* key does
everything. **Limits**: query ≤ 512 characters, page size ≤ 100, offset + limit
≤ 10,000, body ≤ 16 MB, ids ≤ 256 bytes (UTF-8). **Errors**: every 4xx/5xx is
`{"error": {"code", "message"}}`. **Overload**: 503 with `Retry-After`.
"""


def create_app(services: Services, *, settle_heap: bool = False) -> FastAPI:
    """The API (and pages) for ``services``; the caller owns and closes the services.

    ``settle_heap``: the app owns its process (``shopsense serve``), so after start-up
    and after each index swap its long-lived objects leave the garbage collector's full
    passes (:mod:`shopsense.api.heap`)."""
    refresher = SearchRefresher(
        services, services.settings.search_refresh_seconds, settle_heap=settle_heap
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if services.settings.search_warm:  # open and warm search before the first request
            services.search().warm()
            services.query.understanding()  # the storefront parses every query it searches
        if settle_heap:
            heap.settle()
        refresher.start()
        try:
            yield
        finally:
            refresher.stop()

    app = FastAPI(
        title="shopsense", version=__version__, description=DESCRIPTION, lifespan=lifespan
    )
    app.state.refresher = refresher
    metrics = Metrics()
    app.state.services = services
    app.state.metrics = metrics
    app.state.keys = KeyCache(services.keys, services.settings.open_access)
    errors.install(app)
    routers = (products, search, suggest, recommend, events, quality, ops)
    for module in routers:
        app.include_router(module.router)
    app.include_router(make_router(READ, ADMIN))
    app.add_middleware(
        SearchLane,
        services=services,
        keys=app.state.keys,
        route=next(r for r in search.router.routes if getattr(r, "path", None) == SEARCH_PATH),
    )
    app.add_middleware(
        Guard,
        max_in_flight=services.settings.max_in_flight,
        metrics=metrics,
        rebalance_above=services.settings.rebalance_above,
    )
    return app


def app_from_environment() -> FastAPI:
    """The app over services built from SHOPSENSE_* (a uvicorn worker process's factory;
    the process owns the services until it exits)."""
    from shopsense.app.settings import Settings

    return create_app(Services.from_settings(Settings()), settle_heap=True)
