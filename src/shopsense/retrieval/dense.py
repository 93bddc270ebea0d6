"""Semantic retrieval over stored embeddings (faiss; the only faiss importer).

The ``main`` index is built once over every vector; later changes go to a small
exact ``delta`` (new and changed products, searched by brute force) and a set of
``dead`` keys (deleted or superseded in ``main``, dropped from its answers). When
the delta passes ``REBUILD_FRACTION`` of the main index, the owner rebuilds it —
from stored vectors, never by re-encoding. Vectors are L2-normalised, so inner
product is cosine similarity.

Four kinds of main index (``IndexParams.kind``):

``scan`` (``IndexParams``' default)  int8 scalar-quantised vectors scanned in
    full (a quarter of the float32 bytes), then the best ``rerank`` candidates
    re-scored exactly in float32. Builds in well under a second; recall@10 against
    exact search 1.000 on the 44k Myntra catalogue at ≈2.4 ms a query
    (benchmarks/RESULTS.md, issues 4 and 7). Cost grows linearly with the catalogue.
``hnsw``  an HNSW graph (``m``, ``ef_construction``, ``ef_search``), also
    re-scored exactly. Sub-linear, but on catalogues full of identical titles
    (Myntra) it needs ``m=48, ef_construction=200, ef_search=1024`` for 0.98
    (0.989; 0.974 at 512).
``ivf``  k-means inverted lists (``nlist``) over int8 codes; a query scans the
    ``nprobe`` lists nearest to it (more when a filter allows few rows), then
    re-scores exactly like ``scan``. On Myntra's 31k distinct vectors 2048 lists and
    384 probed give recall@10 0.989 against exact search at about half the scan's
    CPU (RESULTS.md, issue 7, sixth session); k-means takes ~40 s.
``fastscan`` (the server's default)  4-bit product quantisation (``pq_dims``
    dimensions per sub-quantiser: 128 bytes a vector at 512-d) scanned in full with
    faiss's SIMD fast-scan kernels, which keep the 16-entry lookup tables in
    registers; the ``refine`` best codes are re-scored exactly in float32. On
    Myntra's 31k distinct vectors, 2 dimensions a sub-quantiser and 200 re-scored
    give recall@10 1.000 against exact search at ~0.45 ms a search of 100 (the ivf's
    ~1.26), train in ~3 s instead of the ivf's ~40 s of k-means, and have no lists to
    miss (RESULTS.md, issue 7, seventh session). Cost grows linearly with the
    catalogue, at a quarter of the int8 scan's bytes. faiss's fast-scan search takes no
    ID selector, so a filtered search asks for ``refine / share`` codes and keeps
    the allowed ones.

Every kind indexes each *distinct* vector once (``DistinctRows``): catalogues repeat
titles, so many products share one vector (13k of Myntra's 44k), and an index over
the distinct ones is smaller and faster to search while its answers, expanded back
to every product holding a found vector and re-scored exactly, stay the same.

Answers are ordered by score, then by key, so tied products (identical vectors)
come in one stable order that exact search (``search_exact``) shares.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from shopsense.retrieval.distinct import DistinctRows
from shopsense.retrieval.key_lookup import KeyLookup
from shopsense.retrieval.scope import Scope, ScopeCache

try:
    import faiss
except ImportError as exc:  # pragma: no cover - install hint
    raise ImportError("semantic search needs `pip install 'faiss-cpu>=1.8,<2'`") from exc

REBUILD_FRACTION = 0.1
IVF_MIN_PER_LIST = 8  # k-means points per list, at least
EXACT_BELOW = 2000  # filtered searches over fewer allowed rows than this are exact
PQ_MIN_VECTORS = 1000  # fastscan: below this many distinct vectors, a flat exact index
PQ_BITS = 4  # fast-scan codes: 16 centroids per sub-quantiser

Matrix = npt.NDArray[np.float32]
Keys = npt.NDArray[np.int64]
IndexKind = Literal["scan", "hnsw", "ivf", "fastscan"]


@dataclass(frozen=True)
class IndexParams:
    """How the main index is built and searched (see the module docstring)."""

    kind: IndexKind = "scan"
    rerank: int = 50  # candidates re-scored exactly, at least k
    m: int = 48
    ef_construction: int = 200
    ef_search: int = 1024
    nlist: int = 2048  # ivf: k-means lists (at most one per IVF_MIN_PER_LIST vectors)
    nprobe: int = 384  # ivf: lists scanned per query (more when a filter allows few rows)
    pq_dims: int = 2  # fastscan: dimensions per 4-bit sub-quantiser
    refine: int = 200  # fastscan: best codes re-scored exactly, at least k

    @property
    def file_name(self) -> str:
        """Saved-index file; names the build parameters, so changing them rebuilds."""
        if self.kind == "hnsw":
            return f"hnsw-m{self.m}-efc{self.ef_construction}-distinct.faiss"
        if self.kind == "ivf":
            return f"ivf{self.nlist}-sq8-distinct.faiss"
        if self.kind == "fastscan":
            return f"pq-d{self.pq_dims}x{PQ_BITS}fs-distinct.faiss"
        return f"{self.kind}-distinct.faiss"


class DenseHits(NamedTuple):
    keys: Keys
    scores: npt.NDArray[np.float64]


def _empty() -> DenseHits:
    return DenseHits(np.empty(0, np.int64), np.empty(0, np.float64))


def ivf_lists(params: IndexParams, n: int) -> int:
    """Inverted lists for ``n`` distinct vectors: ``nlist``, but never more than one list
    per ``IVF_MIN_PER_LIST`` vectors (k-means needs points to place its centroids)."""
    return max(1, min(params.nlist, n // IVF_MIN_PER_LIST))


def _new_index(params: IndexParams, dim: int, vectors: Matrix) -> Any:
    faiss.omp_set_num_threads(1)
    if params.kind == "ivf":
        return _new_ivf(params, dim, vectors)
    if params.kind == "fastscan":
        return _new_fastscan(params, dim, vectors)
    if params.kind == "hnsw":
        graph = faiss.IndexHNSWFlat(dim, params.m, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = params.ef_construction
        if len(vectors):
            graph.add(vectors)
        return graph
    scan = faiss.IndexScalarQuantizer(
        dim, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    if len(vectors):
        scan.train(vectors)
        scan.add(vectors)
    return scan


def _new_ivf(params: IndexParams, dim: int, vectors: Matrix) -> Any:
    """k-means lists over the vectors, each list's members as int8 codes of their
    residuals; ``None`` when there is nothing to cluster. faiss seeds k-means with a
    fixed seed, so the same vectors give the same index."""
    if not len(vectors):
        return None
    lists = ivf_lists(params, len(vectors))
    ivf = faiss.index_factory(dim, f"IVF{lists},SQ8", faiss.METRIC_INNER_PRODUCT)
    # our floor of points per list, not faiss's 39 (it warns on stderr below that)
    faiss.extract_index_ivf(ivf).cp.min_points_per_centroid = IVF_MIN_PER_LIST
    ivf.train(vectors)
    ivf.add(vectors)
    return ivf


def pq_subquantizers(params: IndexParams, dim: int) -> int:
    """Sub-quantisers of a fast-scan code: ``dim / pq_dims``, or the largest count
    below it that divides ``dim`` (every sub-quantiser takes as many dimensions)."""
    m = max(1, dim // max(params.pq_dims, 1))
    while dim % m:
        m -= 1
    return m


def _new_fastscan(params: IndexParams, dim: int, vectors: Matrix) -> Any:
    """4-bit PQ codes of the vectors searched by faiss's fast-scan kernels; a flat
    exact index when there are too few vectors to train 16 centroids a sub-quantiser
    on (faiss wants 39 points a centroid). PQ training seeds k-means with a fixed
    seed, so the same vectors give the same codes."""
    if len(vectors) < PQ_MIN_VECTORS:
        flat = faiss.IndexFlatIP(dim)
        flat.add(vectors)
        return flat
    m = pq_subquantizers(params, dim)
    index = faiss.IndexPQFastScan(dim, m, PQ_BITS, faiss.METRIC_INNER_PRODUCT)
    index.train(vectors)
    index.add(vectors)
    return index


def _nprobe(params: IndexParams, graph: Any, allowed: int | None) -> int:
    """Lists to scan: ``nprobe``, scaled up by how few of the vectors a filter allows
    (a filter leaving a tenth of the rows needs ten times the lists for as many hits)."""
    lists = int(graph.nlist)
    if allowed is None:
        return min(params.nprobe, lists)
    share = max(allowed, 1) / max(int(graph.ntotal), 1)
    return min(math.ceil(params.nprobe / share), lists)


def _search_params(params: IndexParams, k: int, graph: Any, rows: Keys | None) -> Any:
    if params.kind == "fastscan":
        return None  # takes no parameters (nor a selector: see _main_search)
    if params.kind == "hnsw":
        out = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
        out.efSearch = max(params.ef_search, k)
    elif params.kind == "ivf":
        out = faiss.SearchParametersIVF()
        out.nprobe = _nprobe(params, graph, None if rows is None else len(rows))
    else:
        out = faiss.SearchParameters()
    if rows is not None:
        out.sel = faiss.IDSelectorBatch(rows.astype(np.int64))
    return out


class VectorIndex:
    """Main index + exact delta + tombstones, keyed by int64 product keys."""

    def __init__(self, dim: int, params: IndexParams | None = None) -> None:
        self.dim = dim
        self.params = params or IndexParams()
        self.main_keys: Keys = np.empty(0, np.int64)
        self.main_vectors: Matrix = np.empty((0, dim), np.float32)
        self._graph: Any = None
        self._distinct: DistinctRows | None = None
        self.delta: dict[int, npt.NDArray[np.float32]] = {}
        self.dead: set[int] = set()
        self._row_of: KeyLookup | None = None  # main key → row
        self._scopes = ScopeCache()  # filters' rows (retrieval.scope)

    # -- building -----------------------------------------------------------
    def build(self, keys: Sequence[int], vectors: Matrix) -> None:
        """Replace everything with a main index over ``vectors``."""
        self.main_keys = np.asarray(keys, dtype=np.int64)
        self.main_vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._distinct = DistinctRows(self.main_vectors)
        self._graph = _new_index(self.params, self.dim, self.main_vectors[self._distinct.first])
        self._row_of = None
        self._scopes.clear()
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
        # written aside, then renamed: a reader (another server worker) never sees half
        if self._graph is not None:
            part = folder / f"{self.params.file_name}.{os.getpid()}.part"
            faiss.write_index(self._graph, str(part))
            part.replace(folder / self.params.file_name)
        keys = folder / f"main_keys.{os.getpid()}.part.npy"
        np.save(keys, self.main_keys)
        keys.replace(folder / "main_keys.npy")

    @classmethod
    def load(
        cls,
        folder: Path,
        vectors_by_key: dict[int, npt.NDArray[np.float32]],
        dim: int,
        params: IndexParams | None = None,
    ) -> VectorIndex | None:
        """The saved main index of this kind, with ``main_vectors`` from ``vectors_by_key``;
        ``None`` when there is none (or it names a vector the store no longer holds)."""
        out = cls(dim, params)
        graph_file = folder / out.params.file_name
        if not graph_file.exists():
            return None
        keys = np.load(folder / "main_keys.npy")
        if any(int(k) not in vectors_by_key for k in keys):
            return None
        faiss.omp_set_num_threads(1)
        out._graph = faiss.read_index(str(graph_file))
        out.main_keys = keys
        out.main_vectors = (
            np.vstack([vectors_by_key[int(k)] for k in keys]).astype(np.float32)
            if len(keys)
            else np.empty((0, dim), np.float32)
        )
        out._distinct = DistinctRows(out.main_vectors)
        if out._graph.ntotal != len(out._distinct):  # saved over other vectors
            return None
        return out

    # -- search -------------------------------------------------------------
    def _main_search(self, q: Matrix, k: int, scope: Scope | None = None) -> DenseHits:
        """Candidates from the main index (only ``scope``'s rows when given), re-scored
        exactly."""
        distinct = self._distinct
        if self._graph is None or distinct is None or not len(self.main_keys):
            return _empty()
        # OpenMP's thread count is per calling thread: a server searches from worker
        # threads, where faiss would start a team whose idle threads spin after every
        # query (cold searches from a worker thread: 31 → 19 ms of CPU each; RESULTS.md #7)
        faiss.omp_set_num_threads(1)
        found = self._candidates(q, k, scope)
        # one exact score per distinct vector, shared by every product holding it
        scores = self.main_vectors[distinct.first[found]] @ q[0]
        cand = distinct.members(found)
        scores = np.repeat(scores, distinct.sizes(found)).astype(np.float64)
        keep = None if scope is None else scope.row_ok[cand]
        if self.dead:  # set lookups: O(candidates), however many keys died
            alive = _not_in(self.main_keys[cand], self.dead)
            keep = alive if keep is None else keep & alive
        if keep is not None:
            cand, scores = cand[keep], scores[keep]
        return _ordered(self.main_keys[cand], scores, k)

    def _candidates(self, q: Matrix, k: int, scope: Scope | None) -> Keys:
        """Distinct vectors the main index proposes (only ``scope``'s when given)."""
        distinct = self._distinct
        assert distinct is not None
        fastscan = self.params.kind == "fastscan"
        width = max(k, self.params.refine if fastscan else self.params.rerank)
        want = min(width + len(self.dead), len(distinct))
        if fastscan and scope is not None:  # no selector: ask for more, keep the allowed
            share = max(len(scope.groups), 1) / len(distinct)
            _, found = self._graph.search(q, min(math.ceil(want / share), len(distinct)))
            got: Keys = found[0][found[0] >= 0]
            return got[scope.group_ok[got]]
        groups = None if scope is None else scope.groups
        search = _search_params(self.params, want, self._graph, groups)
        _, found = self._graph.search(q, want, params=search)
        ids: Keys = found[0][found[0] >= 0]
        return ids

    def _exact(self, q: Matrix, keys: Keys, vectors: Matrix, k: int) -> DenseHits:
        if not len(keys):
            return _empty()
        return _ordered(keys, (vectors @ q[0]).astype(np.float64), k)

    def _alive(self) -> npt.NDArray[np.bool_]:
        """Which rows of the main index are not dead."""
        if not self.dead:
            return np.ones(len(self.main_keys), dtype=bool)
        dead = np.fromiter(self.dead, dtype=np.int64, count=len(self.dead))
        return ~np.isin(self.main_keys, dead)

    def _delta_arrays(self) -> tuple[Keys, Matrix]:
        if not self.delta:
            return np.empty(0, np.int64), np.empty((0, self.dim), np.float32)
        return (
            np.fromiter(self.delta.keys(), dtype=np.int64),
            np.vstack(list(self.delta.values())).astype(np.float32),
        )

    def search(
        self,
        query: npt.NDArray[np.float32],
        k: int,
        allowed: set[int] | npt.ArrayLike | None = None,
    ) -> DenseHits:
        """Top ``k`` keys by cosine similarity; only ``allowed`` keys when given."""
        q = np.asarray(query, dtype=np.float32).reshape(1, -1)
        dkeys, dvecs = self._delta_arrays()
        if allowed is not None:
            wanted = (
                np.fromiter(allowed, dtype=np.int64, count=len(allowed))
                if isinstance(allowed, set)
                else np.asarray(allowed, dtype=np.int64).ravel()
            )
            return self._filtered(q, k, wanted, dkeys, dvecs)
        parts = [self._main_search(q, k), self._exact(q, dkeys, dvecs, k)]
        return _merge(parts, k)

    def _lookup(self) -> KeyLookup:
        if self._row_of is None:
            self._row_of = KeyLookup(self.main_keys)
        return self._row_of

    def vectors(self, keys: Sequence[int] | Keys) -> Matrix:
        """The live vector of each key (zeros for a key the index does not hold)."""
        ks = np.asarray(keys, dtype=np.int64).reshape(-1)
        out = np.zeros((len(ks), self.dim), dtype=np.float32)
        rows, held = self._lookup().find(ks)
        if self.dead:
            held &= _not_in(ks, self.dead)
        out[held] = self.main_vectors[rows[held]]
        if self.delta:
            for i in np.flatnonzero(np.isin(ks, np.fromiter(self.delta, dtype=np.int64))):
                out[i] = self.delta[int(ks[i])]
        return out

    def search_exact(self, query: npt.NDArray[np.float32], k: int) -> DenseHits:
        """Brute-force answer (the reference ANN recall is measured against)."""
        q = np.asarray(query, dtype=np.float32).reshape(1, -1)
        alive = self._alive()
        dkeys, dvecs = self._delta_arrays()
        main = self._exact(q, self.main_keys[alive], self.main_vectors[alive], k)
        return _merge([main, self._exact(q, dkeys, dvecs, k)], k)

    def _filtered(self, q: Matrix, k: int, wanted: Keys, dkeys: Keys, dvecs: Matrix) -> DenseHits:
        delta = _empty()
        if len(dkeys):
            dok = KeyLookup(wanted).find(dkeys)[1]  # no sort when already sorted
            delta = self._exact(q, dkeys[dok], dvecs[dok], k)
        if self._distinct is None or not len(self.main_keys):
            return delta
        scope = self._scopes.get(wanted, self._lookup(), len(self.main_keys), self._distinct)
        if len(scope.rows) < EXACT_BELOW or self._graph is None:
            rows = scope.rows
            if self.dead:
                rows = rows[_not_in(self.main_keys[rows], self.dead)]
            main = self._exact(q, self.main_keys[rows], self.main_vectors[rows], k)
        else:
            main = self._main_search(q, k, scope)
        return _merge([main, delta], k)


def _not_in(keys: Keys, dropped: set[int]) -> npt.NDArray[np.bool_]:
    return np.fromiter((k not in dropped for k in keys.tolist()), dtype=bool, count=len(keys))


def _ordered(keys: Keys, scores: npt.NDArray[np.float64], k: int) -> DenseHits:
    """The best ``k`` by score, ties broken by the smaller key."""
    if not len(keys):
        return _empty()
    order = np.lexsort((keys, -scores))[:k]
    return DenseHits(keys[order], scores[order])


def _merge(parts: list[DenseHits], k: int) -> DenseHits:
    found = [p for p in parts if len(p.keys)]
    if len(found) == 1:  # already ordered and cut to k
        return found[0]
    return _ordered(
        np.concatenate([p.keys for p in parts]), np.concatenate([p.scores for p in parts]), k
    )
