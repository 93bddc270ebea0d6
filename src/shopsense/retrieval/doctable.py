"""The columns search needs for every indexed product, held in memory by key.

Read straight from the store (no per-row validation) so opening a 44k catalogue
takes well under a second. Popularity comes from the ``events`` table when it
holds events (weighted counts: view 1, click 2, fav 3, cart 4, buy 8).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, func, select

from shopsense.catalog.values import currency_code
from shopsense.retrieval.key_lookup import KeyLookup
from shopsense.storage.schema import events as EV
from shopsense.storage.schema import products as P

EVENT_WEIGHTS = {"view": 1.0, "click": 2.0, "fav": 3.0, "cart": 4.0, "buy": 8.0, "purchase": 8.0}
Floats = npt.NDArray[np.float64]


def product_key(product_id: str) -> int:
    """Stable 63-bit integer key of a product id (the id both indexes store)."""
    return int.from_bytes(hashlib.sha256(product_id.encode("utf-8")).digest()[:8], "big") >> 1


def _ts(value: datetime | None) -> float:
    if value is None:
        return math.nan
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


@dataclass
class DocTable:
    """Parallel columns, one row per product; ``rows`` maps keys to their rows."""

    keys: npt.NDArray[np.int64]
    ids: list[str]
    titles: list[str]
    brands: list[str | None]
    categories: list[tuple[str, ...]]
    availability: list[str]
    attributes: list[dict[str, str]]
    hashes: list[str]
    prices: Floats
    updated: Floats
    quality: Floats
    popularity: Floats
    currencies: list[str | None] = field(default_factory=list)  # as ``currency_code``
    _lookup: KeyLookup = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._lookup = KeyLookup(self.keys)
        if not self.currencies:
            self.currencies = [None] * len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, keys: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """The row of each key (``KeyError`` for a key the table does not hold)."""
        wanted = np.asarray(keys, dtype=np.int64).ravel()
        rows, held = self._lookup.find(wanted)
        if not held.all():
            raise KeyError(int(wanted[np.flatnonzero(~held)[0]]))
        return rows

    @classmethod
    def load(cls, engine: Engine) -> DocTable:
        cols = [P.c.id, P.c.title, P.c.brand, P.c.category, P.c.price, P.c.sale_price]
        cols += [P.c.availability, P.c.attributes, P.c.updated_at, P.c.quality_score]
        cols += [P.c.content_hash, P.c.currency]
        with engine.connect() as conn:
            rows = list(conn.execute(select(*cols).order_by(P.c.id)))
            pop = _popularity(engine)
        prices = [r.sale_price if r.sale_price is not None else r.price for r in rows]
        return cls(
            keys=np.asarray([product_key(r.id) for r in rows], dtype=np.int64),
            ids=[r.id for r in rows],
            titles=[r.title for r in rows],
            brands=[r.brand for r in rows],
            categories=[tuple(r.category or ()) for r in rows],
            availability=[r.availability for r in rows],
            attributes=[dict(r.attributes or {}) for r in rows],
            hashes=[r.content_hash for r in rows],
            prices=np.asarray([math.nan if p is None else p for p in prices], dtype=np.float64),
            updated=np.asarray([_ts(r.updated_at) for r in rows], dtype=np.float64),
            quality=np.asarray(
                [math.nan if r.quality_score is None else r.quality_score for r in rows],
                dtype=np.float64,
            ),
            popularity=np.asarray([pop.get(r.id, 0.0) for r in rows], dtype=np.float64),
            currencies=[currency_code(r.currency) for r in rows],
        )


def _popularity(engine: Engine) -> dict[str, float]:
    weight = EVENT_WEIGHTS
    with engine.connect() as conn:
        rows = conn.execute(
            select(EV.c.item_id, EV.c.type, func.count()).group_by(EV.c.item_id, EV.c.type)
        )
        out: dict[str, float] = {}
        for item, kind, n in rows:
            out[item] = out.get(item, 0.0) + weight.get(kind, 1.0) * float(n)
    return out
