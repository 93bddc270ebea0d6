"""Weak query → category labels, with no annotator: catalogue titles labelled with their
own category, and logged queries labelled with the category of the product clicked.

A product title reads like a long query for that product; a clicked result says what
the shopper wanted. Both are noisy, which is why they are *weak* labels: the learning
curve in benchmarks/RESULTS.md measures what they add to hand labels.

A title's fits clause (``Case for iPhone 16 Pro``, ``适用iPhone 16 手机壳``:
:mod:`shopsense.text.fits`) is left out of its label's text: it names the product the
item fits, and read as the item's own words it taught the demo's model that ``iphone 16``
means *Phone Cases* (p 0.86; now *Smartphones*, p 0.93).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from shopsense.catalog.schema import Product
from shopsense.events.schema import Event
from shopsense.text.fits import without_fitted

CLICK_TYPES = frozenset({"click", "cart", "buy", "fav"})
#: bump when :func:`labels_from_titles` changes: the demo retrains a model it trained on
#: older ones (2: fits clauses left out)
TITLE_LABELS = 2


def category_label(category: tuple[str, ...], depth: int) -> str | None:
    """The category path cut to ``depth`` levels (``0``: the whole path, ``-1``: the leaf),
    or None when empty."""
    if not category:
        return None
    if depth < 0:
        return category[-1]
    return " > ".join(category[:depth] if depth > 0 else category)


def labels_from_titles(products: Iterable[Product], depth: int = 0) -> list[tuple[str, str]]:
    """``(title, category)`` for every product that has a category; the title without
    the names of the products it fits (module docstring)."""
    out = []
    for p in products:
        label = category_label(p.category, depth)
        if label is not None:
            out.append((without_fitted(p.title, p.category[-1]), label))
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
