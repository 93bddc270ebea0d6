"""Run an exported MiniLM classifier with onnxruntime (no torch at serving time).

The only module that imports onnxruntime.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from shopsense.models.minilm_checkpoint import MiniLMTokenizer


def _ort() -> Any:
    try:
        import onnxruntime
    except ImportError as exc:  # pragma: no cover - install hint
        raise ImportError("serving the intent model needs `pip install onnxruntime`") from exc
    return onnxruntime


def quantise(onnx_bytes: bytes) -> bytes:
    """Dynamic int8 quantisation of the weights (≈4× smaller, faster on CPU)."""
    import tempfile
    from pathlib import Path

    _ort()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "model.onnx", Path(tmp) / "model.int8.onnx"
        src.write_bytes(onnx_bytes)
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)
        return dst.read_bytes()


class OnnxClassifier:
    """Logits of an exported text classifier (or, with ``output="embedding"``, vectors of an
    exported sentence encoder); one thread, so queries run side by side."""

    def __init__(
        self, onnx_bytes: bytes, max_length: int = 32, threads: int = 1, output: str = "logits"
    ) -> None:
        ort = _ort()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            onnx_bytes, sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = MiniLMTokenizer(max_length)
        self._output = output

    def logits(self, texts: Sequence[str], batch_size: int = 64) -> npt.NDArray[np.float64]:
        parts = []
        for start in range(0, len(texts), batch_size):
            feed = self._tokenizer(list(texts[start : start + batch_size]))
            parts.append(np.asarray(self._session.run([self._output], feed)[0], dtype=np.float64))
        return np.vstack(parts) if parts else np.zeros((0, 0))
