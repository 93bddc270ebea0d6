"""Blocking: the few candidate pairs worth scoring, out of all n·m (or n²/2) pairs.

The union of three cheap sources, each with a different blind spot:
- TF-IDF neighbours: each row's ``k`` nearest rows by word and by character n-gram cosine;
- shared model numbers / GTINs (exact key);
- MinHash-LSH on title token sets (datasketch).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopsense.catalog.matching.evidence import ranks
from shopsense.catalog.matching.minhash import lsh_pairs
from shopsense.catalog.matching.records import MatchRecord
from shopsense.catalog.matching.tfidf import TfidfSpace


@dataclass(frozen=True)
class BlockingConfig:
    k: int = 20
    minhash: bool = False
    lsh_threshold: float = 0.5
    num_perm: int = 64
    max_code_group: int = 20  # a "code" shared by more rows than this is not a model number
    keep_rank_left: int = 10  # after blocking keep a pair when it is among its left's best ...
    keep_rank_right: int = 5  # ... or its right's best, by TF-IDF, or shares a model number


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs as indices (left, right) with their TF-IDF cosines."""

    pairs: list[tuple[int, int]]
    word_cosine: npt.NDArray[np.float64]
    char_cosine: npt.NDArray[np.float64]
    by_key: npt.NDArray[np.bool_]  # found by a shared model number or by MinHash-LSH

    def subset(self, keep: npt.NDArray[np.bool_]) -> Candidates:
        idx = np.flatnonzero(keep)
        return Candidates(
            [self.pairs[i] for i in idx.tolist()],
            self.word_cosine[idx],
            self.char_cosine[idx],
            self.by_key[idx],
        )


def _code_pairs(records: Sequence[MatchRecord], cap: int) -> set[tuple[int, int]]:
    by_code: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        for code in r.codes:
            by_code[code].append(i)
    out: set[tuple[int, int]] = set()
    for members in by_code.values():
        if 1 < len(members) <= cap:
            out.update((a, b) for x, a in enumerate(members) for b in members[x + 1 :])
    return out


def block(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord] | None,
    config: BlockingConfig,
) -> Candidates:
    """Candidates between ``left`` and ``right``, or within ``left`` when ``right`` is None."""
    rows = [*left, *(right or ())]
    n_left = len(left)
    texts = [r.title for r in rows]
    word = TfidfSpace(texts, "word", (1, 1))
    char = TfidfSpace(texts, "char_wb", (3, 4))
    found: set[tuple[int, int]] = set()
    if right is None:
        # within one catalogue: neighbours by distinctive words only (a word in more than
        # 5% of titles is left out of the search), so the similarity blocks stay sparse
        rare = TfidfSpace(texts, "word", (1, 1), max_df=0.05) if len(texts) > 2000 else word
        every = list(range(n_left))
        found.update((min(q, p), max(q, p)) for q, p, _ in rare.neighbours(every, every, config.k))
    else:
        both = TfidfSpace.mean_of(word, char)
        lefts, rights = list(range(n_left)), list(range(n_left, len(rows)))
        found.update((q, p) for q, p, _ in both.neighbours(lefts, rights, config.k))
        found.update((p, q) for q, p, _ in both.neighbours(rights, lefts, config.k))
    is_left = None if right is None else [i < n_left for i in range(len(rows))]
    keyed: set[tuple[int, int]] = set()
    for a, b in _code_pairs(rows, config.max_code_group):
        if is_left is None or is_left[a] != is_left[b]:
            keyed.add((a, b) if is_left is None or is_left[a] else (b, a))
    if config.minhash:
        keyed.update(
            lsh_pairs(
                [r.tokens for r in rows],
                threshold=config.lsh_threshold,
                num_perm=config.num_perm,
                is_left=is_left,
            )
        )
    pairs = sorted(found | keyed)
    left_idx = np.array([p[0] for p in pairs], dtype=np.int64)
    right_idx = np.array([p[1] for p in pairs], dtype=np.int64)
    offset = 0 if right is None else n_left
    by_key = np.array([p in keyed for p in pairs], dtype=bool)
    return Candidates(
        [(i, j - offset) for i, j in pairs],
        word.cosine(left_idx, right_idx),
        char.cosine(left_idx, right_idx),
        by_key,
    )


def prune(candidates: Candidates, config: BlockingConfig) -> Candidates:
    """Keep pairs near the top of either side's TF-IDF ranking, or found by a key."""
    rank_l, rank_r = ranks(candidates.pairs, candidates.word_cosine + candidates.char_cosine)
    keep = (
        (rank_l <= config.keep_rank_left) | (rank_r <= config.keep_rank_right) | candidates.by_key
    )
    return candidates.subset(keep)
