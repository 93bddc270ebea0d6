"""Business controls over a ranked list: filters, popularity-bias control and MMR diversity.

- Filters mask items out (score ``-inf``): sold out, in stock only, a category
  prefix (whole path segments), a price band, items to exclude (e.g. already bought).
- Popularity-bias control subtracts β · minmax(log(1 + popularity)) from the
  min-max-scaled scores (β = 0: off), lifting the long tail.
- MMR (Carbonell & Goldstein, SIGIR 1998) picks, one at a time, the candidate
  maximising λ · relevance − (1 − λ) · max similarity to what is already picked;
  similarity is 1 for the same leaf category (or a cosine when vectors are given).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from shopsense.catalog.schema import Availability, Product
from shopsense.core.topk import top_k
from shopsense.recommend.base import BoolArray, FloatArray, IntArray, Ranked, minmax


@dataclass(frozen=True)
class ItemAttributes:
    """Catalogue facts per item index: known, in stock, category path, price, sold out."""

    known: BoolArray
    in_stock: BoolArray
    category: list[str | None]
    price: FloatArray
    sold_out: BoolArray  # out of stock, or in stock with none left

    @classmethod
    def from_products(cls, item_ids: Sequence[str], products: Iterable[Product]) -> ItemAttributes:
        by_id = {p.id: p for p in products}
        n = len(item_ids)
        known, stock, sold_out = np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
        price = np.full(n, np.nan)
        category: list[str | None] = [None] * n
        for j, item in enumerate(item_ids):
            p = by_id.get(item)
            if p is None:
                continue
            known[j] = True
            stock[j] = p.availability == Availability.IN_STOCK and (p.stock is None or p.stock > 0)
            sold_out[j] = p.availability == Availability.OUT_OF_STOCK or (
                p.availability == Availability.IN_STOCK and p.stock == 0
            )
            category[j] = p.category_path or None
            price[j] = p.effective_price if p.effective_price is not None else np.nan
        return cls(known, stock, category, price, sold_out)


@dataclass(frozen=True)
class BusinessFilter:
    in_stock: bool = False
    category_prefix: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    exclude: frozenset[int] = field(default_factory=frozenset)
    sold_out: bool = False  # True: leave sold-out items out

    def allowed(self, attrs: ItemAttributes | None, n_items: int) -> BoolArray:
        ok = np.ones(n_items, dtype=bool)
        if attrs is not None:
            if self.in_stock:
                ok &= attrs.in_stock
            if self.sold_out:
                ok &= ~attrs.sold_out
            if self.category_prefix:
                prefix = self.category_prefix
                ok &= np.array([under(c, prefix) for c in attrs.category], dtype=bool)
            with np.errstate(invalid="ignore"):
                if self.price_min is not None:
                    ok &= attrs.price >= self.price_min
                if self.price_max is not None:
                    ok &= attrs.price <= self.price_max
        if self.exclude:
            ok[np.fromiter(self.exclude, np.int64)] = False
        return ok


def under(category: str | None, prefix: str) -> bool:
    """Whether ``category`` is ``prefix`` or below it, by whole path segments:
    ``Footwear > Shoes`` covers ``Footwear > Shoes > Running Shoes``,
    ``Footwear > Shoes > Running`` does not."""
    if category is None:
        return False
    path = [p.strip().casefold() for p in category.split(">")]
    want = [p.strip().casefold() for p in prefix.split(">")]
    return path[: len(want)] == want


def penalise_popularity(scores: FloatArray, popularity: FloatArray, beta: float) -> FloatArray:
    """Scaled scores minus β · scaled log-popularity; β = 0 returns the scores unchanged."""
    if beta == 0:
        return scores
    return np.asarray(minmax(scores) - beta * minmax(np.log1p(popularity)), np.float64)


def mmr(
    candidates: IntArray,
    relevance: FloatArray,
    k: int,
    *,
    lam: float = 0.7,
    category: Sequence[str | None] | None = None,
    vectors: npt.NDArray[np.float32] | None = None,
) -> Ranked:
    """Re-rank ``candidates`` (with their ``relevance``) into a diverse top ``k``."""
    rel = minmax(np.asarray(relevance, np.float64))
    picked: list[int] = []
    left = list(range(len(candidates)))
    while left and len(picked) < k:
        best, best_value = left[0], -np.inf
        for pos in left:
            item = int(candidates[pos])
            penalty = max(
                (_sim(item, int(candidates[p]), category, vectors) for p in picked), default=0.0
            )
            value = lam * rel[pos] - (1 - lam) * penalty
            if value > best_value:
                best, best_value = pos, value
        picked.append(best)
        left.remove(best)
    idx = np.array(picked, dtype=np.int64)
    return Ranked(candidates[idx], np.asarray(relevance, np.float64)[idx])


def _sim(
    a: int,
    b: int,
    category: Sequence[str | None] | None,
    vectors: npt.NDArray[np.float32] | None,
) -> float:
    if vectors is not None:
        return float(vectors[a] @ vectors[b])
    if category is not None and category[a] is not None:
        return 1.0 if category[a] == category[b] else 0.0
    return 0.0


def select(scores: FloatArray, allowed: BoolArray, k: int) -> Ranked:
    """Top ``k`` of the allowed items."""
    return Ranked(*top_k(np.where(allowed, scores, -np.inf), k))
