"""Candidate pairs with their evidence, for one catalogue (duplicates) or two (cross-shop)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopsense.catalog.matching.blocking import BlockingConfig, block, prune
from shopsense.catalog.matching.evidence import FEATURES, context_matrix, feature_matrix
from shopsense.catalog.matching.records import MatchRecord
from shopsense.catalog.matching.scoring import rule_score
from shopsense.models.sentence_encoder import TextEncoder


@dataclass(frozen=True)
class PairTable:
    """Candidate pairs (indices into ``left`` and ``right``) and one feature row each."""

    left: Sequence[MatchRecord]
    right: Sequence[MatchRecord]
    pairs: list[tuple[int, int]]
    features: npt.NDArray[np.float64]

    def evidence(self, i: int) -> dict[str, float]:
        """Pair ``i``'s evidence by feature name (``-1`` = cannot tell)."""
        return {n: round(float(v), 4) for n, v in zip(FEATURES, self.features[i], strict=True)}


def _embedding_cosine(
    encoder: TextEncoder,
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord],
    pairs: Sequence[tuple[int, int]],
) -> npt.NDArray[np.float64]:
    same = left is right
    vectors = encoder.encode([r.title for r in (left if same else [*left, *right])])
    offset = 0 if same else len(left)
    a = vectors[[p[0] for p in pairs]]
    b = vectors[[p[1] + offset for p in pairs]]
    cos: npt.NDArray[np.float64] = np.einsum("ij,ij->i", a, b).astype(np.float64)
    return cos


def gather(
    left: Sequence[MatchRecord],
    right: Sequence[MatchRecord] | None,
    blocking: BlockingConfig,
    encoder: TextEncoder | None = None,
) -> PairTable:
    """Block, then compute every candidate's evidence. ``right=None``: pairs within ``left``."""
    candidates = prune(block(left, right, blocking), blocking)
    other = left if right is None else right
    emb = None
    if encoder is not None and candidates.pairs:
        emb = _embedding_cosine(encoder, left, other, candidates.pairs)
    base = feature_matrix(
        left, other, candidates.pairs, candidates.word_cosine, candidates.char_cosine, emb
    )
    context = context_matrix(candidates.pairs, rule_score(base))
    return PairTable(left, other, candidates.pairs, np.column_stack([base, context]))
