"""Keeps a running server's search in step with the catalogue.

Every ``interval`` seconds a background thread compares the catalogue version
(product count, last ingest time); if it moved and the search service is open,
the indexes take the changes (incrementally) and the updated service is swapped
in. So a product written through the API (or ingested by the CLI into the same
store) is searchable within about ``interval`` + the time to apply the change.
"""

from __future__ import annotations

import logging
import threading

from shopsense.api import heap
from shopsense.app.services import Services

log = logging.getLogger("shopsense.api")


class SearchRefresher:
    def __init__(self, services: Services, interval: float, *, settle_heap: bool = False) -> None:
        self.services = services
        self.interval = interval
        self.settle_heap = settle_heap  # see shopsense.api.heap
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refreshes = 0

    def check_once(self, seen: tuple[int, str] | None) -> tuple[int, str]:
        version = self.services.catalogue_version()
        if seen is not None and version != seen and self.services.refresh_search():
            self.refreshes += 1
            if self.settle_heap:  # the new indexes out of the full passes, the old ones freed
                heap.settle()
        return version

    def _run(self) -> None:
        seen: tuple[int, str] | None = None
        while not self._stop.wait(self.interval):
            try:
                seen = self.check_once(seen)
            except Exception:  # a failed refresh keeps the old indexes serving
                log.exception("search refresh failed; the previous indexes keep serving")

    def start(self) -> None:
        if self.interval > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="search-refresh", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
