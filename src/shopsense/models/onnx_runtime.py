"""onnxruntime for the graphs we export or build (the only module that imports it).

Every session runs on the CPU with ``threads`` intra-op threads (1 by default: a server
runs queries side by side on a 2-core machine) and one inter-op thread.
"""

from __future__ import annotations

from typing import Any

_HINT = "this model is served by onnxruntime: `pip install onnx onnxruntime`"


def _ort() -> Any:
    try:
        import onnxruntime
    except ImportError as exc:  # pragma: no cover - install hint
        raise ImportError(_HINT) from exc
    return onnxruntime


def session(model: bytes | str, threads: int = 1) -> Any:
    """An inference session over ``model`` (ONNX bytes, or the path of a .onnx file)."""
    ort = _ort()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only
    return ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])


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
