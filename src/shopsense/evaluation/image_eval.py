"""How well text, image, colour and fused vectors carry a product label, side by side.

- ``knn_accuracy``: leave-one-out k-NN (cosine, majority vote of the k nearest other
  products; a tie goes to the label of the nearer neighbour) — the measure of the
  issue's baselines.
- ``precision_at_k``: share of the k nearest other products that carry the seed's
  label ("similar items share the seed's articleType").
- ``own_item_recall_at_k``: query i finds key i in its top k (title → own image).

The category projection is supervised, so it is scored under k-fold cross-
validation: the labels of the fold's products are hidden while it is fitted, and
those products are then the queries. The text → image map is fitted on products
outside a held-out split and scored on the held-out ones only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopsense.core.topk import top_k
from shopsense.events.interactions import build_interactions
from shopsense.models.linear_maps import RidgeTextImage
from shopsense.models.sentence_encoder import Vectors, l2_normalise
from shopsense.recommend.content import ContentBased, ItemVectors
from shopsense.retrieval.multimodal import Blocks, FusionWeights, MultimodalModel, fuse, image_side


def _neighbours(vectors: Vectors, rows: Sequence[int], k: int) -> list[npt.NDArray[np.int64]]:
    unit = l2_normalise(vectors)
    out = []
    for start in range(0, len(rows), 512):
        chunk = list(rows[start : start + 512])
        block = (unit[chunk] @ unit.T).astype(np.float64)
        for i, row in enumerate(chunk):
            block[i, row] = -np.inf
            out.append(top_k(block[i], k).indices)
    return out


def _vote(labels: Sequence[str]) -> str:
    counts = Counter(labels)
    best = max(counts.values())
    return next(x for x in labels if counts[x] == best)  # labels are nearest first


def knn_accuracy(
    vectors: Vectors, labels: Sequence[str], k: int = 10, rows: Sequence[int] | None = None
) -> float:
    """Leave-one-out k-NN label accuracy over ``rows`` (default: every row)."""
    rows = list(range(len(labels))) if rows is None else list(rows)
    hits = [
        _vote([labels[j] for j in nn]) == labels[r]
        for r, nn in zip(rows, _neighbours(vectors, rows, k), strict=True)
    ]
    return float(np.mean(hits)) if hits else 0.0


def precision_at_k(
    vectors: Vectors, labels: Sequence[str], k: int = 10, rows: Sequence[int] | None = None
) -> float:
    """Mean share of the k nearest other products carrying the seed's label."""
    rows = list(range(len(labels))) if rows is None else list(rows)
    shares = [
        np.mean([labels[j] == labels[r] for j in nn])
        for r, nn in zip(rows, _neighbours(vectors, rows, k), strict=True)
    ]
    return float(np.mean(shares)) if shares else 0.0


def own_item_recall_at_k(queries: Vectors, keys: Vectors, k: int = 10) -> float:
    """Share of queries i whose own key i is among their k best keys."""
    scores = l2_normalise(queries) @ l2_normalise(keys).T
    return float(np.mean([i in top_k(scores[i], k).indices for i in range(len(queries))]))


@dataclass(frozen=True)
class ImageEvalReport:
    products: int
    classes: int
    k: int
    knn_accuracy: dict[str, float]  # text | image | colour | fused | fused+projection
    similar_precision: dict[str, float]  # share of the top k sharing the seed's label
    text_to_image_recall: float  # title → own image among the held-out products
    text_to_image_chance: float
    held_out: int


def _cross_validated(
    blocks: Blocks, labels: Sequence[str], weights: FusionWeights, k: int, folds: int, seed: int
) -> tuple[float, float]:
    fold = np.random.default_rng(seed).integers(0, folds, len(labels))
    acc, prec = [], []
    for f in range(folds):
        queries = np.flatnonzero(fold == f).tolist()
        hidden: list[str | None] = [None if fold[i] == f else labels[i] for i in range(len(labels))]
        vectors = MultimodalModel.fit(blocks, hidden, weights).similarity_vectors(blocks)
        acc.append(knn_accuracy(vectors, labels, k, queries) * len(queries))
        prec.append(precision_at_k(vectors, labels, k, queries) * len(queries))
    return sum(acc) / len(labels), sum(prec) / len(labels)


