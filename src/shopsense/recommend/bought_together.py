"""Frequently bought together: co-purchase in the same basket, ranked by lift, not raw counts.

Baskets are sessions (or users when events carry no session). For items a, b
in N baskets: lift(a, b) = n_ab · N / (n_a · n_b) (Agrawal et al. 1993; Brin et
al. 1997). Pairs seen in fewer than ``min_support`` baskets are ignored, so one
accidental co-purchase does not make a rule. Where an item has too few rules of
its own, the same lift over *categories* (running shoes → sports socks) backs
off to the most purchased items of the companion categories.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from shopsense.events.interactions import Interactions
from shopsense.recommend.base import BoolArray, FloatArray, IntArray


class Companion(NamedTuple):
    item: int
    lift: float
    support: int
    confidence: float  # P(b in basket | a in basket)
    via_category: str | None = None  # set when the rule is between categories


def _co_counts(basket: IntArray, cols: IntArray, n_baskets: int, n_cols: int) -> _Counts:
    x = sp.csr_matrix((np.ones(cols.size), (basket, cols)), shape=(n_baskets, n_cols))
    x.sum_duplicates()
    x.data = np.minimum(x.data, 1.0)  # a basket holds each item once
    co = sp.csr_matrix(x.T @ x)
    co.setdiag(0)
    co.eliminate_zeros()
    return _Counts(co, np.asarray(x.sum(axis=0)).ravel())


class _Counts(NamedTuple):
    co: sp.csr_matrix
    per_item: FloatArray  # baskets holding each item (or category)


def lift_of(counts: _Counts, row: int, baskets: int, min_support: int) -> FloatArray:
    """lift(row, ·) = n_ab · N / (n_a · n_b) where n_ab ≥ ``min_support``, else 0."""
    co = counts.co[row].toarray().ravel()
    denom = np.maximum(counts.per_item[row] * counts.per_item, 1.0)
    return np.asarray(np.where(co >= min_support, co * baskets / denom, 0.0), np.float64)


class BoughtTogether:
    def __init__(
        self,
        purchase_types: Sequence[str] = ("buy",),
        min_support: int = 2,
        by_session: bool = True,
    ) -> None:
        self.purchase_types = tuple(purchase_types)
        self.min_support = min_support
        self.by_session = by_session
        self.items = _Counts(sp.csr_matrix((0, 0)), np.zeros(0))
        self.cats = _Counts(sp.csr_matrix((0, 0)), np.zeros(0))
        self.category: IntArray = np.empty(0, np.int64)
        self.category_names: list[str] = []
        self.baskets = 0

    def fit(self, data: Interactions) -> BoughtTogether:
        bought = data.kind_mask(self.purchase_types)
        groups = (data.ev_session if self.by_session else data.ev_user)[bought]
        items = data.ev_item[bought]
        codes, basket = np.unique(groups, return_inverse=True)
        self.baskets = int(codes.size)
        self.items = _co_counts(basket, items, self.baskets, data.n_items)
        self.category_names = sorted({c for c in data.item_category if c is not None})
        code = {c: j for j, c in enumerate(self.category_names)}
        n_cats = len(self.category_names)
        self.category = np.array(
            [code[c] if c is not None else n_cats for c in data.item_category], np.int64
        )
        self.cats = _co_counts(basket, self.category[items], self.baskets, n_cats + 1)
        return self

    def lift_row(self, item: int) -> FloatArray:
        """Item-level lift of ``item`` with every item (0 below the minimum support)."""
        return lift_of(self.items, item, self.baskets, self.min_support)

    def companions(
        self,
        item: int,
        k: int = 5,
        *,
        allowed: BoolArray | None = None,
        prefer: Callable[[int], float] | None = None,
    ) -> list[Companion]:
        """Up to ``k`` companions of ``item``: item rules first, then category rules.

        ``allowed`` masks items out (filters); within a companion category ``prefer``
        (e.g. how well the item fits, see :mod:`~shopsense.recommend.companion_fit`)
        orders the members before their purchases, and a negative preference leaves
        the member out.
        """
        ok = np.ones(self.category.size, bool) if allowed is None else allowed
        lift = np.where(ok, self.lift_row(item), 0.0)
        out = [self._item_rule(item, int(j), lift) for j in np.argsort(-lift, kind="stable")[:k]]
        out = [c for c in out if c.lift > 0]
        cat = int(self.category[item])
        if len(out) >= k or cat >= len(self.category_names):
            return out
        cat_lift = lift_of(self.cats, cat, self.baskets, self.min_support)
        cat_lift[len(self.category_names)] = 0.0
        taken = {c.item for c in out} | {item}
        for c in np.argsort(-cat_lift, kind="stable"):
            if cat_lift[c] <= 0 or len(out) >= k:
                break
            members = [int(j) for j in np.flatnonzero((self.category == c) & ok)]
            ranked = sorted(
                ((prefer(j) if prefer else 0.0, j) for j in members if j not in taken),
                key=lambda pj: (-pj[0], -self.items.per_item[pj[1]], pj[1]),
            )
            support = int(self.cats.co[cat, c])
            confidence = support / max(float(self.cats.per_item[cat]), 1.0)
            for preference, j in ranked:
                if preference < 0 or len(out) >= k:
                    break
                taken.add(j)
                name = self.category_names[int(c)]
                out.append(Companion(j, float(cat_lift[c]), support, confidence, name))
        return out[:k]

    def _item_rule(self, item: int, other: int, lift: FloatArray) -> Companion:
        support = int(self.items.co[item, other])
        confidence = support / max(float(self.items.per_item[item]), 1.0)
        return Companion(other, float(lift[other]), support, confidence)
