"""The product model: what one catalogue row becomes once it is valid."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CATEGORY_SEP = " > "
MAX_ID_BYTES = 256


class Availability(StrEnum):
    IN_STOCK = "in_stock"
    OUT_OF_STOCK = "out_of_stock"
    PREORDER = "preorder"
    UNKNOWN = "unknown"


class Product(BaseModel):
    """A catalogue product. Construct it through :func:`Product.model_validate`."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str | None = None
    brand: str | None = None
    category: tuple[str, ...] = ()
    price: float | None = Field(default=None, ge=0)
    sale_price: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, max_length=8)
    image_paths: tuple[str, ...] = ()
    attributes: dict[str, str] = Field(default_factory=dict)
    availability: Availability = Availability.UNKNOWN
    stock: int | None = Field(default=None, ge=0)
    updated_at: datetime | None = None
    source: str | None = None

    @field_validator("id")
    @classmethod
    def _id_fits(cls, value: str) -> str:
        if len(value.encode("utf-8")) > MAX_ID_BYTES:
            raise ValueError(f"id is longer than {MAX_ID_BYTES} bytes")
        return value

    @field_validator("price", "sale_price")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("price must be a finite number")
        return value

    @field_validator("category", mode="before")
    @classmethod
    def _split_category(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(">") if part.strip())
        return value

    @field_validator("updated_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @model_validator(mode="after")
    def _sale_not_above_price(self) -> Product:
        if self.sale_price is not None and self.price is not None and self.sale_price > self.price:
            raise ValueError(f"sale_price {self.sale_price} is above price {self.price}")
        return self

    @property
    def category_path(self) -> str:
        return CATEGORY_SEP.join(self.category)

    @property
    def effective_price(self) -> float | None:
        """What the shopper pays: the sale price when there is one."""
        return self.sale_price if self.sale_price is not None else self.price

    def content_hash(self) -> str:
        """Hash of everything except bookkeeping, so unchanged rows can be skipped."""
        payload = self.model_dump(mode="json")
        return hashlib.sha256(
            json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        ).hexdigest()
