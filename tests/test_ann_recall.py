"""ANN recall measures, on hand-computed cases, and the semantic index kinds on real vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shopsense.evaluation.ann_recall import plain_recall, tie_aware_recall
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.retrieval import dense
from shopsense.retrieval.dense import IndexParams, VectorIndex


def test_plain_recall_counts_shared_keys() -> None:
    assert plain_recall([1, 2, 3, 9], [1, 2, 3, 4], 4) == 0.75
    assert plain_recall([], [], 10) == 1.0


def test_tie_aware_recall_accepts_a_tied_key_that_plain_recall_misses() -> None:
    # exact top 3: scores 0.9, 0.8, 0.7; the ANN found 0.9, 0.8 and another key at 0.7
    assert plain_recall([1, 2, 7], [1, 2, 3], 3) == pytest.approx(2 / 3)
    assert tie_aware_recall([0.9, 0.8, 0.7], [0.9, 0.8, 0.7], 3) == 1.0
    # a hit below the exact 3rd score does not count
    assert tie_aware_recall([0.9, 0.8, 0.6], [0.9, 0.8, 0.7], 3) == pytest.approx(2 / 3)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    texts = [
        f"{c} {w} shirt size {n}"
        for c in ("red", "blue", "black", "white", "green")
        for w in ("cotton", "linen", "silk", "wool")
        for n in range(12)
    ]
    texts += ["red cotton shirt size 1"] * 20  # identical products: exact ties
    return MultilingualUSE().encode(texts)


@pytest.mark.parametrize(
    "params", [IndexParams(), IndexParams(kind="hnsw", m=16, ef_construction=100, ef_search=64)]
)
def test_index_kinds_match_exact_search_with_ties_in_key_order(
    vectors: np.ndarray, params: IndexParams
) -> None:
    index = VectorIndex(vectors.shape[1], params)
    keys = list(range(100, 100 + len(vectors)))
    index.build(keys, vectors)
    for q in vectors[::17]:
        approx, exact = index.search(q, 10), index.search_exact(q, 10)
        assert approx.keys.tolist() == exact.keys.tolist()
    # the 20 identical rows come back in key order
    dup = index.search(vectors[-1], 25).keys.tolist()
    tied = [k for k in dup if k >= 100 + len(vectors) - 20]
    assert tied == sorted(tied) and len(tied) == 20
    # a deleted key is gone; an upserted one is found at once
    index.delete(keys[0])
    index.upsert(keys[1], vectors[0])
    top = index.search(vectors[0], 3).keys.tolist()
    assert keys[0] not in top and top[0] == keys[1]


@pytest.mark.parametrize("kind", ["scan", "hnsw"])
def test_filtered_search_through_the_index_keeps_to_the_allowed_keys(
    vectors: np.ndarray, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dense, "EXACT_BELOW", 0)  # take the index path, not brute force
    index = VectorIndex(vectors.shape[1], IndexParams(kind=kind, m=16, ef_search=64))  # type: ignore[arg-type]
    keys = list(range(len(vectors)))
    index.build(keys, vectors)
    allowed = set(keys[::2])
    index.delete(keys[2])
    got = index.search(vectors[4], 10, allowed).keys.tolist()
    exact = [k for k in index.search_exact(vectors[4], len(keys)).keys.tolist() if k in allowed]
    assert got == exact[:10] and keys[2] not in got


def test_saved_index_loads_only_for_the_same_kind_and_build_parameters(
    vectors: np.ndarray, tmp_path: Path
) -> None:
    hnsw = IndexParams(kind="hnsw", m=16, ef_construction=100)
    index = VectorIndex(vectors.shape[1], hnsw)
    keys = list(range(len(vectors)))
    index.build(keys, vectors)
    index.save(tmp_path)
    by_key = {k: vectors[k] for k in keys}
    again = VectorIndex.load(tmp_path, by_key, vectors.shape[1], hnsw)
    assert again is not None
    assert again.search(vectors[5], 5).keys.tolist() == index.search(vectors[5], 5).keys.tolist()
    assert VectorIndex.load(tmp_path, by_key, vectors.shape[1], IndexParams()) is None
    other = IndexParams(kind="hnsw", m=32, ef_construction=100)
    assert VectorIndex.load(tmp_path, by_key, vectors.shape[1], other) is None
