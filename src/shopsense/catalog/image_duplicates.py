"""Near-duplicate product images, for the quality gate.

Two signals (see ``models.image_signals``):

- ``identical_photo``: the same file bytes, or dHashes within ``max_hamming`` bits
  (a re-encoded, resized or re-compressed copy of one photo);
- ``same_product_reshot``: different photos whose CNN embeddings have a cosine of at
  least ``min_cosine`` (the same article shot twice, or a near-identical variant).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shopsense.catalog.image_store import ImageFeatureStore, ImageRecord
from shopsense.models.image_signals import hamming


@dataclass(frozen=True)
class DuplicatePair:
    product_a: str
    product_b: str
    kind: str  # identical_photo | same_product_reshot
    score: float  # hamming distance (identical_photo) or cosine (same_product_reshot)


def identical_photos(records: Sequence[ImageRecord], max_hamming: int = 4) -> list[DuplicatePair]:
    """Pairs of products showing the same photo (equal bytes or dHash within ``max_hamming``)."""
    ok = sorted((r for r in records if r.status == "ok" and r.dhash), key=lambda r: r.product_id)
    if len(ok) < 2:
        return []
    hashes = np.array([int(r.dhash or "0", 16) for r in ok], dtype=np.uint64)
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1).astype(np.int16)
    dist = bits @ (1 - bits).T + (1 - bits) @ bits.T  # pairwise hamming distances
    out = []
    for i, j in zip(*np.nonzero(np.triu(dist <= max_hamming, k=1)), strict=True):
        a, b = ok[int(i)], ok[int(j)]
        d = (
            0
            if a.image_hash == b.image_hash
            else hamming(int(a.dhash or "0", 16), int(b.dhash or "0", 16))
        )
        out.append(DuplicatePair(a.product_id, b.product_id, "identical_photo", float(d)))
    return out


def reshot_products(
    ids: Sequence[str],
    vectors: np.ndarray,
    min_cosine: float = 0.95,
    exclude: set[tuple[str, str]] | None = None,
) -> list[DuplicatePair]:
    """Pairs whose image embeddings are at least ``min_cosine`` alike (identical pairs excluded)."""
    if len(ids) < 2:
        return []
    sims = vectors @ vectors.T
    skip = exclude or set()
    out = []
    for i, j in zip(*np.nonzero(np.triu(sims >= min_cosine, k=1)), strict=True):
        pair = (ids[int(i)], ids[int(j)])
        if pair not in skip:
            out.append(DuplicatePair(pair[0], pair[1], "same_product_reshot", float(sims[i, j])))
    return out


def find_image_duplicates(
    store: ImageFeatureStore, image_model: str, max_hamming: int = 4, min_cosine: float = 0.95
) -> list[DuplicatePair]:
    """Every near-duplicate image pair in the store, identical photos first."""
    same = identical_photos(list(store.records().values()), max_hamming)
    ids, vectors = store.product_vectors(image_model)
    taken = {(p.product_a, p.product_b) for p in same}
    return same + reshot_products(ids, vectors, min_cosine, taken)
