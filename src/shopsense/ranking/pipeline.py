"""Retrieve, then rank: the search pipeline of every mode.

``bm25``   lexical candidates in BM25 order.
``dense``  semantic candidates in cosine order.
``hybrid`` the union of both, ranked by the linear ranker (BM25 leads; dense
           similarity, model-number, title-coverage, brand, category and
           popularity features refine it). The ranking used when no model exists.
``ltr``    the same candidates ranked by the trained LightGBM model, or by the
           linear ranker when the store holds no model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from shopsense.core.errors import InputError
from shopsense.core.topk import top_k
from shopsense.ranking.features import (
    ABSENT_RANK,
    FEATURES,
    CandidateScores,
    ImageScorer,
    TermCache,
    feature_matrix,
)
from shopsense.ranking.rankers import LinearRanker, Ranker
from shopsense.retrieval.documents import TEXT_FIELDS
from shopsense.retrieval.expansion import QueryTerm, Synonyms, query_terms
from shopsense.retrieval.filters import SearchFilters
from shopsense.retrieval.fusion import positions, rrf_scores, union
from shopsense.retrieval.index_sync import SearchIndex

MODES = ("bm25", "dense", "hybrid", "ltr")
DEFAULT_POOL = 100
MAX_QUERY_CHARS = 512
QUERY_CACHE = 4096
PRIME_MAX = 32  # queries encoded in one batch

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Ranked:
    """Candidates in final order with what ranked them."""

    mode: str
    ranker: str
    terms: list[QueryTerm]
    rows: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]
    features: Matrix
    contributions: Matrix  # one row per candidate, or none when left to ``explainer``
    lexical: npt.NDArray[np.bool_]  # found by the lexical index (vs semantic only)
    baseline: float = 0.0  # score = baseline + Σ contributions
    explainer: Ranker | None = field(default=None, compare=False, repr=False)

    def explain(self, i: int) -> tuple[npt.NDArray[np.float64], float]:
        """Candidate ``i``'s per-feature contributions and the baseline they add up from:
        precomputed, or asked of the ranker for this one row (a learned model's SHAP)."""
        if len(self.contributions) == len(self.rows):
            return self.contributions[i], self.baseline
        if self.explainer is None:
            return np.zeros(len(FEATURES)), self.baseline
        scored = self.explainer.score(self.features[i : i + 1])
        return scored.contributions[0], scored.baseline


def check_mode(mode: str) -> None:
    """``InputError`` for a search mode other than ``MODES``."""
    if mode not in MODES:
        raise InputError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")


class SearchPipeline:
    def __init__(
        self,
        index: SearchIndex,
        *,
        synonyms: Synonyms | None = None,
        learned: Ranker | None = None,
        linear: Ranker | None = None,
        typo_tolerance: bool = True,
        images: ImageScorer | None = None,
    ) -> None:
        self.index = index
        self.images = images  # text → image fit of candidates' photos (issue #8)
        self.synonyms = synonyms
        self.learned = learned
        self.linear = linear or LinearRanker()
        self.typo_tolerance = typo_tolerance
        self.terms = TermCache(index.table, index.lexical.idf)
        self._vectors: dict[str, npt.NDArray[np.float32]] = {}

    def clear_cache(self) -> None:
        """Forget cached query embeddings (so a latency run pays for every encoding)."""
        self._vectors.clear()

    def _query_vector(self, query: str) -> npt.NDArray[np.float32]:
        """The query's embedding, cached (repeated queries are common in shops)."""
        if query not in self._vectors:
            self.prime([query])
        return self._vectors[query]

    def has_vector(self, query: str) -> bool:
        """Whether ``query``'s embedding is cached (or none is needed: no semantic index)."""
        return query in self._vectors or self.index.encoder is None or self.index.dense is None

    def prime(self, queries: Sequence[str]) -> None:
        """Encode the ``queries`` whose embeddings are not cached, in one encoder batch.

        The sentence encoder streams its weights once per batch, so a batch costs far
        less per query than one call each (Multilingual USE on 2-4 word queries: ~2.6 ms
        alone, ~0.9 ms each in a batch of 8; benchmarks/RESULTS.md issue 7, fifth
        session). A query's vector can differ in the last float32 bit with the batch
        it was encoded in (BLAS blocks the rows differently); scores move by < 1e-6.
        """
        encoder = self.index.encoder
        if encoder is None or self.index.dense is None:
            return
        new = [q for q in dict.fromkeys(queries) if q.strip() and q not in self._vectors]
        new = new[:PRIME_MAX]
        if not new:
            return
        for query, vector in zip(new, encoder.encode(new), strict=True):
            if len(self._vectors) >= QUERY_CACHE:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[query] = vector

    def _dense(
        self, query: str, pool: int, filters: SearchFilters | None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float32] | None]:
        dense = self.index.dense
        if dense is None or self.index.encoder is None or not query.strip():
            return np.empty(0, np.int64), np.empty(0), None
        qv = self._query_vector(query)
        allowed = None
        if filters is not None and not filters.empty:
            allowed = self.index.lexical.passing(filters)
        hits = dense.search(qv, pool, allowed)
        return hits.keys, hits.scores, qv

    def run(
        self,
        query: str,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
        pool: int = DEFAULT_POOL,
        features: bool = True,
        semantic_pool: int | None = None,
    ) -> Ranked:
        """Rank the best ``pool`` of each retriever (of the semantic one, ``semantic_pool``
        when given); ``features=False`` lets the single-retriever modes skip the feature
        rows they do not rank by (no explanation then)."""
        check_mode(mode)
        if len(query) > MAX_QUERY_CHARS:
            raise InputError(f"query is longer than {MAX_QUERY_CHARS} characters")
        lexical = self.index.lexical
        terms = query_terms(
            query,
            synonyms=self.synonyms,
            known=lexical.knows,
            typo_tolerance=self.typo_tolerance,
        )
        lex = lexical.search(terms, pool, filters) if mode != "dense" else None
        if mode == "bm25" or self.index.dense is None:
            dkeys, dscores, qv = np.empty(0, np.int64), np.empty(0), None
        else:
            dkeys, dscores, qv = self._dense(query, semantic_pool or pool, filters)
        lkeys = lex.keys if lex is not None else np.empty(0, np.int64)
        if not features and mode in ("bm25", "dense"):
            keys_, scores_ = (lkeys, lex.scores) if lex is not None else (dkeys, dscores)
            return self._bare(mode, terms, keys_, scores_)
        keys = union([lkeys, dkeys])
        cands = self._scores(terms, keys, lkeys, dkeys, qv)
        feats = feature_matrix(query, cands, self.terms)
        ranker = self._ranker(mode)
        baseline, explainer = 0.0, None
        if ranker is None:
            column = feats[:, FEATURES.index("bm25" if mode == "bm25" else "dense")]
            scored_scores, contrib = column, np.zeros_like(feats)
            contrib[:, FEATURES.index("bm25" if mode == "bm25" else "dense")] = column
        elif ranker.cheap_contributions:
            scored = ranker.score(feats)
            scored_scores, contrib, baseline = scored.scores, scored.contributions, scored.baseline
        else:  # rank now, explain the hits a shopper sees (Ranked.explain)
            scored_scores, contrib, explainer = ranker.predict(feats), feats[:0], ranker
        order = top_k(scored_scores, len(keys)).indices
        in_lex = np.zeros(len(keys), dtype=bool)
        in_lex[positions(keys, lkeys)] = True
        return Ranked(
            mode=mode,
            ranker=ranker.name if ranker is not None else mode,
            terms=terms,
            rows=cands.rows[order],
            scores=scored_scores[order],
            features=feats[order],
            contributions=contrib if explainer is not None else contrib[order],
            lexical=in_lex[order],
            baseline=baseline,
            explainer=explainer,
        )

    def _bare(
        self,
        mode: str,
        terms: list[QueryTerm],
        keys: npt.NDArray[np.int64],
        scores: npt.NDArray[np.float64],
    ) -> Ranked:
        feats = np.zeros((len(keys), len(FEATURES)))
        feats[:, FEATURES.index("bm25" if mode == "bm25" else "dense")] = scores
        rows = self.index.table.rows(keys)
        lexical = np.full(len(keys), mode == "bm25", dtype=bool)
        return Ranked(
            mode, mode, terms, rows, np.asarray(scores, np.float64), feats, feats.copy(), lexical
        )

    def _ranker(self, mode: str) -> Ranker | None:
        if mode == "ltr" and self.learned is not None:
            return self.learned
        if mode in ("hybrid", "ltr"):
            return self.linear
        return None

    def _scores(
        self,
        terms: list[QueryTerm],
        keys: npt.NDArray[np.int64],
        lkeys: npt.NDArray[np.int64],
        dkeys: npt.NDArray[np.int64],
        qv: npt.NDArray[np.float32] | None,
    ) -> CandidateScores:
        index = self.index
        fields = index.lexical.field_scores(terms, keys)
        weights = index.lexical.weights
        bm25 = sum((weights.of(f) * fields[f] for f in TEXT_FIELDS), np.zeros(len(keys)))
        if qv is not None and index.dense is not None:
            dense = index.dense.vectors(keys) @ qv
        else:
            dense = np.zeros(len(keys))
        rows = index.table.rows(keys)
        image = None
        if self.images is not None and qv is not None:
            image = self.images(qv, list(map(index.table.ids.__getitem__, rows.tolist())))
        return CandidateScores(
            rows=rows,
            field_bm25=fields,
            bm25=np.asarray(bm25, np.float64),
            dense=np.asarray(dense, np.float64),
            rrf=rrf_scores(keys, [lkeys, dkeys]),
            image=image,
            bm25_rank=_ranks(keys, lkeys),
            dense_rank=_ranks(keys, dkeys),
        )


def _ranks(keys: npt.NDArray[np.int64], ranking: npt.NDArray[np.int64]) -> Matrix:
    """1-based rank of each key in ``ranking`` (best first; a key listed twice has its
    last rank), ``ABSENT_RANK`` for a key not in it; ``keys`` hold every key of ``ranking``."""
    out = np.zeros(len(keys), dtype=np.float64)
    np.maximum.at(out, positions(keys, ranking), np.arange(1, len(ranking) + 1, dtype=np.float64))
    out[out == 0] = ABSENT_RANK
    return out
