"""API keys at the edge: which key a request carries and whether its scope allows the call.

A key is sent as ``Authorization: Bearer KEY``, ``X-API-Key: KEY`` or, for the
pages in a browser, the ``shopsense_key`` cookie. With ``open_access`` set (local
demos only) every request is treated as admin.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from shopsense.api.errors import ApiError
from shopsense.app.keys import Access, ApiKeyStore, Scope, grants

COOKIE = "shopsense_key"
CACHE_SECONDS = 5.0  # a revoked key stops working within this bound

_bearer = HTTPBearer(auto_error=False, description="An API key as a bearer token")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key")


class KeyCache:
    """Verified keys for a few seconds, so each request does not hit the store."""

    def __init__(self, store: ApiKeyStore, open_access: bool) -> None:
        self.store = store
        self.open_access = open_access
        self._seen: dict[str, tuple[float, Scope | None]] = {}

    def cached(self, key: str) -> tuple[bool, Scope | None]:
        """``(True, scope)`` for a key verified less than ``CACHE_SECONDS`` ago."""
        hit = self._seen.get(key)
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            return True, hit[1]
        return False, None

    def scope_of(self, key: str) -> Scope | None:
        known, scope = self.cached(key)
        if known:
            return scope
        scope = self.store.verify(key)
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[key] = (time.monotonic(), scope)
        return scope


def presented_key(
    request: Request,
    bearer: HTTPAuthorizationCredentials | None,
    header: str | None,
) -> str | None:
    if bearer is not None and bearer.credentials:
        return bearer.credentials
    if header:
        return header
    return request.cookies.get(COOKIE) or None


async def scope_for(request: Request, key: str | None) -> Scope:
    """The key's scope; only a key not verified in the last few seconds waits for the
    store, in a worker thread (a cached one costs no thread hand-off)."""
    cache: KeyCache = request.app.state.keys
    if cache.open_access:
        return Scope.ADMIN
    if key is None:
        raise ApiError(
            401,
            "missing_api_key",
            "this endpoint needs an API key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'",
            {"WWW-Authenticate": "Bearer"},
        )
    known, scope = cache.cached(key)
    if not known:
        scope = await run_in_threadpool(cache.scope_of, key)
    if scope is None:
        raise ApiError(
            401,
            "invalid_api_key",
            "the API key is unknown or revoked",
            {"WWW-Authenticate": "Bearer"},
        )
    return scope


def require(access: Access) -> Callable[..., Awaitable[Scope]]:
    """A dependency that lets a request through only if its key grants ``access``."""

    async def check(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
        header: Annotated[str | None, Security(_header)] = None,
    ) -> Scope:
        scope = await scope_for(request, presented_key(request, bearer, header))
        if not grants(scope, access):
            raise ApiError(
                403,
                "insufficient_scope",
                f"a {scope.value} key cannot do this: it needs {access.value} access",
            )
        return scope

    return check


READ = Depends(require(Access.READ))
WRITE = Depends(require(Access.WRITE))
ADMIN = Depends(require(Access.ADMIN))
