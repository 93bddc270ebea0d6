"""Facet counts over a result set (rows of the doc table), pure and in memory."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from shopsense.catalog.schema import CATEGORY_SEP
from shopsense.retrieval.doctable import DocTable

PRICE_EDGES = (0.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0)
MAX_VALUES = 20
MAX_ATTRIBUTE_KEYS = 8
Codes = npt.NDArray[np.int64]


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


def _top(counter: dict[str, int], n: int = MAX_VALUES) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


class FacetTable:
    """What facets count, one value per row of a doc table, read once as numbers: the
    brand, the price bucket (none when the product has no price; in a catalogue of
    several currencies the bucket names its currency, ``"25-50 USD"``, as prices are
    never converted, and a price without a currency is not counted), the category path,
    the availability and the attribute pairs (a row's pairs a slice of one array). A
    search counts its rows with ``np.bincount``, no per-row Python: a whole result set
    of 11k rows of the 22k Amazon catalogue in ~1.4 ms (``Counter`` updates: ~14 ms)."""

    def __init__(self, table: DocTable) -> None:
        self.table = table
        self.brands = _Column([str(b) if b else "" for b in table.brands])
        buckets = ["" if math.isnan(p) else price_bucket(p) for p in table.prices.tolist()]
        if len({c for c in table.currencies if c}) > 1:
            named = zip(buckets, table.currencies, strict=True)
            buckets = [f"{b} {c}" if b and c else "" for b, c in named]
        self.prices = _Column(buckets)
        number: dict[tuple[str, ...], int] = {}
        self.paths = np.fromiter(
            (number.setdefault(c, len(number)) for c in table.categories), np.int64, len(table)
        )
        self.path_of = list(number)
        self.availability = _Column(table.availability)
        numbered: dict[tuple[str, str], int] = {}
        pairs = [
            [numbered.setdefault(kv, len(numbered)) for kv in a.items()] for a in table.attributes
        ]
        self.pair_of = list(numbered)
        self.pair_key = _Column([k for k, _ in self.pair_of])  # each pair's attribute key
        self.value_rank = _rank([v for _, v in self.pair_of])
        self.pair_start = np.zeros(len(pairs) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in pairs], out=self.pair_start[1:])
        self.pairs = np.fromiter(chain.from_iterable(pairs), np.int64, int(self.pair_start[-1]))

    def counts(self, rows: Sequence[int] | npt.NDArray[np.int64]) -> Facets:
        """Counts over ``rows`` (a row listed twice counts twice); category paths split
        into levels afterwards (few)."""
        at = np.asarray(rows, dtype=np.int64).ravel()
        levels: list[dict[str, int]] = []
        for code, n in zip(*_tally(self.paths[at], len(self.path_of)), strict=True):
            cat = self.path_of[code]
            for depth in range(len(cat)):
                while len(levels) <= depth:
                    levels.append({})
                name = CATEGORY_SEP.join(cat[: depth + 1])
                levels[depth][name] = levels[depth].get(name, 0) + int(n)
        price = self.prices.named(*self.prices.tally(at))
        return Facets(
            brand=self.brands.top(*self.brands.tally(at)),
            category=[_top(c) for c in levels],
            price=dict(sorted(price.items(), key=lambda kv: _price_order(kv[0]))),
            attributes=self._attributes(at),
            availability=self.availability.top(*self.availability.tally(at)),
        )

    def _attributes(self, at: npt.NDArray[np.int64]) -> dict[str, dict[str, int]]:
        """The attribute keys worth a facet among the rows ``at`` (more than one value and
        at most 50, or one value held by several rows), the most counted first (a tie:
        the key seen first), and the top values of each."""
        start, sizes = self.pair_start[at], self.pair_start[at + 1] - self.pair_start[at]
        if not sizes.sum():
            return {}
        # every pair of every row, in row order: each row's slice of ``pairs``
        offset = np.repeat(start - np.cumsum(sizes) + sizes, sizes)
        held = self.pairs[offset + np.arange(int(sizes.sum()))]
        found, n = _tally(held, len(self.pair_of))
        keys = self.pair_key
        values = np.bincount(keys.codes[found], minlength=len(keys.values))
        total = np.bincount(keys.codes[found], weights=n, minlength=len(keys.values))
        useful = np.flatnonzero(((values > 1) & (values <= 50)) | ((values == 1) & (len(at) > 1)))
        chosen = sorted(useful.tolist(), key=lambda k: -total[k])
        cut = chosen[:MAX_ATTRIBUTE_KEYS]
        if len(chosen) > 1 and len(set(total[chosen].tolist())) < len(chosen):
            # a tie keeps the key seen first (rows in order, each row's pairs in order)
            seen = keys.codes[held]
            first = {k: int(np.argmax(seen == k)) for k in chosen}
            cut = sorted(chosen, key=lambda k: (-total[k], first[k]))[:MAX_ATTRIBUTE_KEYS]
        out = {}
        for k in cut:
            mine = np.flatnonzero(keys.codes[found] == k)
            mine = mine[np.lexsort((self.value_rank[found[mine]], -n[mine]))[:MAX_VALUES]]
            out[keys.values[k]] = {self.pair_of[found[i]][1]: int(n[i]) for i in mine}
        return out


class _Column:
    """One value per row, as numbers: row ``r`` holds ``values[codes[r]]`` ("" counts
    as none)."""

    def __init__(self, per_row: Sequence[str]) -> None:
        number: dict[str, int] = {}
        self.codes = np.fromiter(
            (number.setdefault(v, len(number)) for v in per_row), np.int64, len(per_row)
        )
        self.values = list(number)
        self.rank = _rank(self.values)
        self.blank = number.get("")

    def tally(self, at: npt.NDArray[np.int64]) -> tuple[Codes, Codes]:
        """The values the rows ``at`` hold ("" aside) and how many hold each."""
        held, counts = _tally(self.codes[at], len(self.values))
        if self.blank is not None:
            keep = held != self.blank
            held, counts = held[keep], counts[keep]
        return held, counts

    def named(self, held: Codes, counts: Codes) -> dict[str, int]:
        return {self.values[i]: int(c) for i, c in zip(held, counts, strict=True)}

    def top(self, held: Codes, counts: Codes, n: int = MAX_VALUES) -> dict[str, int]:
        """The ``n`` values counted most (a tie: in name order), as :func:`_top` picks."""
        best = np.lexsort((self.rank[held], -counts))[:n]
        return {self.values[held[i]]: int(counts[i]) for i in best}


def _tally(codes: Codes, size: int) -> tuple[Codes, Codes]:
    """The distinct ``codes`` (numbers below ``size``), ascending, and how often each
    occurs: by sorting them when they are few beside ``size``, else by one count per
    possible code."""
    if len(codes) * 16 < size:
        found, counts = np.unique(codes, return_counts=True)
        return found, counts.astype(np.int64)
    counts = np.bincount(codes, minlength=size)
    found = np.flatnonzero(counts)
    return found, counts[found]


def _rank(values: Sequence[str]) -> npt.NDArray[np.int64]:
    """Each value's place in name order."""
    out = np.empty(len(values), dtype=np.int64)
    out[sorted(range(len(values)), key=values.__getitem__)] = np.arange(len(values))
    return out
