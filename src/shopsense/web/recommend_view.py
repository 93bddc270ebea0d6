"""Recommendation strips of the storefront: for you, similar, bought together, looks similar.

Each strip shows only what its service answers, each card with its reason; a
service with nothing to say for this product (no events yet, no image vectors)
leaves its strip out rather than filling it with made-up items.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from shopsense.app.services import Services
from shopsense.catalog.schema import Product
from shopsense.core.errors import NotFoundError
from shopsense.recommend.engine import Suggestion

log = logging.getLogger("shopsense.web")
STRIP_SIZE = 6


@dataclass(frozen=True)
class Card:
    product: Product
    reason: str | None = None
    why: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Strip:
    id: str
    title: str
    items: list[Card]


def _cards(svc: Services, found: list[Suggestion]) -> list[Card]:
    """Cards for suggestions with evidence (score > 0: a model with no events scores 0)."""
    shown = [s for s in found if s.score > 0]
    products = svc.products.get_many([s.item_id for s in shown])
    return [Card(products[s.item_id], s.reason) for s in shown if s.item_id in products]


def _strip(id_: str, title: str, make: Callable[[], list[Card]]) -> Strip | None:
    try:
        items = make()
    except NotFoundError as exc:  # the item is not in this model (yet): no strip
        log.debug("no %s strip: %s", id_, exc)
        return None
    return Strip(id_, title, items) if items else None


def product_strips(svc: Services, product_id: str) -> list[Strip]:
    """Similar items and bought together (events), then looks similar (image + title)."""
    rec = svc.recommendations

    def looks_similar() -> list[Card]:
        return [
            Card(s.product, f"looks similar: photo, title and colour (match {s.score:.2f})")
            for s in svc.multimodal.similar(product_id, STRIP_SIZE)
        ]

    strips = [
        _strip(
            "similar", "Similar items", lambda: _cards(svc, rec.similar(product_id, STRIP_SIZE))
        ),
        _strip(
            "bought-together",
            "Frequently bought together",
            lambda: _cards(svc, rec.bought_together(product_id, STRIP_SIZE)),
        ),
        _strip("looks-similar", "Looks similar", looks_similar),
    ]
    return [s for s in strips if s is not None]


def for_you_cards(svc: Services, user_id: str | None) -> list[Card]:
    """The chosen shopper's "for you" strip; empty when no user is chosen or no events exist."""
    if not user_id or svc.events.count() == 0:
        return []
    return _cards(svc, svc.recommendations.for_you(user_id, STRIP_SIZE))
