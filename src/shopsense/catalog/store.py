"""The product store: upsert by id with change detection, reads, deletes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, bindparam, delete, func, select, update
from sqlalchemy.engine import RowMapping

from shopsense.catalog.schema import Availability, Product
from shopsense.core.errors import NotFoundError
from shopsense.storage.schema import products as T


class ProductText(NamedTuple):
    """A product's words that query understanding learns from (its vocabulary, brands)."""

    title: str
    brand: str | None
    category: tuple[str, ...]


class Stored(NamedTuple):
    """A product as read from the store, with the content hash it was stored with."""

    product: Product
    content_hash: str


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0  # an earlier row of an id repeated later in the same batch

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.superseded + other.superseded,
        )


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def product_to_row(product: Product, content_hash: str, now: datetime) -> dict[str, Any]:
    return {
        "id": product.id,
        "title": product.title,
        "description": product.description,
        "brand": product.brand,
        "category_path": product.category_path or None,
        "category": list(product.category),
        "price": product.price,
        "sale_price": product.sale_price,
        "currency": product.currency,
        "image_paths": list(product.image_paths),
        "attributes": dict(product.attributes),
        "availability": product.availability.value,
        "stock": product.stock,
        "updated_at": product.updated_at,
        "source": product.source,
        "content_hash": content_hash,
        "ingested_at": now,
    }


def row_to_product(row: RowMapping) -> Product:
    return Product.model_validate(
        {
            "id": row["id"],
            "title": row["title"],
            "description": row["description"],
            "brand": row["brand"],
            "category": tuple(row["category"] or ()),
            "price": row["price"],
            "sale_price": row["sale_price"],
            "currency": row["currency"],
            "image_paths": tuple(row["image_paths"] or ()),
            "attributes": row["attributes"] or {},
            "availability": Availability(row["availability"]),
            "stock": row["stock"],
            "updated_at": _aware(row["updated_at"]),
            "source": row["source"],
        }
    )


def upsert_products(conn: Connection, batch: Sequence[Product]) -> UpsertCounts:
    """Insert new ids, update changed ones, leave identical ones untouched.

    Each row is counted once: against what was stored before the batch, as
    inserted, updated or unchanged; a row whose id comes again later in the
    batch is ``superseded`` (the last version wins and is the one compared).
    """
    if not batch:
        return UpsertCounts()
    final: dict[str, tuple[Product, str]] = {}
    for product in batch:
        final[product.id] = (product, product.content_hash())
    existing: dict[str, str] = {}
    ids = list(final)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(select(T.c.id, T.c.content_hash).where(T.c.id.in_(chunk)))
        existing.update({r.id: r.content_hash for r in rows})
    superseded = len(batch) - len(final)
    inserted = sum(1 for pid in final if pid not in existing)
    updated = sum(1 for pid, (_, d) in final.items() if pid in existing and existing[pid] != d)
    unchanged = len(final) - inserted - updated
    now = datetime.now(UTC)
    inserts, updates = [], []
    for pid, (product, digest) in final.items():
        if pid not in existing:
            inserts.append(product_to_row(product, digest, now))
        elif existing[pid] != digest:
            row = product_to_row(product, digest, now)
            row["b_id"] = row.pop("id")
            updates.append(row)
    if inserts:
        conn.execute(T.insert(), inserts)
    if updates:
        cols: dict[str, Any] = {c: bindparam(c) for c in updates[0] if c != "b_id"}
        conn.execute(update(T).where(T.c.id == bindparam("b_id")).values(cols), updates)
    return UpsertCounts(inserted, updated, unchanged, superseded)


class ProductStore:
    """Reads and writes products in one store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def upsert(self, batch: Sequence[Product]) -> UpsertCounts:
        with self.engine.begin() as conn:
            return upsert_products(conn, batch)

    def get(self, product_id: str) -> Product:
        with self.engine.connect() as conn:
            row = conn.execute(select(T).where(T.c.id == product_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no product with id {product_id!r}")
        return row_to_product(row)

    def get_many(self, ids: Sequence[str]) -> dict[str, Product]:
        return {i: stored.product for i, stored in self.stored_many(ids).items()}

    def stored_many(self, ids: Sequence[str]) -> dict[str, Stored]:
        """The products of ``ids`` that exist, each with the content hash it was stored with."""
        out: dict[str, Stored] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                rows = conn.execute(select(T).where(T.c.id.in_(chunk))).mappings()
                out.update({r["id"]: Stored(row_to_product(r), r["content_hash"]) for r in rows})
        return out

    def delete(self, product_id: str) -> None:
        with self.engine.begin() as conn:
            result = conn.execute(delete(T).where(T.c.id == product_id))
        if result.rowcount == 0:
            raise NotFoundError(f"no product with id {product_id!r}")

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(T)).scalar_one())

    def page(
        self,
        *,
        limit: int = 20,
        offset: int = 0,
        brand: str | None = None,
        category_prefix: str | None = None,
    ) -> list[Product]:
        query = select(T).order_by(T.c.id).limit(limit).offset(offset)
        if brand is not None:
            query = query.where(T.c.brand == brand)
        if category_prefix is not None:
            query = query.where(T.c.category_path.startswith(category_prefix, autoescape=True))
        with self.engine.connect() as conn:
            return [row_to_product(r) for r in conn.execute(query).mappings()]

    def iter_all(self, batch_size: int = 2000) -> Iterator[Product]:
        """Every product in id order, read in pages so memory stays flat."""
        return (stored.product for stored in self.iter_stored(batch_size))

    def iter_stored(self, batch_size: int = 2000) -> Iterator[Stored]:
        """Every product in id order with its content hash, read in pages."""
        last: str | None = None
        while True:
            query = select(T).order_by(T.c.id).limit(batch_size)
            if last is not None:
                query = query.where(T.c.id > last)
            with self.engine.connect() as conn:
                rows = list(conn.execute(query).mappings())
            if not rows:
                return
            for row in rows:
                yield Stored(row_to_product(row), row["content_hash"])
            last = rows[-1]["id"]

    def texts(self) -> list[ProductText]:
        """Title, brand and category path of every product in id order (three columns
        read, not whole products: what the query parser is built from)."""
        query = select(T.c.title, T.c.brand, T.c.category).order_by(T.c.id)
        with self.engine.connect() as conn:
            return [
                ProductText(r.title, r.brand, tuple(r.category or ())) for r in conn.execute(query)
            ]

    def content_hashes(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return {r.id: r.content_hash for r in conn.execute(select(T.c.id, T.c.content_hash))}
