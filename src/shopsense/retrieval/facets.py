"""Facet counts over a result set (rows of the doc table), pure and in memory."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from shopsense.catalog.schema import CATEGORY_SEP
from shopsense.retrieval.doctable import DocTable

PRICE_EDGES = (0.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0)
MAX_VALUES = 20
MAX_ATTRIBUTE_KEYS = 8


@dataclass(frozen=True)
class Facets:
    brand: dict[str, int]
    category: list[dict[str, int]]  # one dict per level: path → count
    price: dict[str, int]
    attributes: dict[str, dict[str, int]]
    availability: dict[str, int]


def price_bucket(price: float) -> str:
    """``"25-50"`` style label of the bucket holding ``price`` (``"1000+"`` at the top)."""
    for lo, hi in zip(PRICE_EDGES, PRICE_EDGES[1:], strict=False):
        if lo <= price < hi:
            return f"{lo:g}-{hi:g}"
    return f"{PRICE_EDGES[-1]:g}+"


_BUCKET_ORDER = {label: i for i, label in enumerate(map(price_bucket, PRICE_EDGES))}


def _price_order(label: str) -> tuple[str, int]:
    """Buckets in price order, grouped by currency (``"25-50 USD"``; plain ``"25-50"``)."""
    bucket, _, currency = label.partition(" ")
    return currency, _BUCKET_ORDER.get(bucket, 99)


def _top(counter: Counter[str], n: int = MAX_VALUES) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


class FacetTable:
    """What facets count, one value per row of a doc table, read once: the brand and the
    price bucket ("" when there is none: not counted; in a catalogue of several currencies
    the bucket names its currency, ``"25-50 USD"``, as prices are never converted, and a
    price without a currency is not counted), the category path and attribute
    pairs as numbers (a tuple hashes anew each time it is counted; a number at once). A
    search then counts its rows with C-level ``Counter`` updates, no per-row Python."""

    def __init__(self, table: DocTable) -> None:
        self.table = table
        self.brands = [str(b) if b else "" for b in table.brands]
        buckets = ["" if math.isnan(p) else price_bucket(p) for p in table.prices.tolist()]
        if len({c for c in table.currencies if c}) > 1:
            named = zip(buckets, table.currencies, strict=True)
            buckets = [f"{b} {c}" if b and c else "" for b, c in named]
        self.prices = buckets
        number: dict[tuple[str, ...], int] = {}
        self.paths = [number.setdefault(c, len(number)) for c in table.categories]
        self.path_of = list(number)
        numbered: dict[tuple[str, str], int] = {}
        self.pairs = [
            tuple(numbered.setdefault(kv, len(numbered)) for kv in a.items())
            for a in table.attributes
        ]
        self.pair_of = list(numbered)

    def counts(self, rows: Sequence[int]) -> Facets:
        """Counts over ``rows``; values split into levels and keys afterwards (few)."""
        table = self.table
        brand = Counter(map(self.brands.__getitem__, rows))
        del brand[""]
        paths = Counter(map(self.paths.__getitem__, rows))
        levels: list[Counter[str]] = []
        for path, n in paths.items():
            cat = self.path_of[path]
            for depth in range(len(cat)):
                while len(levels) <= depth:
                    levels.append(Counter())
                levels[depth][CATEGORY_SEP.join(cat[: depth + 1])] += n
        price = Counter(map(self.prices.__getitem__, rows))
        del price[""]
        attrs: dict[str, Counter[str]] = {}
        pairs = Counter(chain.from_iterable(map(self.pairs.__getitem__, rows)))
        for pair, n in pairs.items():
            k, v = self.pair_of[pair]
            counter = attrs.get(k)
            if counter is None:
                counter = attrs[k] = Counter()
            counter[v] = n
        avail = Counter(map(table.availability.__getitem__, rows))
        useful = [
            k for k, c in attrs.items() if 1 < len(c) <= 50 or (len(c) == 1 and len(rows) > 1)
        ]
        useful.sort(key=lambda k: -sum(attrs[k].values()))
        return Facets(
            brand=_top(brand),
            category=[_top(c) for c in levels],
            price=dict(sorted(price.items(), key=lambda kv: _price_order(kv[0]))),
            attributes={k: _top(attrs[k]) for k in useful[:MAX_ATTRIBUTE_KEYS]},
            availability=_top(avail),
        )
