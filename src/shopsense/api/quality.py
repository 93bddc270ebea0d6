"""The data-quality report over HTTP (admin): ``GET /quality`` → the report's figures as JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from shopsense.api.auth import ADMIN
from shopsense.api.errors import documented
from shopsense.app.services import Services

router = APIRouter(tags=["operations"])
ERRORS = documented(400, 401, 403, 422, 503)


@router.get("/quality", response_model=dict[str, Any], responses=ERRORS, dependencies=[ADMIN])
def quality(
    request: Request,
    clusters: Annotated[int, Query(ge=0, le=200, description="duplicate clusters to list")] = 20,
) -> dict[str, Any]:
    """What `shopsense quality report --json` prints: completeness, prices per category,
    quarantine reasons, warnings, repairs, freshness, quality scores, duplicate clusters."""
    svc: Services = request.app.state.services
    report: dict[str, Any] = svc.quality_report(clusters=clusters).to_dict()
    return report
