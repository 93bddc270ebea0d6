"""all-MiniLM-L6-v2 as a sentence encoder served by onnxruntime (no torch at serving time).

The graph is exported once from the packaged checkpoint (torch, at training time),
quantised to int8 and kept as bytes, so a model that uses it pickles with it. With a
``cache_dir`` the quantised graph is written there and reused by later encoders.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from shopsense.models.sentence_encoder import Vectors, l2_normalise

CACHE_NAME = "all-minilm-l6-v2-mean.int8.onnx"


class MiniLMSentenceEncoder:
    """``TextEncoder`` over the mean-pooled MiniLM (384-d, L2-normalised float32)."""

    name = "all-minilm-l6-v2-mean-int8"
    dim = 384

    def __init__(self, cache_dir: Path | None = None, max_length: int = 32) -> None:
        self.max_length = max_length
        self.onnx = self._graph(cache_dir)
        self._runner: Any = None

    def _graph(self, cache_dir: Path | None) -> bytes:
        cached = cache_dir / CACHE_NAME if cache_dir is not None else None
        if cached is not None and cached.is_file():
            return cached.read_bytes()
        from shopsense.models.minilm_finetune import export_sentence_encoder
        from shopsense.models.onnx_runtime import quantise

        graph = quantise(export_sentence_encoder(self.max_length))
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(graph)
            partial.replace(cached)  # atomic: a reader never sees half a graph
        return graph

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._runner is None:
            from shopsense.models.onnx_classifier import OnnxClassifier

            self._runner = OnnxClassifier(self.onnx, self.max_length, output="embedding")
        return l2_normalise(self._runner.logits(texts))

    def __getstate__(self) -> dict[str, Any]:
        return {"max_length": self.max_length, "onnx": self.onnx, "_runner": None}
