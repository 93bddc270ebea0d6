"""Fused product vectors (text + image + colour) and what they serve.

A product's fused vector concatenates its L2-normalised title vector, CNN image
embedding and colour histogram, each block scaled by the square root of its
weight, and is L2-normalised again, so the cosine of two fused vectors is the
weighted mean of the three cosines (up to the final normalisation). A product
without an image keeps a zero image/colour block.

When the catalogue has categories, a small supervised projection (ridge regression
of the fused vector onto one-hot leaf categories) is appended with weight
``projection``: it pulls products of one category together without hiding the
visual and textual detail that orders them within it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from shopsense.core.errors import NotFoundError
from shopsense.core.topk import top_k
from shopsense.models.linear_maps import RidgeMap, RidgeTextImage, TextImageModel, one_hot
from shopsense.models.sentence_encoder import Vectors, l2_normalise


@dataclass(frozen=True)
class FusionWeights:
    """Block weights of the fused vector; defaults tuned on Myntra articleType k-NN."""

    text: float = 1.0
    image: float = 1.0
    colour: float = 0.25
    projection: float = 4.0  # 0 disables the category projection
    projection_lam: float = 0.3
    text_image_colour: float = 0.5  # colour block weight on the image side of text → image
    text_image_lam: float = 0.3


@dataclass(frozen=True)
class Blocks:
    """Row-aligned feature blocks of a set of products (zero rows where a block is absent)."""

    text: Vectors
    image: Vectors
    colour: Vectors

    def __len__(self) -> int:
        return int(self.text.shape[0])

    def take(self, rows: npt.ArrayLike) -> Blocks:
        idx = np.asarray(rows)
        return Blocks(self.text[idx], self.image[idx], self.colour[idx])

    def has_image(self) -> npt.NDArray[np.bool_]:
        return np.asarray(np.any(self.image != 0, axis=1))


def fuse(blocks: Blocks, weights: FusionWeights) -> Vectors:
    """Weighted concatenation of the normalised blocks, L2-normalised."""
    parts = [
        np.sqrt(weights.text) * l2_normalise(blocks.text),
        np.sqrt(weights.image) * l2_normalise(blocks.image),
        np.sqrt(weights.colour) * l2_normalise(blocks.colour),
    ]
    return l2_normalise(np.hstack(parts))


def image_side(blocks: Blocks, weights: FusionWeights) -> Vectors:
    """Image features used by the text → image model: CNN embedding + weighted colour."""
    return np.hstack([blocks.image, weights.text_image_colour * blocks.colour]).astype(np.float32)


@dataclass(frozen=True)
class MultimodalModel:
    """What is learned from a catalogue: the category projection and the text → image map."""

    weights: FusionWeights
    projection: RidgeMap | None
    text_image: TextImageModel | None

    @classmethod
    def fit(
        cls, blocks: Blocks, categories: Sequence[str | None], weights: FusionWeights
    ) -> MultimodalModel:
        fused = fuse(blocks, weights)
        labelled = [i for i, c in enumerate(categories) if c]
        projection = None
        if weights.projection > 0 and len({categories[i] for i in labelled}) >= 2:
            _, targets = one_hot([str(categories[i]) for i in labelled])
            projection = RidgeMap.fit(fused[labelled], targets, weights.projection_lam)
        pictured = np.flatnonzero(blocks.has_image())
        text_image: TextImageModel | None = None
        if pictured.size >= 2:
            text_image = RidgeTextImage.fit(
                image_side(blocks.take(pictured), weights),
                blocks.text[pictured],
                weights.text_image_lam,
            )
        return cls(weights, projection, text_image)

    def similarity_vectors(self, blocks: Blocks) -> Vectors:
        """The vectors "looks similar" compares: fused, plus the category projection."""
        fused = fuse(blocks, self.weights)
        if self.projection is None:
            return fused
        projected = l2_normalise(self.projection.apply(fused))
        return l2_normalise(np.hstack([np.sqrt(self.weights.projection) * projected, fused]))

    def to_bytes(self) -> bytes:
        """The weights and both learned maps in one ``.npz`` payload (no pickle)."""
        arrays: dict[str, npt.NDArray[np.generic]] = {}
        for prefix, ridge in (("projection", self.projection), ("text_image", self._ridge())):
            if ridge is not None:
                arrays[f"{prefix}.weights"] = ridge.weights
                arrays[f"{prefix}.mean_in"] = ridge.mean_in
                arrays[f"{prefix}.mean_out"] = ridge.mean_out
        arrays["fusion_weights"] = np.frombuffer(
            json.dumps(asdict(self.weights)).encode(), dtype=np.uint8
        )
        buf = io.BytesIO()
        np.savez(buf, allow_pickle=False, **arrays)
        return buf.getvalue()

    def _ridge(self) -> RidgeMap | None:
        if self.text_image is None:
            return None
        if not isinstance(self.text_image, RidgeTextImage):
            raise TypeError(f"cannot serialise text → image model {self.text_image.name!r}")
        return self.text_image.mapping

    @classmethod
    def from_bytes(cls, payload: bytes) -> MultimodalModel:
        with np.load(io.BytesIO(payload)) as z:
            weights = FusionWeights(**json.loads(bytes(z["fusion_weights"]).decode()))
            maps = {
                prefix: RidgeMap(
                    z[f"{prefix}.weights"], z[f"{prefix}.mean_in"], z[f"{prefix}.mean_out"]
                )
                for prefix in ("projection", "text_image")
                if f"{prefix}.weights" in z.files
            }
        text_image = RidgeTextImage(maps["text_image"]) if "text_image" in maps else None
        return cls(weights, maps.get("projection"), text_image)


@dataclass(frozen=True)
class Hit:
    product_id: str
    score: float


class MultimodalIndex:
    """Exact cosine search over fused vectors and over images placed in the text space."""

    def __init__(self, ids: Sequence[str], blocks: Blocks, model: MultimodalModel) -> None:
        self.ids = list(ids)
        self._row = {pid: i for i, pid in enumerate(self.ids)}
        self.blocks = blocks
        self.model = model
        self.vectors = model.similarity_vectors(blocks)
        self._pictured = blocks.has_image()
        self._images_in_text: Vectors | None = None
        if model.text_image is not None:
            self._images_in_text = model.text_image.embed_images(image_side(blocks, model.weights))

    def __contains__(self, product_id: str) -> bool:
        return product_id in self._row

    def _hits(self, scores: npt.NDArray[np.float64], k: int) -> list[Hit]:
        best = top_k(scores, k)
        return [Hit(self.ids[i], float(s)) for i, s in zip(best.indices, best.scores, strict=True)]

    def similar(self, product_id: str, k: int = 10) -> list[Hit]:
        """Products that look and read most like ``product_id`` (itself excluded)."""
        row = self._row.get(product_id)
        if row is None:
            raise NotFoundError(
                f"product {product_id!r} has no vectors yet: run `shopsense images embed`"
            )
        scores = (self.vectors @ self.vectors[row]).astype(np.float64)
        scores[row] = -np.inf
        return self._hits(scores, k)

    def image_scores(self, query_vector: Vectors) -> npt.NDArray[np.float64]:
        """Text query ↔ each product's image, in the text space (-inf where no image)."""
        if self._images_in_text is None or self.model.text_image is None:
            return np.full(len(self.ids), -np.inf)
        q = self.model.text_image.embed_queries(
            np.asarray(query_vector, dtype=np.float32).reshape(1, -1)
        )
        scores: npt.NDArray[np.float64] = (self._images_in_text @ q[0]).astype(np.float64)
        scores[~self._pictured] = -np.inf
        return scores

    def search_by_image(self, query_vector: Vectors, k: int = 10) -> list[Hit]:
        """Products whose *image* fits a text query (vector from the sentence encoder)."""
        return self._hits(self.image_scores(query_vector), k)

    def image_cosines(
        self, query_vector: Vectors, product_ids: Sequence[str]
    ) -> npt.NDArray[np.float64]:
        """Text query ↔ the image of each of ``product_ids`` (NaN where it has no image)."""
        out = np.full(len(product_ids), np.nan)
        if self._images_in_text is None or self.model.text_image is None:
            return out
        rows = [self._row.get(pid, -1) for pid in product_ids]
        known = np.asarray([r >= 0 and bool(self._pictured[r]) for r in rows], dtype=bool)
        if not known.any():
            return out
        q = self.model.text_image.embed_queries(
            np.asarray(query_vector, dtype=np.float32).reshape(1, -1)
        )[0]
        picked = np.asarray(rows)[known]
        out[known] = (self._images_in_text[picked] @ q).astype(np.float64)
        return out

    def text_scores(self, query_vector: Vectors) -> npt.NDArray[np.float64]:
        q = l2_normalise(np.asarray(query_vector, dtype=np.float32).reshape(1, -1))[0]
        scores: npt.NDArray[np.float64] = (l2_normalise(self.blocks.text) @ q).astype(np.float64)
        return scores

    def query_features(
        self, query_vector: Vectors, product_ids: Sequence[str]
    ) -> dict[str, dict[str, float]]:
        """Ranker features per candidate: title cosine and text → image cosine (0 if unknown)."""
        text = self.text_scores(query_vector)
        image = self.image_scores(query_vector)
        out: dict[str, dict[str, float]] = {}
        for pid in product_ids:
            row = self._row.get(pid)
            if row is None:
                out[pid] = {"mm_text_cosine": 0.0, "mm_image_cosine": 0.0}
                continue
            img = float(image[row]) if np.isfinite(image[row]) else 0.0
            out[pid] = {"mm_text_cosine": float(text[row]), "mm_image_cosine": img}
        return out
