"""Product writes from programs (API, scripts): validated one by one, a status per item.

Every item goes through the catalogue's own validation (:class:`Product`) and
then, when a ``gate`` is given, the ingest quality gate (cleaning + ``fail``
checks, :class:`~shopsense.catalog.quality.gate.QualityGate`). An item that
fails either gets an error with a reason code and lands in the quarantine
(source ``api:<name>``, line = the item's position, the item as JSON in ``raw``);
the good ones are upserted, cleaned, with their repairs recorded. Everything is
one transaction with one ``ingest_runs`` row, so *items read = accepted +
quarantined* holds like any ingest, and one bad item never blocks the others.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, update

from shopsense.catalog.ingest import HookResult, ProductHook
from shopsense.catalog.quarantine import (
    QuarantinedRow,
    RecordedRepair,
    add_quarantined,
    add_repairs,
)
from shopsense.catalog.schema import Product
from shopsense.catalog.store import UpsertCounts, upsert_products
from shopsense.storage.runs import insert_run
from shopsense.storage.schema import ingest_runs

MAX_BULK_ITEMS = 10_000


@dataclass(frozen=True)
class ItemResult:
    """``status`` is inserted, updated, unchanged or error (then ``code`` and ``message``)."""

    index: int
    id: str | None
    status: str
    code: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class WriteSummary:
    run_id: int
    items: list[ItemResult]
    repaired: int

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)


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


def _raw(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False, default=str, sort_keys=True)[:100_000]


def _gated(
    index: int, product: Product, gate: ProductHook | None, source: str
) -> tuple[Product | ItemResult, list[RecordedRepair]]:
    if gate is None:
        return product, []
    outcome = gate(product)
    result = outcome if isinstance(outcome, HookResult) else HookResult(outcome)
    if result.product is None:
        code = result.reason or "quality_gate"
        return ItemResult(index, product.id, "error", code, result.detail or code), []
    repairs = [
        RecordedRepair(source, index, product.id, r.field, r.code, r.before, r.after)
        for r in result.repairs
    ]
    return result.product, repairs


def upsert_items(
    engine: Engine, items: Sequence[Any], *, gate: ProductHook | None = None, name: str = "bulk"
) -> WriteSummary:
    """Validate and gate each item, upsert the good ones, quarantine the bad, report each."""
    source = f"api:{name}"
    results: list[ItemResult | None] = [None] * len(items)
    valid: list[tuple[int, Product]] = []
    repairs: list[RecordedRepair] = []
    bad: list[QuarantinedRow] = []
    for index, raw in enumerate(items):
        checked = validate_item(index, raw)
        if isinstance(checked, Product):
            checked, fixes = _gated(index, checked, gate, source)
            repairs += fixes
        if isinstance(checked, Product):
            valid.append((index, checked))
            continue
        results[index] = checked
        detail = checked.message or ""
        bad.append(QuarantinedRow(source, index, checked.code or "", detail, _raw(raw), checked.id))
    with engine.begin() as conn:
        run_id = insert_run(conn, source)
        for index, product in valid:
            results[index] = ItemResult(
                index, product.id, _status(upsert_products(conn, [product]))
            )
        add_quarantined(conn, run_id, bad)
        add_repairs(conn, run_id, repairs)
        done = [r for r in results if r is not None]
        repaired = len({r.line_no for r in repairs})
        changed = {s: sum(1 for r in done if r.status == s) for s in ("inserted", "updated")}
        conn.execute(
            update(ingest_runs)
            .where(ingest_runs.c.id == run_id)
            .values(
                status="completed",
                finished_at=datetime.now(UTC),
                summary={"source": source, "items": len(items), "quarantined": len(bad)},
                rows_read=len(items),
                accepted=len(valid),
                quarantined=len(bad),
                unchanged=len(valid) - changed["inserted"] - changed["updated"],
                repaired=repaired,
                **changed,
            )
        )
    return WriteSummary(run_id, done, repaired)
