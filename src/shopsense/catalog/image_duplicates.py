"""Near-duplicate product images, for the quality gate.

Two signals (see ``models.image_signals``):

- ``identical_photo``: the same file bytes, or dHashes within ``max_hamming`` bits
  (a re-encoded, resized or re-compressed copy of one photo);
- ``same_product_reshot``: different photos whose CNN embeddings have a cosine of at
  least ``min_cosine`` (the same article shot twice, or a near-identical variant).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from shopsense.catalog.image_store import ImageFeatureStore, ImageRecord
from shopsense.catalog.matching.dedup import LinkSource, id_links
from shopsense.models.image_signals import HASH_BITS, hamming


@dataclass(frozen=True)
class DuplicatePair:
    product_a: str
    product_b: str
    kind: str  # identical_photo | same_product_reshot
    score: float  # hamming distance (identical_photo) or cosine (same_product_reshot)


def _bands(value: int, count: int) -> list[tuple[int, int]]:
    """``value``'s 64 bits cut into ``count`` bands: two hashes within ``count - 1`` bits of
    each other agree on at least one whole band (pigeonhole), so only hashes sharing a band
    need comparing."""
    edges = [round(b * HASH_BITS / count) for b in range(count + 1)]
    return [
        (b, (value >> lo) & ((1 << (hi - lo)) - 1)) for b, (lo, hi) in enumerate(pairwise(edges))
    ]


def identical_photos(records: Sequence[ImageRecord], max_hamming: int = 4) -> list[DuplicatePair]:
    """Pairs of products showing the same photo (equal bytes or dHash within ``max_hamming``)."""
    ok = sorted((r for r in records if r.status == "ok" and r.dhash), key=lambda r: r.product_id)
    hashes = [int(r.dhash or "0", 16) for r in ok]
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, value in enumerate(hashes):
        for band in _bands(value, max_hamming + 1):
            buckets[band].append(i)
    close: set[tuple[int, int]] = set()
    for members in buckets.values():
        close.update((a, b) for x, a in enumerate(members) for b in members[x + 1 :])
    out = []
    for i, j in sorted(close):
        a, b = ok[i], ok[j]
        d = 0 if a.image_hash == b.image_hash else hamming(hashes[i], hashes[j])
        if d <= max_hamming:
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


def photo_links(records: Sequence[ImageRecord], max_hamming: int = 4) -> LinkSource:
    """Identical photos as duplicate links for :func:`find_duplicates` (evidence ``same_photo``).

    Only identical photos join products: a re-shot look-alike may be a colour variant.
    """
    return id_links(
        [
            (
                p.product_a,
                p.product_b,
                1.0 - p.score / HASH_BITS,
                {"same_photo": 1.0, "image": p.kind, "hamming_bits": p.score},
            )
            for p in identical_photos(records, max_hamming)
        ]
    )
