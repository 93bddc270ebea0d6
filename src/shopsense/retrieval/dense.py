"""Semantic retrieval: an HNSW graph over stored embeddings (faiss; the only faiss importer).

The graph (``main``) is built once over every vector; later changes go to a small
exact ``delta`` (new and changed products, searched by brute force) and a set of
``dead`` keys (deleted or superseded in ``main``, dropped from its answers). When
the delta passes ``REBUILD_FRACTION`` of the graph, the owner rebuilds it — from
stored vectors, never by re-encoding. Vectors are L2-normalised, so inner product
is cosine similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from shopsense.core.topk import top_k

try:
    import faiss
except ImportError as exc:  # pragma: no cover - install hint
    raise ImportError("semantic search needs `pip install 'faiss-cpu>=1.8,<2'`") from exc

REBUILD_FRACTION = 0.1
HNSW_M = 32
EF_CONSTRUCTION = 80
EF_SEARCH = 128
EXACT_BELOW = 2000  # filtered searches over fewer allowed rows than this are exact

Matrix = npt.NDArray[np.float32]
Keys = npt.NDArray[np.int64]


class DenseHits(NamedTuple):
    keys: Keys
    scores: npt.NDArray[np.float64]


def _empty() -> DenseHits:
    return DenseHits(np.empty(0, np.int64), np.empty(0, np.float64))


class VectorIndex:
    """HNSW main graph + exact delta + tombstones, keyed by int64 product keys."""

    def __init__(self, dim: int, ef_search: int = EF_SEARCH) -> None:
        self.dim = dim
        self.ef_search = ef_search
        self.main_keys: Keys = np.empty(0, np.int64)
        self.main_vectors: Matrix = np.empty((0, dim), np.float32)
        self._graph: Any = None
        self.delta: dict[int, npt.NDArray[np.float32]] = {}
        self.dead: set[int] = set()
        self._row_of: dict[int, int] | None = None

    # -- building -----------------------------------------------------------
    def build(self, keys: Sequence[int], vectors: Matrix) -> None:
        """Replace everything with an HNSW graph over ``vectors``."""
        faiss.omp_set_num_threads(1)
        self.main_keys = np.asarray(keys, dtype=np.int64)
        self.main_vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        graph = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = EF_CONSTRUCTION
        if len(self.main_keys):
            graph.add(self.main_vectors)
        self._graph = graph
        self._row_of = None
        self.delta.clear()
        self.dead.clear()

    def upsert(self, key: int, vector: npt.NDArray[np.float32]) -> None:
        self.dead.add(key)
        self.delta[key] = np.asarray(vector, dtype=np.float32)

    def delete(self, key: int) -> None:
        self.dead.add(key)
        self.delta.pop(key, None)

    @property
    def needs_rebuild(self) -> bool:
        return len(self.delta) + len(self.dead) > REBUILD_FRACTION * max(len(self.main_keys), 1)

    def __len__(self) -> int:
        live_main = len(self.main_keys) - len(self.dead.intersection(self.main_keys.tolist()))
        return live_main + len(self.delta)

    # -- persistence --------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._graph is not None:
            faiss.write_index(self._graph, str(folder / "hnsw.faiss"))
        np.save(folder / "main_keys.npy", self.main_keys)

    @classmethod
    def load(
        cls, folder: Path, vectors_by_key: dict[int, npt.NDArray[np.float32]], dim: int
    ) -> VectorIndex | None:
        """The saved graph, with ``main_vectors`` restored from ``vectors_by_key``."""
        graph_file = folder / "hnsw.faiss"
        if not graph_file.exists():
            return None
        keys = np.load(folder / "main_keys.npy")
        if any(int(k) not in vectors_by_key for k in keys):
            return None
        out = cls(dim)
        out._graph = faiss.read_index(str(graph_file))
        out.main_keys = keys
        out.main_vectors = (
            np.vstack([vectors_by_key[int(k)] for k in keys]).astype(np.float32)
            if len(keys)
            else np.empty((0, dim), np.float32)
        )
        return out

    # -- search -------------------------------------------------------------
    def _main_search(self, q: Matrix, k: int) -> DenseHits:
        if self._graph is None or not len(self.main_keys):
            return _empty()
        self._graph.hnsw.efSearch = max(self.ef_search, k)
        want = min(k + len(self.dead), len(self.main_keys))
        scores, rows = self._graph.search(q, want)
        ok = rows[0] >= 0
        keys, sc = self.main_keys[rows[0][ok]], scores[0][ok].astype(np.float64)
        if self.dead:
            alive = np.array([int(x) not in self.dead for x in keys], dtype=bool)
            keys, sc = keys[alive], sc[alive]
        return DenseHits(keys[:k], sc[:k])

    def _exact(self, q: Matrix, keys: Keys, vectors: Matrix, k: int) -> DenseHits:
        if not len(keys):
            return _empty()
        best = top_k(vectors @ q[0], k)
        return DenseHits(keys[best.indices], best.scores)

    def _delta_arrays(self) -> tuple[Keys, Matrix]:
        if not self.delta:
            return np.empty(0, np.int64), np.empty((0, self.dim), np.float32)
        return (
            np.fromiter(self.delta.keys(), dtype=np.int64),
            np.vstack(list(self.delta.values())).astype(np.float32),
        )

    def search(
        self, query: npt.NDArray[np.float32], k: int, allowed: set[int] | None = None
    ) -> DenseHits:
        """Top ``k`` keys by cosine similarity; only ``allowed`` keys when given."""
        q = np.asarray(query, dtype=np.float32).reshape(1, -1)
        dkeys, dvecs = self._delta_arrays()
        if allowed is not None:
            return self._filtered(q, k, allowed, dkeys, dvecs)
        parts = [self._main_search(q, k), self._exact(q, dkeys, dvecs, k)]
        return _merge(parts, k)

    def vectors(self, keys: Sequence[int]) -> Matrix:
        """The live vector of each key (zeros for a key the index does not hold)."""
        if self._row_of is None:
            self._row_of = {int(k): i for i, k in enumerate(self.main_keys)}
        out = np.zeros((len(keys), self.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            k = int(key)
            if k in self.delta:
                out[i] = self.delta[k]
            elif k in self._row_of and k not in self.dead:
                out[i] = self.main_vectors[self._row_of[k]]
        return out

    def search_exact(self, query: npt.NDArray[np.float32], k: int) -> DenseHits:
        """Brute-force answer (the reference ANN recall is measured against)."""
        q = np.asarray(query, dtype=np.float32).reshape(1, -1)
        alive = np.array([int(x) not in self.dead for x in self.main_keys], dtype=bool)
        dkeys, dvecs = self._delta_arrays()
        main = self._exact(q, self.main_keys[alive], self.main_vectors[alive], k)
        return _merge([main, self._exact(q, dkeys, dvecs, k)], k)

    def _filtered(
        self, q: Matrix, k: int, allowed: set[int], dkeys: Keys, dvecs: Matrix
    ) -> DenseHits:
        ok = np.array(
            [int(x) in allowed and int(x) not in self.dead for x in self.main_keys], dtype=bool
        )
        dok = np.array([int(x) in allowed for x in dkeys], dtype=bool)
        delta = self._exact(q, dkeys[dok], dvecs[dok], k) if len(dkeys) else _empty()
        rows = np.flatnonzero(ok)
        if len(rows) < EXACT_BELOW or self._graph is None:
            main = self._exact(q, self.main_keys[rows], self.main_vectors[rows], k)
        else:
            params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
            params.efSearch = max(self.ef_search, k)
            params.sel = faiss.IDSelectorBatch(rows.astype(np.int64))
            scores, found = self._graph.search(q, k, params=params)
            good = found[0] >= 0
            main = DenseHits(self.main_keys[found[0][good]], scores[0][good].astype(np.float64))
        return _merge([main, delta], k)


def _merge(parts: list[DenseHits], k: int) -> DenseHits:
    keys = np.concatenate([p.keys for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    if not len(keys):
        return _empty()
    best = top_k(scores, k)
    return DenseHits(keys[best.indices], best.scores)
