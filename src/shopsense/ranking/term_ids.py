"""Product terms as integer ids, so a search compares a query with its candidates in numpy.

Each distinct ``DocTerms`` (numbered by ``TermCache`` in order of first sight) has one
list of ids per set it holds (title, title + attributes, brand, category, colours,
title trigrams), stored end to end in growing arrays (``Ragged``, compressed rows).
A query's terms become bits (its ``i``-th sorted token is bit ``i``); a candidate's
title then reads as the *set* of query tokens it holds, one integer per candidate,
summed over its ids in C (``np.add.reduceat``) rather than intersected set by set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

Ids = npt.NDArray[np.int64]


class _Growing:
    """A numpy array appended to in place (capacity doubles)."""

    def __init__(self, dtype: type[np.generic]) -> None:
        self._data = np.zeros(1024, dtype=dtype)
        self.size = 0

    def extend(self, values: list[int] | list[float]) -> None:
        end = self.size + len(values)
        if end > len(self._data):
            grown = np.zeros(max(end, 2 * len(self._data)), dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : end] = values
        self.size = end

    @property
    def values(self) -> npt.NDArray[Any]:
        return self._data[: self.size]


def per_item(values: npt.NDArray[np.int64], lengths: Ids) -> Ids:
    """Sum of ``values`` over each item's run of ``lengths`` (0 for an empty run)."""
    out = np.zeros(len(lengths), dtype=np.int64)
    if not len(values):
        return out
    starts = np.cumsum(lengths) - lengths
    sums = np.add.reduceat(values, np.minimum(starts, len(values) - 1))
    out[lengths > 0] = sums[lengths > 0]
    return out


#: The id sets kept per distinct product terms (``DocTerms`` attribute names).
FIELDS = ("title", "terms", "brand", "category", "colours", "trigrams")
_N = len(FIELDS)


class TermIds:
    """The sets of every numbered ``DocTerms`` as ids, end to end (item by item, field by
    field within an item; a term's code is ``id × len(FIELDS) + field``), and their title
    IDF totals and counts of numbers in the title."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self._codes = _Growing(np.int64)
        self._ends = _Growing(np.int64)  # per item, where its codes end
        self._lengths = _Growing(np.int64)  # per item, the size of each field's set
        self.title_idf = _Growing(np.float64)
        self.numbers = _Growing(np.int64)
        self._table = np.zeros(0, dtype=np.int16)  # code → the query's weight (``held``)
        self._lock = threading.Lock()

    def add(self, sets: dict[str, Iterable[str]], title_idf: float, numbers: int) -> None:
        """Number the next item: its term sets (each term once), title IDF, title numbers."""
        vocab = self.vocabulary
        codes: list[int] = []
        lengths: list[int] = []
        for f, name in enumerate(FIELDS):
            before = len(codes)
            codes.extend(vocab.setdefault(t, len(vocab)) * _N + f for t in sets[name])
            lengths.append(len(codes) - before)
        self._codes.extend(codes)
        self._lengths.extend(lengths)
        self._ends.extend([self._codes.size])  # last: the item is complete
        self.title_idf.extend([title_idf])
        self.numbers.extend([numbers])

    def held(self, items: Ids, weights: dict[str, dict[str, int]]) -> tuple[Ids, Ids]:
        """Two (items × ``FIELDS``) matrices: the sum of the ``weights[field]`` of the terms
        each item's set holds (with powers of two: *which* of them it holds), and the size
        of each set. One gather and one table lookup for every field at once; weights
        must fit in 16 bits."""
        complete = self._ends.size  # items another thread is adding are not asked for
        lengths = self._lengths.values[: complete * _N].reshape(-1, _N)[items]
        sizes = lengths.sum(axis=1)
        starts = self._ends.values[items] - sizes
        at = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
        codes = self._codes.values[at]
        vocab = self.vocabulary
        wanted = {
            vocab[t] * _N + f: w
            for f, name in enumerate(FIELDS)
            for t, w in weights.get(name, {}).items()
            if t in vocab
        }
        if not wanted or not len(codes):
            return np.zeros(lengths.shape, dtype=np.int64), lengths
        keys = np.fromiter(wanted, dtype=np.int64, count=len(wanted))
        with self._lock:  # one lookup table, zero but for the query's codes while in use
            if len(self._table) < len(vocab) * _N:
                self._table = np.zeros(2 * len(vocab) * _N, dtype=np.int16)
            self._table[keys] = list(wanted.values())
            found = self._table[codes].astype(np.int64)
            self._table[keys] = 0
        return per_item(found, lengths.ravel()).reshape(lengths.shape), lengths
