"""Autocomplete: complete what a shopper has typed from the catalogue's own words.

Candidates are brands, category names and product titles. A prefix matches a
candidate at its start or at the start of any of its words (``"shoe"`` finds
``"Running Shoes"``); Chinese text, which has no spaces, matches at any
character. Matching is on :func:`~shopsense.text.normalize.normalize`d text,
so case and full-width forms do not matter. Score = kind weight × log(1 +
products behind the candidate), shorter candidates first on ties; selection
goes through :func:`shopsense.core.topk.top_k`.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from shopsense.catalog.schema import Product
from shopsense.core.topk import top_k
from shopsense.text.normalize import has_cjk, normalize

KIND_WEIGHT = {"brand": 3.0, "category": 2.0, "title": 1.0}
MAX_SCANNED = 5000
MAX_PREFIX_CHARS = 100


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # brand | category | title
    count: int  # products behind it


def _starts(text: str) -> list[int]:
    """Offsets a prefix may match at: every word start, every CJK character."""
    offsets = [0]
    for i in range(1, len(text)):
        if (text[i - 1] == " " and text[i] != " ") or has_cjk(text[i]):
            offsets.append(i)
    return offsets


class Suggester:
    """An in-memory sorted list of (normalised suffix, candidate) for prefix lookups."""

    def __init__(self, candidates: dict[tuple[str, str], int]) -> None:
        self.candidates = [Suggestion(text, kind, n) for (text, kind), n in candidates.items()]
        keyed: list[tuple[str, int]] = []
        for index, cand in enumerate(self.candidates):
            norm = normalize(cand.text)
            keyed.extend((norm[start:], index) for start in _starts(norm))
        keyed.sort()
        self.keys = [k for k, _ in keyed]
        self.owners = [i for _, i in keyed]

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> Suggester:
        counts: Counter[tuple[str, str]] = Counter()
        for p in products:
            counts[(p.title, "title")] += 1
            if p.brand:
                counts[(p.brand, "brand")] += 1
            for level in p.category:
                counts[(level, "category")] += 1
        return cls(dict(counts))

    def __len__(self) -> int:
        return len(self.candidates)

    def suggest(self, prefix: str, k: int = 8) -> list[Suggestion]:
        key = normalize(prefix[:MAX_PREFIX_CHARS])
        if not key or k <= 0:
            return []
        start = bisect.bisect_left(self.keys, key)
        found: dict[int, None] = {}
        for pos in range(start, min(len(self.keys), start + MAX_SCANNED)):
            if not self.keys[pos].startswith(key):
                break
            found[self.owners[pos]] = None
        picked = list(found)
        scores = np.array(
            [
                KIND_WEIGHT[self.candidates[i].kind] * math.log1p(self.candidates[i].count)
                - len(self.candidates[i].text) * 1e-4
                for i in picked
            ]
        )
        best = top_k(scores, k)
        return [self.candidates[picked[int(i)]] for i in best.indices]
