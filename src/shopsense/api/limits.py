"""The documented limits of the HTTP API, checked before any work is done."""

from __future__ import annotations

from shopsense.core.errors import LimitExceededError

MAX_QUERY_CHARS = 512
MAX_PAGE_SIZE = 100
MAX_WINDOW = 10_000  # offset + limit
MAX_ID_BYTES = 256


def check_page(limit: int, offset: int) -> None:
    if limit > MAX_PAGE_SIZE:
        raise LimitExceededError(f"page size {limit} is above the limit of {MAX_PAGE_SIZE}")
    if offset + limit > MAX_WINDOW:
        raise LimitExceededError(
            f"offset + limit = {offset + limit} is above the limit of {MAX_WINDOW}: "
            "narrow the query with filters instead of paging deeper"
        )


def check_id(value: str) -> None:
    if len(value.encode("utf-8")) > MAX_ID_BYTES:
        raise LimitExceededError(f"an id is at most {MAX_ID_BYTES} bytes in UTF-8")


def check_query(text: str) -> None:
    if len(text) > MAX_QUERY_CHARS:
        raise LimitExceededError(
            f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}"
        )
