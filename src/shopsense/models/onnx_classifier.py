"""Run an exported MiniLM classifier with onnxruntime (no torch at serving time)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from shopsense.models.minilm_checkpoint import MiniLMTokenizer
from shopsense.models.onnx_runtime import session


class OnnxClassifier:
    """Logits of an exported text classifier (or, with ``output="embedding"``, vectors of an
    exported sentence encoder); one thread, so queries run side by side."""

    def __init__(
        self, onnx_bytes: bytes, max_length: int = 32, threads: int = 1, output: str = "logits"
    ) -> None:
        self._session = session(onnx_bytes, threads)
        self._tokenizer = MiniLMTokenizer(max_length)
        self._output = output

    def logits(self, texts: Sequence[str], batch_size: int = 64) -> npt.NDArray[np.float64]:
        parts = []
        for start in range(0, len(texts), batch_size):
            feed = self._tokenizer(list(texts[start : start + batch_size]))
            parts.append(np.asarray(self._session.run([self._output], feed)[0], dtype=np.float64))
        return np.vstack(parts) if parts else np.zeros((0, 0))
