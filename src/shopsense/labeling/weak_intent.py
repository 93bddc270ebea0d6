"""Weak query → category labels, with no annotator: catalogue titles labelled with their
own category, and logged queries labelled with the category of the product clicked.

A product title reads like a long query for that product; a clicked result says what
the shopper wanted. Both are noisy, which is why they are *weak* labels: the learning
curve in benchmarks/RESULTS.md measures what they add to hand labels.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from shopsense.catalog.schema import Product
from shopsense.events.schema import Event

CLICK_TYPES = frozenset({"click", "cart", "buy", "fav"})


def category_label(category: tuple[str, ...], depth: int) -> str | None:
    """The category path cut to ``depth`` levels (``0``: the whole path, ``-1``: the leaf),
    or None when empty."""
    if not category:
        return None
    if depth < 0:
        return category[-1]
    return " > ".join(category[:depth] if depth > 0 else category)


def labels_from_titles(products: Iterable[Product], depth: int = 0) -> list[tuple[str, str]]:
    """``(title, category)`` for every product that has a category."""
    out = []
    for p in products:
        label = category_label(p.category, depth)
        if label is not None:
            out.append((p.title, label))
    return out


def labels_from_clicks(
    events: Iterable[Event],
    categories: Mapping[str, tuple[str, ...]],
    depth: int = 0,
    min_share: float = 0.5,
) -> list[tuple[str, str]]:
    """``(query, category)`` for each logged query whose clicks agree on a category.

    A query's label is its most clicked category when that holds at least ``min_share``
    of its clicks; queries that scatter are left unlabelled rather than guessed.
    """
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for e in events:
        if e.query and e.type in CLICK_TYPES and e.item_id in categories:
            label = category_label(categories[e.item_id], depth)
            if label is not None:
                votes[e.query.strip()][label] += 1
    out = []
    for query, counter in sorted(votes.items()):
        label, n = counter.most_common(1)[0]
        if n / sum(counter.values()) >= min_share:
            out.append((query, label))
    return out
