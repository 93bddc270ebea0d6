"""TF-IDF spaces for blocking: pairwise cosines and nearest neighbours (sklearn via models)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from shopsense.core.topk import top_k
from shopsense.models.linear import TfidfFeatures, hstack

Analyzer = Literal["word", "char_wb"]


class TfidfSpace:
    """Texts as L2-normalised TF-IDF rows (sublinear tf), fitted on every text given."""

    def __init__(
        self,
        texts: Sequence[str],
        analyzer: Analyzer,
        ngrams: tuple[int, int],
        max_df: float = 1.0,
    ) -> None:
        features = TfidfFeatures(
            analyzer=analyzer, ngram_range=ngrams, max_df=max_df, max_features=None
        )
        self.matrix: Any = features.fit_transform(texts).tocsr()

    @classmethod
    def mean_of(cls, a: TfidfSpace, b: TfidfSpace) -> TfidfSpace:
        """A space whose cosine is the mean of the cosines in ``a`` and ``b``."""
        out = cls.__new__(cls)
        out.matrix = (hstack([a.matrix, b.matrix]) * np.sqrt(0.5)).tocsr()
        return out

    def cosine(
        self, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        """Cosine of rows ``left[i]`` and ``right[i]`` for every i."""
        if len(left) == 0:
            return np.zeros(0)
        prod = self.matrix[left].multiply(self.matrix[right])
        return np.asarray(prod.sum(axis=1)).ravel().astype(np.float64)

    def neighbours(
        self, queries: Sequence[int], pool: Sequence[int], k: int, cells: int = 8_000_000
    ) -> list[tuple[int, int, float]]:
        """For each query row, its ``k`` most similar rows of ``pool`` (never itself)."""
        pool_arr = np.asarray(pool, dtype=np.int64)
        position = {int(p): j for j, p in enumerate(pool_arr.tolist())}
        pool_t = self.matrix[pool_arr].T.tocsc()
        chunk = max(32, cells // max(1, len(pool_arr)))  # dense block of at most ~``cells``
        out: list[tuple[int, int, float]] = []
        for start in range(0, len(queries), chunk):
            rows = np.asarray(queries[start : start + chunk], dtype=np.int64)
            sims = (self.matrix[rows] @ pool_t).toarray()
            sims[sims <= 0] = -np.inf
            for q, row in zip(rows.tolist(), sims, strict=True):
                own = position.get(q)
                if own is not None:
                    row[own] = -np.inf
                best = top_k(row, k)
                out.extend(
                    (q, int(pool_arr[j]), float(s))
                    for j, s in zip(best.indices.tolist(), best.scores.tolist(), strict=True)
                )
        return out