def text_to_image_recall(
    blocks: Blocks, weights: FusionWeights, held_out: int, k: int, seed: int
) -> float:
    """Fit the image → text map outside a random held-out split; recall@k inside it."""
    order = np.random.default_rng(seed).permutation(len(blocks))
    test, train = order[:held_out], order[held_out:]
    model = RidgeTextImage.fit(
        image_side(blocks.take(train), weights), blocks.text[train], weights.text_image_lam
    )
    keys = model.embed_images(image_side(blocks.take(test), weights))
    return own_item_recall_at_k(model.embed_queries(blocks.text[test]), keys, k)


def evaluate_images(
    blocks: Blocks,
    labels: Sequence[str],
    weights: FusionWeights | None = None,
    *,
    k: int = 10,
    folds: int = 5,
    held_out: int = 1000,
    seed: int = 0,
) -> ImageEvalReport:
    """Every measure side by side on products that all have an image and a label."""
    w = weights or FusionWeights()
    single = {
        "text": blocks.text,
        "image": blocks.image,
        "colour": blocks.colour,
        "fused": fuse(blocks, w),
    }
    acc = {name: knn_accuracy(v, labels, k) for name, v in single.items()}
    prec = {name: precision_at_k(v, labels, k) for name, v in single.items()}
    acc["fused+projection"], prec["fused+projection"] = _cross_validated(
        blocks, labels, w, k, folds, seed
    )
    held = min(held_out, len(labels) // 2)
    return ImageEvalReport(
        products=len(labels),
        classes=len(set(labels)),
        k=k,
        knn_accuracy=acc,
        similar_precision=prec,
        text_to_image_recall=text_to_image_recall(blocks, w, held, k, seed),
        text_to_image_chance=min(1.0, k / held) if held else 0.0,
        held_out=held,
    )


def content_similar_precision(
    text: Vectors,
    blocks: Blocks,
    labels: Sequence[str],
    weights: FusionWeights | None = None,
    *,
    image_weight: float = 1.0,
    k: int = 10,
    folds: int = 5,
    seed: int = 0,
) -> dict[str, float]:
    """Share of ``ContentBased.similar``'s top k sharing the seed's label, per block set.

    ``text`` is the recommender's own text block (row-aligned with ``blocks``).
    Variants: the text block alone; text + the fused image block; text + the fused
    block with the category projection, which is fitted with the seeds' labels
    hidden (k-fold), so every seed is held out from what it is scored by.
    """
    w = weights or FusionWeights()
    ids = [str(i) for i in range(len(labels))]
    data = build_interactions([], items=ids)
    fold = np.random.default_rng(seed).integers(0, folds, len(labels))

    def precision(block: Vectors | None, rows: Sequence[int]) -> float:
        parts = {"text": ItemVectors(tuple(ids), text)}
        if block is not None:
            parts["image"] = ItemVectors(tuple(ids), block)
        model = ContentBased(parts, {"text": 1.0, "image": image_weight}).fit(data)
        shares = []
        for r in rows:
            scores = model.similar(r)
            scores[r] = -np.inf
            shares.append(np.mean([labels[j] == labels[r] for j in top_k(scores, k).indices]))
        return float(np.sum(shares))

    everyone = list(range(len(labels)))
    out = {
        "text": precision(None, everyone) / len(labels),
        "text+fused": precision(fuse(blocks, w), everyone) / len(labels),
    }
    projected = 0.0
    for f in range(folds):
        rows = np.flatnonzero(fold == f).tolist()
        hidden: list[str | None] = [None if fold[i] == f else labels[i] for i in everyone]
        vectors = MultimodalModel.fit(blocks, hidden, w).similarity_vectors(blocks)
        projected += precision(vectors, rows)
    out["text+fused+projection"] = projected / len(labels)
    return out
