"""ANN recall measures, on hand-computed cases, and the semantic index kinds on real vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shopsense.evaluation.ann_recall import plain_recall, tie_aware_recall
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.retrieval import dense
from shopsense.retrieval.dense import IndexParams, VectorIndex
from shopsense.retrieval.distinct import DistinctRows


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
    "params",
    [
        IndexParams(),
        IndexParams(kind="hnsw", m=16, ef_construction=100, ef_search=64),
        IndexParams(kind="ivf", nlist=8, nprobe=8),  # every list probed: exact
        IndexParams(kind="fastscan"),  # under PQ_MIN_VECTORS distinct: a flat exact index
    ],
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


@pytest.mark.parametrize("kind", ["scan", "hnsw", "ivf", "fastscan"])
def test_filtered_search_through_the_index_keeps_to_the_allowed_keys(
    vectors: np.ndarray, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dense, "EXACT_BELOW", 0)  # take the index path, not brute force
    # ivf: 8 lists, 4 probed, and the filter allows half the rows: all 8 are scanned
    params = IndexParams(kind=kind, m=16, ef_search=64, nlist=8, nprobe=4)  # type: ignore[arg-type]
    index = VectorIndex(vectors.shape[1], params)
    keys = list(range(len(vectors)))
    index.build(keys, vectors)
    allowed = set(keys[::2])
    index.delete(keys[2])
    got = index.search(vectors[4], 10, allowed).keys.tolist()
    exact = [k for k in index.search_exact(vectors[4], len(keys)).keys.tolist() if k in allowed]
    assert got == exact[:10] and keys[2] not in got


@pytest.mark.parametrize("kind", ["scan", "fastscan"])
def test_a_filter_as_a_key_array_matches_exact_search_and_follows_a_rebuild(
    vectors: np.ndarray, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dense, "EXACT_BELOW", 0)  # take the index path, not brute force
    index = VectorIndex(vectors.shape[1], IndexParams(kind=kind))  # type: ignore[arg-type]
    keys = list(range(len(vectors)))
    index.build(keys, vectors)
    index.upsert(10_000, vectors[7])  # in the delta, and allowed
    allowed = np.array([*keys[1::3], 10_000], dtype=np.int64)
    shuffled = np.random.default_rng(0).permutation(allowed)

    def exact(idx: VectorIndex, q: np.ndarray) -> list[int]:
        ranked = idx.search_exact(q, len(keys) + 1).keys.tolist()
        return [k for k in ranked if k in set(allowed.tolist())][:10]

    for q in vectors[::29]:
        want = exact(index, q)
        assert index.search(q, 10, allowed).keys.tolist() == want
        assert index.search(q, 10, shuffled).keys.tolist() == want  # unsorted keys too
        assert index.search(q, 10, set(allowed.tolist())).keys.tolist() == want
    assert 10_000 in index.search(vectors[7], 3, allowed).keys.tolist()
    # rebuilt with the rows in another order: the same keys now sit in other rows
    index.build(keys[::-1], vectors[::-1])
    for q in vectors[::29]:
        assert index.search(q, 10, allowed).keys.tolist() == exact(index, q)


def _built_and_saved(
    params: IndexParams, vectors: np.ndarray, folder: Path
) -> tuple[VectorIndex, dict[int, np.ndarray]]:
    """An index over ``vectors`` (keys 0…n-1) saved to ``folder``, and its vectors by key."""
    index = VectorIndex(vectors.shape[1], params)
    keys = list(range(len(vectors)))
    index.build(keys, vectors)
    index.save(folder)
    return index, {k: vectors[k] for k in keys}


def test_saved_index_loads_only_for_the_same_kind_and_build_parameters(
    vectors: np.ndarray, tmp_path: Path
) -> None:
    hnsw = IndexParams(kind="hnsw", m=16, ef_construction=100)
    index, by_key = _built_and_saved(hnsw, vectors, tmp_path)
    again = VectorIndex.load(tmp_path, by_key, vectors.shape[1], hnsw)
    assert again is not None
    assert again.search(vectors[5], 5).keys.tolist() == index.search(vectors[5], 5).keys.tolist()
    assert VectorIndex.load(tmp_path, by_key, vectors.shape[1], IndexParams()) is None
    other = IndexParams(kind="hnsw", m=32, ef_construction=100)
    assert VectorIndex.load(tmp_path, by_key, vectors.shape[1], other) is None


def test_saved_ivf_index_loads_with_its_lists_and_searches_alike(
    vectors: np.ndarray, tmp_path: Path
) -> None:
    ivf = IndexParams(kind="ivf", nlist=16, nprobe=4)
    index, by_key = _built_and_saved(ivf, vectors, tmp_path)
    again = VectorIndex.load(tmp_path, by_key, vectors.shape[1], ivf)
    assert again is not None and again._graph.nlist == 16
    for q in vectors[::31]:
        assert again.search(q, 10).keys.tolist() == index.search(q, 10).keys.tolist()
    # other lists (or another kind) do not load: the owner rebuilds
    assert VectorIndex.load(tmp_path, by_key, vectors.shape[1], IndexParams()) is None
    more = IndexParams(kind="ivf", nlist=32, nprobe=4)
    assert VectorIndex.load(tmp_path, by_key, vectors.shape[1], more) is None


def test_ivf_lists_are_capped_by_the_vectors_there_are_to_cluster(vectors: np.ndarray) -> None:
    assert dense.ivf_lists(IndexParams(kind="ivf", nlist=2048), 31_342) == 2048
    assert dense.ivf_lists(IndexParams(kind="ivf", nlist=2048), 260) == 260 // 8
    assert dense.ivf_lists(IndexParams(kind="ivf", nlist=2048), 3) == 1
    empty = VectorIndex(vectors.shape[1], IndexParams(kind="ivf"))
    empty.build([], np.empty((0, vectors.shape[1]), np.float32))
    assert len(empty.search(vectors[0], 5).keys) == 0
    empty.upsert(7, vectors[0])  # the delta is searched without a main index
    assert empty.search(vectors[0], 5).keys.tolist() == [7]


@pytest.fixture(scope="module")
def myntra_slice(shared_data: Path) -> tuple[np.ndarray, np.ndarray]:
    """2,500 real Myntra titles and 200 shopper-like queries (2–3 leading words of
    other titles of the file), encoded by the real model."""
    import csv

    with (shared_data / "myntra_fashion" / "products_sample.csv").open(encoding="utf-8") as fh:
        titles = [row["productDisplayName"] for row in csv.DictReader(fh)]
    queries = [" ".join(t.split()[: 2 + i % 2]) for i, t in enumerate(titles[3::12][:200])]
    encoder = MultilingualUSE()
    return encoder.encode(titles), encoder.encode(queries)


@pytest.mark.slow
def test_ivf_recall_against_exact_search_on_real_titles(
    myntra_slice: tuple[np.ndarray, np.ndarray],
) -> None:
    matrix, queries = myntra_slice
    keys = list(range(len(matrix)))
    index = VectorIndex(matrix.shape[1], IndexParams(kind="ivf", nlist=64, nprobe=32))
    index.build(keys, matrix)
    assert index._graph.nlist == 64

    def recall(allowed: set[int] | None) -> float:
        got = []
        for q in queries:
            exact = index.search_exact(q, len(keys))
            want = [k for k in exact.keys.tolist() if allowed is None or k in allowed][:10]
            hits = index.search(q, 10, allowed)
            got.append(tie_aware_recall(hits.scores.tolist(), exact_scores(exact, want), 10))
        return float(np.mean(got))

    def exact_scores(exact: dense.DenseHits, want: list[int]) -> list[float]:
        at = dict(zip(exact.keys.tolist(), exact.scores.tolist(), strict=True))
        return [at[k] for k in want]

    assert recall(None) >= 0.98
    # a filter allowing a fifth of the rows: five times the lists are probed
    assert recall(set(keys[::5])) >= 0.98


def test_identical_vectors_are_indexed_once_and_all_come_back(vectors: np.ndarray) -> None:
    matrix = np.vstack([vectors[:240], np.repeat(vectors[5:6], 20, axis=0)])
    index = VectorIndex(vectors.shape[1])
    index.build(list(range(len(matrix))), matrix)
    # 240 distinct texts, plus 20 copies of the sixth: 240 rows in the scan index
    assert index._graph.ntotal == 240
    hits = index.search(vectors[5], 21)
    assert hits.keys.tolist() == [5, *range(240, 260)]  # every holder, in key order
    assert hits.keys.tolist() == index.search_exact(vectors[5], 21).keys.tolist()
    # a filter that allows only some holders of a vector gets only those
    allowed = {245, 250, 7}
    assert set(index.search(vectors[5], 5, allowed).keys.tolist()) == allowed


def test_distinct_rows_group_identical_rows_by_first_appearance() -> None:
    m = np.array([[1, 0], [0, 1], [1, 0], [0, 1], [2, 2]], dtype=np.float32)
    rows = DistinctRows(m)
    assert rows.first.tolist() == [0, 1, 4]
    assert rows.group.tolist() == [0, 1, 0, 1, 2]
    assert rows.members(np.array([1, 2])).tolist() == [1, 3, 4]
    assert rows.members(np.array([2, 0])).tolist() == [4, 0, 2]  # in the groups' order
    assert rows.members(np.array([], np.int64)).tolist() == []
    assert rows.sizes(np.array([0, 2])).tolist() == [2, 1]


def test_vectors_are_the_live_ones_by_key(vectors: np.ndarray) -> None:
    index = VectorIndex(vectors.shape[1], IndexParams(kind="fastscan"))
    index.build([30, 10, 20], vectors[:3])
    index.delete(10)
    index.upsert(20, vectors[5])
    index.upsert(99, vectors[6])  # only in the delta
    got = index.vectors([20, 10, 30, 77, 99])
    want = [vectors[5], np.zeros(vectors.shape[1]), vectors[0], np.zeros(vectors.shape[1])]
    assert np.array_equal(got, np.vstack([*want, vectors[6]]))


@pytest.mark.slow
def test_fastscan_codes_recall_exact_search_on_real_titles_and_reload(
    myntra_slice: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    matrix, queries = myntra_slice
    keys = list(range(len(matrix)))
    params = IndexParams(kind="fastscan", pq_dims=4, refine=100)
    index, by_key = _built_and_saved(params, matrix, tmp_path)
    # past PQ_MIN_VECTORS distinct titles: 4-bit PQ codes, 512 / 4 sub-quantisers
    assert type(index._graph).__name__ == "IndexPQFastScan" and index._graph.M == 128
    assert dense.pq_subquantizers(IndexParams(pq_dims=3), 512) == 128  # divides 512

    def recall(idx: VectorIndex, allowed: set[int] | None) -> float:
        got = []
        for q in queries:
            exact = [
                s
                for k, s in zip(*idx.search_exact(q, len(keys)), strict=True)
                if allowed is None or int(k) in allowed
            ][:10]
            hits = idx.search(q, 10, allowed)
            assert allowed is None or set(hits.keys.tolist()) <= allowed
            got.append(tie_aware_recall(hits.scores.tolist(), [float(s) for s in exact], 10))
        return float(np.mean(got))

    assert recall(index, None) >= 0.98
    assert recall(index, set(keys[::5])) >= 0.98  # no selector: more codes asked for
    again = VectorIndex.load(tmp_path, by_key, matrix.shape[1], params)
    assert again is not None
    for q in queries[::20]:
        assert again.search(q, 10).keys.tolist() == index.search(q, 10).keys.tolist()
    other = IndexParams(kind="fastscan", pq_dims=2)  # other codes: the owner rebuilds
    assert VectorIndex.load(tmp_path, by_key, matrix.shape[1], other) is None
    # deletes and upserts over the codes
    before = index.search(queries[0], 3)
    top = before.keys.tolist()
    index.delete(top[0])
    index.upsert(top[2], matrix[top[0]])
    after = index.search(queries[0], 50)
    assert top[2] in after.keys.tolist()[:2]
    assert after.scores[0] == pytest.approx(before.scores[0], abs=1e-6)  # delta: exact too
    assert top[0] not in after.keys.tolist()
