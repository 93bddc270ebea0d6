"""Content-based recommendations from item feature vectors (text embeddings, image features).

Each feature *block* is a set of L2-normalised vectors keyed by item id: product
text through :class:`~shopsense.models.sentence_encoder.MultilingualUSE` today;
image features plug in as another block. Blocks are weighted, concatenated and
re-normalised, so a dot product is a weighted cosine. Items without a vector in
a block get zeros there; items with no vector at all score 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopsense.events.interactions import History, Interactions
from shopsense.models.sentence_encoder import TextEncoder, l2_normalise
from shopsense.recommend.base import FloatArray, Recommender

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class ItemVectors:
    """One feature block: ``vectors[k]`` belongs to item ``ids[k]``."""

    ids: tuple[str, ...]
    vectors: Vectors

    def aligned(self, item_ids: list[str]) -> Vectors:
        out = np.zeros((len(item_ids), self.vectors.shape[1]), np.float32)
        where = {item: k for k, item in enumerate(self.ids)}
        for j, item in enumerate(item_ids):
            k = where.get(item)
            if k is not None:
                out[j] = self.vectors[k]
        return out


def encode_item_texts(texts: Mapping[str, str], encoder: TextEncoder) -> ItemVectors:
    """Embed each item's text (title, brand, category, description…) with ``encoder``."""
    ids = tuple(texts)
    return ItemVectors(ids, encoder.encode([texts[i] for i in ids]))


class ContentBased(Recommender):
    name = "content"

    def __init__(
        self, blocks: Mapping[str, ItemVectors], weights: Mapping[str, float] | None = None
    ) -> None:
        self.blocks = dict(blocks)
        self.weights = dict(weights or {})
        self.E: Vectors = np.zeros((0, 0), np.float32)
        self._columns: dict[str, slice] = {}  # each block's columns of E
        self._norms: dict[str, FloatArray] = {}  # each block's row norms in E

    def _fit(self, data: Interactions) -> None:
        parts = [
            block.aligned(data.item_ids) * np.float32(np.sqrt(self.weights.get(name, 1.0)))
            for name, block in self.blocks.items()
        ]
        self.E = (
            l2_normalise(np.hstack(parts)) if parts else np.zeros((data.n_items, 1), np.float32)
        )
        self._columns, self._norms = {}, {}
        at = 0
        for name, part in zip(self.blocks, parts, strict=True):
            cols = self._columns[name] = slice(at, at + part.shape[1])
            self._norms[name] = np.linalg.norm(self.E[:, cols], axis=1).astype(np.float64)
            at += part.shape[1]

    def has_vector(self, item: int) -> bool:
        return bool(np.any(self.E[item]))

    def score(self, history: History) -> FloatArray:
        if history.items.size == 0:
            return np.zeros(self.data.n_items)
        profile = (self.E[history.items] * history.weights[:, None].astype(np.float32)).sum(0)
        return np.asarray(self.E @ profile, np.float64)

    def similar(self, item: int) -> FloatArray:
        return np.asarray(self.E @ self.E[item], np.float64)

    def block_similar(self, name: str, item: int) -> FloatArray:
        """The cosine of ``item``'s ``name`` vector (its title's, its photo's) with every
        item's: that block alone, 0 where either has none (or there is no such block)."""
        cols = self._columns.get(name)
        if cols is None:
            return np.zeros(self.E.shape[0])
        block, norms = self.E[:, cols], self._norms[name]
        if norms[item] == 0:
            return np.zeros(self.E.shape[0])
        dots = np.asarray(block @ block[item], np.float64)
        return np.asarray(dots / np.maximum(norms * norms[item], 1e-12), np.float64)
