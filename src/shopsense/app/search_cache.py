"""A bounded cache of whole search results, for the repeated queries of real shop traffic.

Like Elasticsearch's request cache: the key is the full request (query with its
whitespace collapsed, filters, sort, page, size, mode, ``explain``, ``understand``);
the value is the :class:`SearchResult` the service gave for it. Least recently used
entries go first once ``capacity`` is reached (``capacity`` 0 turns caching off).

Every change that could alter a result clears the cache and starts a new
*generation*: a product written or deleted through :class:`Services`, the search
service swapped for one over a changed catalogue (the refresher), a new ranker.
A result computed under an older generation is not stored, so a search that was
running while the catalogue changed cannot put a stale answer back.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from shopsense.app.search import SearchRequest, SearchResult


def cache_key(request: SearchRequest) -> SearchRequest:
    """The request as cached and searched: the query's runs of whitespace collapsed."""
    query = " ".join(request.query.split())
    return request if query == request.query else replace(request, query=query)


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    size: int
    capacity: int
    generation: int

    @property
    def hit_rate(self) -> float:
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0


class SearchCache:
    """Thread-safe LRU of search results, cleared on every invalidation."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError("cache capacity must be ≥ 0")
        self.capacity = capacity
        self._entries: OrderedDict[SearchRequest, SearchResult] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0
        self._hits = 0
        self._misses = 0

    @property
    def generation(self) -> int:
        return self._generation

    def get(self, key: SearchRequest) -> SearchResult | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return found

    def put(self, key: SearchRequest, result: SearchResult, generation: int) -> bool:
        """Keep ``result`` unless the cache was invalidated since ``generation`` was read."""
        with self._lock:
            if self.capacity == 0 or generation != self._generation:
                return False
            self._entries[key] = result
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
            return True

    def invalidate(self) -> None:
        """Forget every result and start a new generation."""
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                self._hits, self._misses, len(self._entries), self.capacity, self._generation
            )
