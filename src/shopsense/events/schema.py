"""The event model: one thing a user did with an item."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_ID_BYTES = 256
DEFAULT_TYPES = ("view", "click", "cart", "fav", "buy")


class Event(BaseModel):
    """A user–item interaction. ``type`` is open: view/click/cart/fav/buy or your own."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    user_id: str = Field(min_length=1)
    item_id: str = Field(min_length=1)
    type: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
    timestamp: datetime
    session_id: str | None = None
    query: str | None = Field(default=None, max_length=512)
    event_id: str | None = None

    @field_validator("user_id", "item_id", "session_id", "event_id")
    @classmethod
    def _id_fits(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode("utf-8")) > MAX_ID_BYTES:
            raise ValueError(f"ids are at most {MAX_ID_BYTES} bytes")
        return value

    @field_validator("timestamp")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def key(self) -> str:
        """The idempotency key: the client's ``event_id``, else a digest of the event itself.

        Without an ``event_id`` two identical events (same user, item, type,
        timestamp, session) are taken to be the same event sent twice.
        """
        if self.event_id:
            return self.event_id
        raw = "\x1f".join(
            [
                self.user_id,
                self.item_id,
                self.type,
                self.timestamp.isoformat(),
                self.session_id or "",
            ]
        )
        return "sha1:" + hashlib.sha1(raw.encode("utf-8")).hexdigest()
