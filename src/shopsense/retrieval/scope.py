"""Where a filter reaches in a vector index: its rows and distinct vectors, as masks.

A filtered semantic search keeps only the products a filter allows. Working that out
from the allowed keys (a binary search per key, then marking rows and their distinct
vectors) costs a few milliseconds for a broad filter, and shoppers repeat filters (a
facet clicked, then several queries under it), so a :class:`ScopeCache` keeps the last
``SCOPE_CACHE`` scopes, keyed by a digest of the allowed keys; the owning index empties
it whenever its main rows change.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopsense.retrieval.distinct import DistinctRows
from shopsense.retrieval.key_lookup import KeyLookup

Keys = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
SCOPE_CACHE = 32  # scopes kept: ~0.5 MB each on a 44k-product index


@dataclass(frozen=True)
class Scope:
    """The main-index rows whose keys are allowed (ascending), as a row mask, and the
    distinct vectors they hold (``groups``, ascending) with a mask over those."""

    rows: Keys
    row_ok: Mask
    groups: Keys
    group_ok: Mask


def scope_of(allowed: Keys, lookup: KeyLookup, n_rows: int, distinct: DistinctRows) -> Scope:
    """The scope of the ``allowed`` keys among ``n_rows`` main rows."""
    rows, held = lookup.find(allowed)
    row_ok = np.zeros(n_rows, dtype=bool)
    row_ok[rows[held]] = True
    group_ok = np.zeros(len(distinct), dtype=bool)
    group_ok[distinct.group[row_ok]] = True
    return Scope(np.flatnonzero(row_ok), row_ok, np.flatnonzero(group_ok), group_ok)


class ScopeCache:
    """The last ``SCOPE_CACHE`` scopes, by the allowed keys' content."""

    def __init__(self) -> None:
        self._held: OrderedDict[bytes, Scope] = OrderedDict()
        self._lock = threading.Lock()  # searches may run side by side (ranker training)

    def get(self, allowed: Keys, lookup: KeyLookup, n_rows: int, distinct: DistinctRows) -> Scope:
        digest = hashlib.blake2b(allowed.tobytes(), digest_size=16).digest()
        with self._lock:
            found = self._held.get(digest)
            if found is not None:
                self._held.move_to_end(digest)
                return found
        made = scope_of(allowed, lookup, n_rows, distinct)
        with self._lock:
            self._held[digest] = made
            if len(self._held) > SCOPE_CACHE:
                self._held.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._held.clear()
