"""Errors at the HTTP edge: every failure is JSON ``{"error": {"code", "message"}}``.

Bad input is a 4xx naming the field and the problem; a request is never
answered with a traceback. Status per shopsense error:

InputError 400 (LimitExceededError 400, body too large 413), NotFoundError 404,
StorageError 503 + Retry-After, anything unexpected 500 (logged, never shown).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopsense.core.errors import InputError, NotFoundError, ShopsenseError, StorageError

log = logging.getLogger("shopsense.api")

RETRY_AFTER_SECONDS = 1
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "overloaded",
}


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    """What every 4xx and 5xx answer carries."""

    error: ErrorBody


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: these error statuses answer an :class:`ErrorResponse`."""
    return {status: {"model": ErrorResponse} for status in statuses}


class ApiError(Exception):
    """Raised by routes: an HTTP status with a code and a message for a person."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body",)) or "body"


def _one_branch(errors: list[Any]) -> list[Any]:
    """For a body that may be one of several models, the errors of the closest one.

    pydantic reports every branch of a union (``body.Event.…``, ``body.EventBatch.…``);
    the branch with the fewest errors is the one the client meant (ties: the first).
    """
    branches: dict[str, list[Any]] = {}
    for e in errors:
        loc = tuple(e.get("loc", ()))
        if len(loc) > 1 and loc[0] == "body" and isinstance(loc[1], str) and loc[1][:1].isupper():
            branches.setdefault(loc[1], []).append({**e, "loc": ("body", *loc[2:])})
    if len(branches) < 2:
        return errors
    rest = [e for e in errors if not (len(e.get("loc", ())) > 1 and e["loc"][1] in branches)]
    return rest + min(branches.values(), key=len)


def _message(error: Any) -> str:
    if error.get("type") == "json_invalid":
        detail = (error.get("ctx") or {}).get("error", "")
        return f"the body is not valid JSON ({detail})" if detail else "the body is not valid JSON"
    return f"{_where(tuple(error.get('loc', ())))}: {error.get('msg', 'invalid')}"


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _one_branch(list(exc.errors()))
    parts = [_message(e) for e in errors[:5]]
    more = len(errors) - len(parts)
    message = "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
    return error_response(422, "invalid_input", message or "the request is not valid")


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers) if exc.headers else None
    return error_response(exc.status_code, code, str(exc.detail), headers)


def _api(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


def _shopsense(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ShopsenseError)
    if isinstance(exc, InputError):
        return error_response(400, exc.code, str(exc))
    if isinstance(exc, NotFoundError):
        return error_response(404, exc.code, str(exc))
    if isinstance(exc, StorageError):
        log.error("store unavailable: %s", exc)
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return error_response(503, exc.code, "the store is unavailable, retry shortly", retry)
    log.error("shopsense error: %s", exc)
    return error_response(500, exc.code, str(exc))


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal_error", "an unexpected error occurred; it was logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(ShopsenseError, _shopsense)
    app.add_exception_handler(Exception, _unexpected)
