"""Turn one mapped record into a :class:`Product`, or say exactly why it cannot be one."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shopsense.catalog.mapping import ColumnMapping
from shopsense.catalog.schema import Availability, Product
from shopsense.catalog.sources import Repair
from shopsense.catalog.values import (
    ValueProblem,
    is_blank,
    parse_availability,
    parse_price,
    parse_stock,
    parse_timestamp,
)

_IMAGE_SPLIT = re.compile(r"[|;]")


@dataclass
class Conversion:
    """A product, or a reason code and detail; repairs made along the way either way."""

    product: Product | None
    reason: str | None = None
    detail: str | None = None
    repairs: list[Repair] = field(default_factory=list)


@dataclass(frozen=True)
class RecordContext:
    mapping: ColumnMapping
    base_dir: Path
    source_name: str


def _text(value: Any) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _pick(fields: dict[str, Any], ctx: RecordContext, name: str) -> Any:
    cols = ctx.mapping.fields.get(name)
    if not cols:
        return None
    if len(cols) == 1:
        return fields.get(cols[0])
    return [fields.get(c) for c in cols]


def _category(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(t for v in value if (t := _text(v)))
    text = _text(value)
    if text is None:
        return ()
    return tuple(p.strip() for p in text.split(">") if p.strip())


def _images(value: Any, base_dir: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else _IMAGE_SPLIT.split(str(value))
    out = []
    for item in items:
        text = _text(item)
        if not text:
            continue
        if "://" in text or Path(text).is_absolute():
            out.append(text)
        else:
            out.append(str((base_dir / text).resolve()))
    return tuple(out)


def _attributes(fields: dict[str, Any], ctx: RecordContext) -> dict[str, str]:
    attrs: dict[str, str] = {}
    explicit = _pick(fields, ctx, "attributes")
    if isinstance(explicit, str) and explicit.strip().startswith("{"):
        try:
            explicit = json.loads(explicit)
        except json.JSONDecodeError:
            attrs["attributes"] = explicit.strip()
            explicit = None
    if isinstance(explicit, dict):
        attrs.update({str(k): t for k, v in explicit.items() if (t := _attr_text(v))})
    for key in ctx.mapping.attribute_keys(fields):
        if (t := _attr_text(fields[key])) is not None:
            attrs[key] = t
    return attrs


def _attr_text(value: Any) -> str | None:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return _text(value)


def to_product(fields: dict[str, Any], ctx: RecordContext) -> Conversion:
    """Map, parse and validate one record."""
    repairs: list[Repair] = []
    try:
        price, currency = parse_price(_pick(fields, ctx, "price"))
        sale, sale_currency = parse_price(_pick(fields, ctx, "sale_price"))
        stock = parse_stock(_pick(fields, ctx, "stock"))
        updated_at = parse_timestamp(_pick(fields, ctx, "updated_at"))
    except ValueProblem as problem:
        return Conversion(None, problem.code, str(problem), repairs)
    raw_avail = _pick(fields, ctx, "availability")
    availability = parse_availability(raw_avail)
    if availability is None:
        repairs.append(
            Repair("availability", "unrecognised_availability", str(raw_avail), "unknown")
        )
        availability = Availability.UNKNOWN
    if availability is Availability.UNKNOWN and stock is not None:
        availability = Availability.IN_STOCK if stock > 0 else Availability.OUT_OF_STOCK
    if sale is not None and price is not None and sale > price:
        repairs.append(Repair("sale_price", "sale_price_above_price", str(sale), None))
        sale = None
    explicit_currency = _text(_pick(fields, ctx, "currency"))
    data: dict[str, Any] = {
        "id": _text(_pick(fields, ctx, "id")) or "",
        "title": _text(_pick(fields, ctx, "title")) or "",
        "description": _text(_pick(fields, ctx, "description")),
        "brand": _text(_pick(fields, ctx, "brand")),
        "category": _category(_pick(fields, ctx, "category")),
        "price": price,
        "sale_price": sale,
        "currency": (explicit_currency or currency or sale_currency),
        "image_paths": _images(_pick(fields, ctx, "image_paths"), ctx.base_dir),
        "attributes": _attributes(fields, ctx),
        "availability": availability,
        "stock": stock,
        "updated_at": updated_at,
        "source": _text(_pick(fields, ctx, "source")) or ctx.source_name,
    }
    for name in ("id", "title"):
        if not data[name]:
            return Conversion(None, "missing_required", f"{name} is empty", repairs)
    try:
        return Conversion(Product.model_validate(data), repairs=repairs)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "row"
        return Conversion(None, _reason(first["type"]), f"{where}: {first['msg']}", repairs)


def _reason(pydantic_type: str) -> str:
    if pydantic_type in ("missing", "string_too_short"):
        return "missing_required"
    if pydantic_type in ("greater_than_equal", "less_than_equal", "string_too_long"):
        return "out_of_range"
    return "invalid_type"
