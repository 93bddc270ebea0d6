"""Evidence that two offers are the same product, as named numbers per pair.

``BASE_FEATURES`` are pure functions of two :class:`MatchRecord` (plus the blocking
similarities computed in bulk). ``CONTEXT_FEATURES`` place a pair among its
competitors: the rule score's rank among each offer's candidates and its margin over
the best other candidate (an offer usually has one match, and it is the one that
stands out). ``-1`` means "cannot tell" (a side lacks it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from shopsense.catalog.matching.records import MatchRecord

_DIGIT = re.compile(r"\d")

BASE_FEATURES = (
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
    "digits_missing_left",
    "digits_missing_right",
    "given_code_in_text",
    "title_length_ratio",
)
CONTEXT_FEATURES = (
    "rule_score",
    "rule_rank_left",
    "rule_rank_right",
    "rule_margin_left",
    "rule_margin_right",
)
FEATURES = BASE_FEATURES + CONTEXT_FEATURES


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


def _digits_missing(a: MatchRecord, b: MatchRecord) -> float:
    """Share of ``a``'s title words with a digit (sizes, capacities, codes) absent from ``b``."""
    words = [t for t in a.tokens if _DIGIT.search(t)]
    if not words or not b.tokens:
        return -1.0
    return sum(1 for t in words if t not in b.squashed_text) / len(words)


def _given_in_text(a: MatchRecord, b: MatchRecord) -> float:
    """A model number given in its own column on one side appears in the other's text."""
    if not a.explicit and not b.explicit:
        return -1.0
    hit = any(c in b.squashed_text for c in a.explicit) or any(
        c in a.squashed_text for c in b.explicit
    )
    return 1.0 if hit else 0.0


def text_features(a: MatchRecord, b: MatchRecord) -> list[float]:
    """``BASE_FEATURES`` from ``digits_missing_left`` to ``title_length_ratio``."""
    shorter, longer = sorted((len(a.tokens), len(b.tokens)))
    return [
        _digits_missing(a, b),
        _digits_missing(b, a),
        _given_in_text(a, b),
        shorter / longer if longer else -1.0,
    ]


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


def _grouped(
    pairs: Sequence[tuple[int, int]], score: npt.NDArray[np.float64], side: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs ordered by their offer on ``side``, best score first (ties in input order):
    the order, where each offer's run starts in it, and each run's length."""
    owner = np.array([p[side] for p in pairs], dtype=np.int64)
    order = np.lexsort((np.arange(len(pairs)), -score, owner))
    first = np.ones(len(order), dtype=bool)
    first[1:] = owner[order][1:] != owner[order][:-1]
    starts = np.flatnonzero(first)
    return order, starts, np.diff(np.append(starts, len(order)))


def ranks(
    pairs: Sequence[tuple[int, int]], score: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Rank (1 = best) of each pair's score among its left's pairs, and among its right's."""
    out = []
    for side in (0, 1):
        rank = np.zeros(len(pairs))
        if pairs:
            order, starts, sizes = _grouped(pairs, score, side)
            rank[order] = np.arange(len(order)) - np.repeat(starts, sizes) + 1
        out.append(rank)
    return out[0], out[1]


def margins(
    pairs: Sequence[tuple[int, int]], score: npt.NDArray[np.float64], side: int
) -> npt.NDArray[np.float64]:
    """Each pair's score minus the best score among the other pairs of its offer on ``side``
    (0 when the offer has no other candidate)."""
    if not pairs:
        return np.zeros(0)
    order, starts, sizes = _grouped(pairs, score, side)
    ranked = score[order]
    top = np.repeat(ranked[starts], sizes)
    second = np.repeat(ranked[np.minimum(starts + 1, len(order) - 1)], sizes)
    alone = np.repeat(sizes == 1, sizes)
    out = np.empty(len(pairs))
    out[order] = np.where(alone, 0.0, ranked - np.where(ranked >= top, second, top))
    return out


def feature_matrix(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    pairs: Sequence[tuple[int, int]],
    word_cos: npt.NDArray[np.float64],
    char_cos: npt.NDArray[np.float64],
    emb_cos: npt.NDArray[np.float64] | None,
) -> npt.NDArray[np.float64]:
    """One row per pair, columns in ``BASE_FEATURES`` order."""
    if not pairs:
        return np.zeros((0, len(BASE_FEATURES)))
    record = np.array([pair_features(left[i], right[j]) for i, j in pairs], dtype=np.float64)
    text = np.array([text_features(left[i], right[j]) for i, j in pairs], dtype=np.float64)
    rank_l, rank_r = ranks(pairs, word_cos + char_cos)
    emb = emb_cos if emb_cos is not None else np.full(len(pairs), -1.0)
    return np.column_stack(
        [word_cos, char_cos, record, np.minimum(rank_l, 50), np.minimum(rank_r, 50), emb, text]
    )


def context_matrix(
    pairs: Sequence[tuple[int, int]], rule: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``CONTEXT_FEATURES`` from each pair's rule score among its offers' other candidates."""
    if not pairs:
        return np.zeros((0, len(CONTEXT_FEATURES)))
    rank_l, rank_r = ranks(pairs, rule)
    return np.column_stack(
        [
            rule,
            np.minimum(rank_l, 50),
            np.minimum(rank_r, 50),
            margins(pairs, rule, 0),
            margins(pairs, rule, 1),
        ]
    )
