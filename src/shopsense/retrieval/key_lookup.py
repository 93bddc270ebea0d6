"""Rows of int64 keys found by binary search over a sorted copy (no per-key Python)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Keys = npt.NDArray[np.int64]


class KeyLookup:
    """Where each key sits in ``keys``; of equal keys, the last (as a dict built in
    order would hold it)."""

    def __init__(self, keys: npt.ArrayLike) -> None:
        keys = np.asarray(keys, dtype=np.int64).ravel()
        if bool(np.all(keys[1:] >= keys[:-1])):  # already sorted (a filter's passing keys)
            self._order: Keys = np.arange(len(keys), dtype=np.int64)
            self._sorted: Keys = keys
        else:
            self._order = np.argsort(keys, kind="stable").astype(np.int64)
            self._sorted = keys[self._order]

    def find(self, wanted: npt.ArrayLike) -> tuple[Keys, npt.NDArray[np.bool_]]:
        """(row of each wanted key, whether it is held); the row is meaningless where
        it is not held."""
        ks = np.asarray(wanted, dtype=np.int64).ravel()
        if not len(self._sorted):
            return np.zeros(len(ks), np.int64), np.zeros(len(ks), dtype=bool)
        at = np.maximum(np.searchsorted(self._sorted, ks, side="right") - 1, 0)
        return self._order[at], self._sorted[at] == ks
