"""Evidence that two offers are the same product, as named numbers per pair.

Each feature is a pure function of two :class:`MatchRecord` (plus the blocking
similarities computed in bulk). ``-1`` means "cannot tell" (a side lacks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from shopsense.catalog.matching.records import MatchRecord

FEATURES = (
    "title_word_cosine",
    "title_char_cosine",
    "token_jaccard",
    "number_jaccard",
    "code_shared",
    "code_in_text",
    "code_conflict",
    "given_code_equal",
    "brand_match",
    "price_ratio",
    "colour_conflict",
    "rank_left",
    "rank_right",
    "embedding_cosine",
)


class PairEvidence(NamedTuple):
    left: int
    right: int
    features: dict[str, float]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return -1.0
    return len(a & b) / len(a | b)


def _code_in_text(a: MatchRecord, b: MatchRecord) -> float:
    if not a.codes and not b.codes:
        return -1.0
    hits = any(c in b.squashed_text for c in a.codes) or any(c in a.squashed_text for c in b.codes)
    return 1.0 if hits else 0.0


def _brand(a: MatchRecord, b: MatchRecord) -> float:
    if not a.brand or not b.brand:
        return -1.0
    return 1.0 if a.brand == b.brand or a.brand in b.squashed_text[:40] else 0.0


def _price_ratio(a: MatchRecord, b: MatchRecord) -> float:
    if a.price is None or b.price is None:
        return -1.0
    return min(a.price, b.price) / max(a.price, b.price)


def pair_features(a: MatchRecord, b: MatchRecord) -> list[float]:
    """Record-level features, ``FEATURES`` order from ``token_jaccard`` to ``colour_conflict``."""
    shared = a.codes & b.codes
    in_text = _code_in_text(a, b)
    conflict = 1.0 if a.codes and b.codes and not shared and in_text == 0.0 else 0.0
    return [
        _jaccard(a.tokens, b.tokens),
        _jaccard(a.numbers, b.numbers),
        1.0 if shared else (0.0 if a.codes and b.codes else -1.0),
        in_text,
        conflict,
        (1.0 if a.explicit & b.explicit else 0.0) if a.explicit and b.explicit else -1.0,
        _brand(a, b),
        _price_ratio(a, b),
        (1.0 if a.colours != b.colours else 0.0) if a.colours and b.colours else -1.0,
    ]


def ranks(
    pairs: Sequence[tuple[int, int]], score: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Rank (1 = best) of each pair's score among its left's pairs, and among its right's."""
    out = []
    for side in (0, 1):
        rank = np.zeros(len(pairs))
        groups: dict[int, list[int]] = {}
        for i, pair in enumerate(pairs):
            groups.setdefault(pair[side], []).append(i)
        for members in groups.values():
            order = np.argsort(-score[members], kind="stable")
            rank[np.asarray(members)[order]] = np.arange(1, len(members) + 1)
        out.append(rank)
    return out[0], out[1]


def feature_matrix(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    pairs: Sequence[tuple[int, int]],
    word_cos: npt.NDArray[np.float64],
    char_cos: npt.NDArray[np.float64],
    emb_cos: npt.NDArray[np.float64] | None,
) -> npt.NDArray[np.float64]:
    """One row per pair, columns in ``FEATURES`` order."""
    if not pairs:
        return np.zeros((0, len(FEATURES)))
    record = np.array([pair_features(left[i], right[j]) for i, j in pairs], dtype=np.float64)
    rank_l, rank_r = ranks(pairs, word_cos + char_cos)
    emb = emb_cos if emb_cos is not None else np.full(len(pairs), -1.0)
    return np.column_stack(
        [word_cos, char_cos, record, np.minimum(rank_l, 50), np.minimum(rank_r, 50), emb]
    )
