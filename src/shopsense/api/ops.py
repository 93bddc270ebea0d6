"""Operations: health, metrics, the quarantine (admin)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from sqlalchemy import text

from shopsense.api.auth import ADMIN
from shopsense.api.errors import ErrorResponse, documented
from shopsense.api.limits import check_page
from shopsense.app.services import Services
from shopsense.catalog.quarantine import QuarantinedRow

router = APIRouter(tags=["operations"])
ERRORS = documented(400, 401, 403, 422, 503)


class Health(BaseModel):
    status: str
    store: str


class QuarantinePage(BaseModel):
    total: int
    reasons: dict[str, int]
    rows: list[QuarantinedRow]


@router.get("/health", response_model=Health, responses={503: {"model": ErrorResponse}})
def health(request: Request) -> Health:
    """Liveness and store reachability; needs no key and is never turned away for load."""
    svc: Services = request.app.state.services
    with svc.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return Health(status="ok", store=svc.engine.dialect.name)


@router.get("/metrics", response_class=PlainTextResponse, responses=ERRORS, dependencies=[ADMIN])
def metrics(request: Request) -> str:
    """Request counts, latency histogram, rejections and events, in Prometheus text format."""
    return str(request.app.state.metrics.render())


@router.get("/quarantine", response_model=QuarantinePage, responses=ERRORS, dependencies=[ADMIN])
def quarantine(
    request: Request,
    reason: Annotated[str | None, Query(max_length=64)] = None,
    source: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> QuarantinePage:
    """Rows kept out of the catalogue, with file, line, reason code and raw text."""
    check_page(limit, offset)
    svc: Services = request.app.state.services
    rows = svc.quarantine.page(reason=reason, source=source, limit=limit, offset=offset)
    return QuarantinePage(
        total=svc.quarantine.count(),
        reasons=svc.quarantine.reasons(),
        rows=[replace(r, created_at=_aware(r.created_at)) for r in rows],
    )


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC times; the schema promises RFC 3339 with an offset."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
