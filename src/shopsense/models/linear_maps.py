"""Linear maps learned in closed form on the catalogue (numpy only).

``RidgeMap`` is ridge regression with centring (Hoerl & Kennard 1970):
``W = (AᵀA + λI)⁻¹ Aᵀ B`` on centred A and B, ``f(x) = (x - μ_A) W + μ_B``.
It serves two purposes here:

- text → image without an image-text model: map image features into the
  sentence-encoder space, learned on the catalogue's own (title, image) pairs, so
  a text query's vector can be compared with any product's image
  (``RidgeTextImage``, behind the ``TextImageModel`` interface a real image-text
  model can replace);
- a category projection: map fused product vectors onto one-hot category labels,
  a small supervised projection that pulls products of one category together.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from shopsense.models.sentence_encoder import Vectors, l2_normalise

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RidgeMap:
    """A fitted ridge regression ``A → B``."""

    weights: Matrix
    mean_in: Matrix
    mean_out: Matrix

    @classmethod
    def fit(cls, inputs: npt.ArrayLike, targets: npt.ArrayLike, lam: float) -> RidgeMap:
        a = np.asarray(inputs, dtype=np.float64)
        b = np.asarray(targets, dtype=np.float64)
        if a.shape[0] != b.shape[0] or a.shape[0] == 0:
            raise ValueError(
                f"need as many inputs as targets (>0), got {a.shape[0]} and {b.shape[0]}"
            )
        mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
        a0 = a - mu_a
        gram = a0.T @ a0 + lam * np.eye(a.shape[1])
        weights = np.linalg.solve(gram, a0.T @ (b - mu_b))
        return cls(weights, mu_a, mu_b)

    def apply(self, inputs: npt.ArrayLike) -> Matrix:
        out: Matrix = (np.asarray(inputs, dtype=np.float64) - self.mean_in) @ self.weights
        return out + self.mean_out

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez(buf, weights=self.weights, mean_in=self.mean_in, mean_out=self.mean_out)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> RidgeMap:
        with np.load(io.BytesIO(data)) as z:
            return cls(z["weights"], z["mean_in"], z["mean_out"])


class TextImageModel(Protocol):
    """Puts text-query vectors and product image features into one comparable space.

    A real image-text model (CLIP-like) implements this by encoding both sides with
    its own towers; ``RidgeTextImage`` learns the image side from the catalogue.
    """

    name: str

    def embed_queries(self, text_vectors: Vectors) -> Vectors: ...

    def embed_images(self, image_features: Vectors) -> Vectors: ...


class RidgeTextImage:
    """Image features → sentence-encoder space by ridge regression on (title, image) pairs.

    Queries stay in the sentence-encoder space; images are mapped into it.
    """

    name = "ridge-image-to-text"

    def __init__(self, mapping: RidgeMap) -> None:
        self.mapping = mapping

    @classmethod
    def fit(
        cls, image_features: Vectors, title_vectors: Vectors, lam: float = 0.3
    ) -> RidgeTextImage:
        return cls(RidgeMap.fit(image_features, title_vectors, lam))

    def embed_queries(self, text_vectors: Vectors) -> Vectors:
        return l2_normalise(text_vectors)

    def embed_images(self, image_features: Vectors) -> Vectors:
        return l2_normalise(self.mapping.apply(image_features))


def one_hot(labels: Sequence[str]) -> tuple[list[str], Matrix]:
    """Sorted distinct labels and the one-hot matrix of ``labels`` over them."""
    classes = sorted(set(labels))
    index = {c: i for i, c in enumerate(classes)}
    out = np.zeros((len(labels), len(classes)))
    out[np.arange(len(labels)), [index[x] for x in labels]] = 1.0
    return classes, out
