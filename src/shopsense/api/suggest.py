"""Autocomplete route: ``GET /suggest?q=…`` → brands, categories and titles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from shopsense.api.auth import READ
from shopsense.api.errors import documented
from shopsense.app.services import Services

router = APIRouter(tags=["search"])
ERRORS = documented(400, 401, 403, 422, 503)


class SuggestionOut(BaseModel):
    text: str
    kind: str
    count: int


class Suggestions(BaseModel):
    query: str
    suggestions: list[SuggestionOut]


@router.get("/suggest", response_model=Suggestions, responses=ERRORS, dependencies=[READ])
def suggest(
    request: Request,
    q: Annotated[str, Query(max_length=512)],
    k: Annotated[int, Query(ge=1, le=20)] = 8,
) -> Suggestions:
    """Completions of what was typed, from the catalogue's brands, categories and titles."""
    svc: Services = request.app.state.services
    found = svc.suggestions.suggest(q, k)
    return Suggestions(
        query=q,
        suggestions=[SuggestionOut(text=s.text, kind=s.kind, count=s.count) for s in found],
    )
