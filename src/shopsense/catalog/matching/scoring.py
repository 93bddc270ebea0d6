"""Pair scores: a hand-weighted rule when there are no labels, a learned classifier when there are.

Then decisions: a pair is a match when its score reaches the threshold; for
two shops' offers ``one_to_one`` keeps, greedily by score, at most one match
per offer on each side (each shop lists a product once).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from shopsense.catalog.matching.evidence import BASE_FEATURES, FEATURES
from shopsense.core.errors import InputError
from shopsense.models.linear import BoostedTrees

_COL = {name: i for i, name in enumerate(BASE_FEATURES)}


def rule_score(features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A score in [0, 1] from the evidence (``BASE_FEATURES`` columns), without training.

    Text similarity sets the base; a shared model number is strong evidence
    for, two different ones strong evidence against; a brand clash or a price
    far off lowers it; being each other's best candidate raises it.
    """
    if len(features) == 0:
        return np.zeros(0)
    f = {name: features[:, i] for name, i in _COL.items()}
    text = 0.45 * f["title_char_cosine"] + 0.3 * f["title_word_cosine"]
    text += 0.25 * np.maximum(f["token_jaccard"], 0)
    score = text.copy()
    score += np.where((f["code_shared"] == 1) | (f["code_in_text"] == 1), 0.35, 0.0)
    score -= np.where(f["code_conflict"] == 1, 0.35, 0.0)
    score -= np.where(f["brand_match"] == 0, 0.2, 0.0)
    score -= np.where(f["colour_conflict"] == 1, 0.4, 0.0)
    price = f["price_ratio"]
    score -= np.where((price >= 0) & (price < 0.5), 0.1, 0.0)
    score += np.where((f["rank_left"] == 1) & (f["rank_right"] == 1), 0.1, 0.0)
    emb = f["embedding_cosine"]
    score += np.where(emb >= 0, 0.2 * (emb - 0.7), 0.0)
    return np.clip(score, 0.0, 1.0)


class LearnedScorer:
    """The pair classifier fitted on labelled candidate pairs, with its decision threshold.

    ``features`` names the evidence columns it was trained on (``FEATURES`` at the time),
    so a stored scorer is only used on the evidence it knows.
    """

    def __init__(self, seed: int = 0, threshold: float = 0.5) -> None:
        self.classifier = BoostedTrees(seed=seed)
        self.threshold = threshold
        self.features: tuple[str, ...] = FEATURES

    def fit(self, features: npt.NDArray[np.float64], labels: Sequence[int]) -> LearnedScorer:
        y = np.asarray(labels, dtype=np.int64)
        if y.min(initial=1) == y.max(initial=0):
            raise InputError("labelled pairs need both matches and non-matches")
        self.classifier.fit(features, y)
        return self

    def score(self, features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return self.classifier.predict(features)

    def to_bytes(self) -> bytes:
        return self.classifier.to_bytes()

    @classmethod
    def from_bytes(cls, payload: bytes, threshold: float, features: Sequence[str]) -> LearnedScorer:
        out = cls(threshold=threshold)
        out.classifier = BoostedTrees.from_bytes(payload)
        out.features = tuple(features)
        return out


def decide(
    pairs: Sequence[tuple[int, int]],
    scores: npt.NDArray[np.float64],
    threshold: float,
    *,
    one_to_one: bool,
) -> list[int]:
    """Indices of the pairs judged to match."""
    order = np.argsort(-scores, kind="stable")
    chosen: list[int] = []
    used_l: set[int] = set()
    used_r: set[int] = set()
    for i in order.tolist():
        if scores[i] < threshold:
            break
        a, b = pairs[i]
        if one_to_one:
            if a in used_l or b in used_r:
                continue
            used_l.add(a)
            used_r.add(b)
        chosen.append(i)
    return sorted(chosen)
