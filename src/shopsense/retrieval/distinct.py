"""Rows of a vector matrix grouped by identical content (see ``retrieval.dense``)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Keys = npt.NDArray[np.int64]


class DistinctRows:
    """Rows of a matrix grouped by identical content: the index holds one row per group.

    ``first[d]`` is the first row of group ``d`` (its vector is the one indexed) and
    ``group[r]`` the group of row ``r``; ``members(ds)`` lists the rows of groups ``ds``.
    """

    def __init__(self, vectors: npt.NDArray[np.float32]) -> None:
        flat = np.ascontiguousarray(vectors).view(np.dtype((np.void, vectors.shape[1] * 4)))
        _, first, group = np.unique(flat.ravel(), return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # groups numbered by first appearance
        renumber = np.empty_like(order)
        renumber[order] = np.arange(len(order))
        self.group: Keys = renumber[group.ravel()].astype(np.int64)
        self.first: Keys = first[order].astype(np.int64)
        self._rows: Keys = np.argsort(self.group, kind="stable").astype(np.int64)
        self._bounds: Keys = np.searchsorted(self.group[self._rows], np.arange(len(first) + 1))

    def __len__(self) -> int:
        return len(self.first)

    def sizes(self, groups: Keys) -> Keys:
        """How many rows each of ``groups`` holds."""
        return self._bounds[groups + 1] - self._bounds[groups]

    def members(self, groups: Keys) -> Keys:
        """The rows of ``groups``, group by group (each group's rows in row order)."""
        sizes = self.sizes(groups)
        ends = np.cumsum(sizes)
        # position j of the output is row (start of its group) + (j - start of its slot)
        offset = np.repeat(self._bounds[groups] - (ends - sizes), sizes)
        rows: Keys = self._rows[np.arange(int(ends[-1]) if len(ends) else 0) + offset]
        return rows
