"""Event ingestion: ``POST /events`` takes one event or ``{"events": [...]}``.

A 2xx means every event of the request is committed to the durable log. A
client ``event_id`` makes a retry safe: an event already in the log answers
``duplicate: true`` and is not stored or counted again. A batch is all or
nothing: if any event is invalid, none is stored and the answer (422) names it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, Field

from shopsense.api.auth import WRITE
from shopsense.api.errors import documented
from shopsense.api.metrics import Metrics
from shopsense.app.services import Services
from shopsense.events.schema import Event

router = APIRouter(tags=["events"])
MAX_BATCH = 10_000
ERRORS = documented(400, 401, 403, 413, 422, 503)


class EventBatch(BaseModel):
    events: list[Event] = Field(min_length=1, max_length=MAX_BATCH)


class EventAck(BaseModel):
    event_id: str = Field(description="The client's event_id, or the digest used as its key")
    duplicate: bool = Field(description="True when the log already held this event")


class BatchAck(BaseModel):
    received: int
    stored: int
    duplicates: int
    events: list[EventAck]


@router.post(
    "/events",
    response_model=EventAck | BatchAck,
    responses={
        **ERRORS,
        201: {"model": EventAck | BatchAck, "description": "Committed: at least one was new"},
    },
    dependencies=[WRITE],
)
def post_events(
    request: Request,
    response: Response,
    payload: Annotated[Event | EventBatch, Body()],
) -> EventAck | BatchAck:
    """Append one event or a batch of up to 10,000 to the durable event log."""
    svc: Services = request.app.state.services
    metrics: Metrics = request.app.state.metrics
    batch = payload.events if isinstance(payload, EventBatch) else [payload]
    result = svc.events.append(batch)
    metrics.events(result.inserted, result.duplicates)
    response.status_code = 201 if result.inserted else 200
    acks = [
        EventAck(event_id=e.key(), duplicate=not fresh)
        for e, fresh in zip(batch, result.stored, strict=True)
    ]
    if isinstance(payload, EventBatch):
        return BatchAck(
            received=len(batch), stored=result.inserted, duplicates=result.duplicates, events=acks
        )
    return acks[0]
