"""The autocomplete service: a :class:`Suggester` over the store, rebuilt when stale.

Catalogue changes reach suggestions within ``refresh_seconds`` (default 60 s):
the first request after that rebuilds the suggester from the store.
"""

from __future__ import annotations

import threading
import time

from shopsense.catalog.store import ProductStore
from shopsense.query.suggest import Suggester, Suggestion


class SuggestService:
    def __init__(self, products: ProductStore, refresh_seconds: float = 60.0) -> None:
        self.products = products
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._built: tuple[float, Suggester] | None = None

    def suggester(self) -> Suggester:
        with self._lock:
            now = time.monotonic()
            if self._built is None or now - self._built[0] > self.refresh_seconds:
                self._built = (now, Suggester.from_products(self.products.iter_all()))
            return self._built[1]

    def suggest(self, prefix: str, k: int = 8) -> list[Suggestion]:
        return self.suggester().suggest(prefix, k)
