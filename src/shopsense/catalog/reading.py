"""Read a catalogue file into products without a store (for matching and evaluation).

The same path as ingestion (mapping, parsing, the optional quality hook), but
rows that would be quarantined are only counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shopsense.catalog.ingest import HookResult, IngestOptions, ProductHook
from shopsense.catalog.mapping import ColumnMapping
from shopsense.catalog.records import RecordContext, to_product
from shopsense.catalog.schema import Product
from shopsense.catalog.sources import describe, read_records


@dataclass
class ReadProducts:
    products: list[Product] = field(default_factory=list)
    rows_read: int = 0
    rejected: int = 0


def read_products(
    path: Path, options: IngestOptions | None = None, hook: ProductHook | None = None
) -> ReadProducts:
    """Every valid product of ``path`` in file order; ``rows_read = len(products) + rejected``."""
    opts = options or IngestOptions()
    info = describe(path, opts.format)
    out = ReadProducts()
    ctx: RecordContext | None = None
    for record in read_records(info, sep=opts.sep, merge_extra_fields=opts.merge_extra_fields):
        out.rows_read += 1
        if record.fields is None:
            out.rejected += 1
            continue
        if ctx is None:
            mapping = ColumnMapping.resolve(
                opts.mapping, list(record.fields), schemaless=info.format == "jsonl"
            )
            ctx = RecordContext(mapping, path.parent, opts.source or path.name)
        product = to_product(record.fields, ctx).product
        if product is not None and hook is not None:
            result = hook(product)
            product = result.product if isinstance(result, HookResult) else result
        if product is None:
            out.rejected += 1
        else:
            out.products.append(product)
    return out
