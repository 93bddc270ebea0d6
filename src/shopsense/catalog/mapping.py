"""Column mapping: which file columns feed which product fields.

A mapping is given as ``field=column`` specs (``--map title=productDisplayName``);
``category`` may join several columns into a path
(``--map category=masterCategory/subCategory/articleType``). Fields not mapped
explicitly are found by common column names; every other column becomes an
attribute.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shopsense.core.errors import MappingError

PRODUCT_FIELDS = (
    "id",
    "title",
    "description",
    "brand",
    "category",
    "price",
    "sale_price",
    "currency",
    "image_paths",
    "attributes",
    "availability",
    "stock",
    "updated_at",
    "source",
)

# Column names recognised without a --map, compared case-insensitively.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "product_id", "productid", "sku", "item_id", "asin", "pid"),
    "title": ("title", "name", "product_name", "product_title", "productdisplayname"),
    "description": ("description", "desc", "product_description", "description_text"),
    "brand": ("brand", "brandname", "brand_name", "manufacturer", "product_brand"),
    "category": ("category", "category_path", "categories", "product_category"),
    "price": ("price", "list_price", "regular_price"),
    "sale_price": ("sale_price", "discountedprice", "discounted_price", "discount_price"),
    "currency": ("currency",),
    "image_paths": ("image_paths", "image_path", "image", "images", "image_url", "img"),
    "attributes": ("attributes",),
    "availability": ("availability", "in_stock", "available"),
    "stock": ("stock", "quantity", "inventory"),
    "updated_at": ("updated_at", "last_modified", "modified", "updated"),
}


@dataclass(frozen=True)
class ColumnMapping:
    """Product field → source columns, fully resolved against a file's columns."""

    fields: dict[str, tuple[str, ...]]
    used: frozenset[str]

    def attribute_keys(self, record_keys: Iterable[str]) -> list[str]:
        """Keys of a record that no field uses: they become attributes."""
        return [k for k in record_keys if k not in self.used]

    @staticmethod
    def parse(specs: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Parse ``field=col`` / ``category=a/b/c`` specs, rejecting unknown fields."""
        out: dict[str, tuple[str, ...]] = {}
        for spec in specs:
            name, eq, target = spec.partition("=")
            name, target = name.strip(), target.strip()
            if not eq or not name or not target:
                raise MappingError(f"mapping {spec!r} is not of the form field=column")
            if name not in PRODUCT_FIELDS:
                raise MappingError(
                    f"unknown product field {name!r} in {spec!r}; "
                    f"fields: {', '.join(PRODUCT_FIELDS)}"
                )
            out[name] = (target,)
        return out

    @classmethod
    def resolve(
        cls, specs: Iterable[str], columns: Sequence[str], *, schemaless: bool = False
    ) -> ColumnMapping:
        """Resolve ``specs`` against the file's ``columns``.

        For schemaless files (JSONL) ``columns`` are the first record's keys, and
        every field not found there is looked up under its own name in each record.
        """
        explicit = cls.parse(specs)
        known = list(columns)
        fields = {name: _split_target(name, t, known) for name, (t,) in explicit.items()}
        used = {c for cols in fields.values() for c in cols}
        lower = {c.lower(): c for c in known}
        for name, aliases in _ALIASES.items():
            if name in fields:
                continue
            for alias in aliases:
                col = lower.get(alias)
                if col is not None and col not in used:
                    fields[name] = (col,)
                    used.add(col)
                    break
        if schemaless:
            for name in PRODUCT_FIELDS:
                if name not in fields and name not in used:
                    fields[name] = (name,)
                    used.add(name)
        for required in ("id", "title"):
            if required not in fields:
                raise MappingError(
                    f"no {required} column: map one with --map {required}=COLUMN "
                    f"(columns: {', '.join(known)})"
                )
        return cls(fields, frozenset(used))


def _split_target(name: str, target: str, known: list[str]) -> tuple[str, ...]:
    if target in known:
        return (target,)
    parts = tuple(p.strip() for p in target.split("/")) if "/" in target else (target,)
    if len(parts) > 1 and name != "category":
        raise MappingError(f"only category may join several columns; got {name}={target}")
    missing = [p for p in parts if p not in known]
    if missing:
        raise MappingError(
            f"--map {name}={target}: no column {', '.join(map(repr, missing))} "
            f"(columns: {', '.join(known)})"
        )
    return parts
