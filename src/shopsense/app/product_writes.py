"""Product writes from programs (API, scripts): validated one by one, a status per item.

Every item goes through the catalogue's own validation (:class:`Product`); an
item that fails gets an error, the valid ones are upserted in one transaction,
so one bad row never blocks or fails the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine

from shopsense.catalog.schema import Product
from shopsense.catalog.store import UpsertCounts, upsert_products

MAX_BULK_ITEMS = 10_000
CHUNK = 500


@dataclass(frozen=True)
class ItemResult:
    """``status`` is inserted, updated, unchanged or error (then ``code`` and ``message``)."""

    index: int
    id: str | None
    status: str
    code: str | None = None
    message: str | None = None


def describe(error: ValidationError) -> str:
    """A pydantic error as one line a person can act on: ``field: problem; …``."""
    parts = []
    for item in error.errors(include_url=False)[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "product"
        parts.append(f"{where}: {item['msg']}")
    more = error.error_count() - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _status(counts: UpsertCounts) -> str:
    return "inserted" if counts.inserted else "updated" if counts.updated else "unchanged"


def validate_item(index: int, raw: Any) -> Product | ItemResult:
    if not isinstance(raw, Mapping):
        return ItemResult(index, None, "error", "invalid_product", "an item must be a JSON object")
    raw_id = raw.get("id")
    shown = raw_id if isinstance(raw_id, str) else None
    try:
        return Product.model_validate(dict(raw))
    except ValidationError as exc:
        return ItemResult(index, shown, "error", "invalid_product", describe(exc))


def upsert_items(engine: Engine, items: Sequence[Any]) -> list[ItemResult]:
    """Validate each item, upsert the valid ones in one transaction, report each in order."""
    results: list[ItemResult | None] = [None] * len(items)
    valid: list[tuple[int, Product]] = []
    for index, raw in enumerate(items):
        checked = validate_item(index, raw)
        if isinstance(checked, Product):
            valid.append((index, checked))
        else:
            results[index] = checked
    with engine.begin() as conn:
        for index, product in valid:
            counts = upsert_products(conn, [product])
            results[index] = ItemResult(index, product.id, _status(counts))
    return [r for r in results if r is not None]
