"""``shopsense eval search``: ingest a catalogue into a throwaway store, index it, score modes.

Every mode runs over the same index and queries in one process. ``ltr`` is
trained on ``train`` queries when given, else by 2-fold cross-validation over
the evaluated queries (each fold's model scores only queries it never saw).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.core.topk import top_k
from shopsense.evaluation.datasets import SearchSet
from shopsense.evaluation.metrics import percentile, summarise
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.ranking.pipeline import MODES, SearchPipeline
from shopsense.ranking.rankers import Ranker
from shopsense.ranking.training import (
    JudgedQuery,
    fit_ranker,
    judged_candidates,
    train_ranker,
)
from shopsense.retrieval.index_sync import SearchIndex
from shopsense.storage.engine import open_store

K = 100


def run_mode(
    pipeline: SearchPipeline, queries: Mapping[str, str], mode: str
) -> tuple[dict[str, list[str]], list[float]]:
    """Ranked ids (top 100) and latency in ms of every query."""
    ids = pipeline.index.table.ids
    runs, latency = {}, []
    pipeline.clear_cache()
    for qid, text in queries.items():
        t0 = time.perf_counter()
        ranked = pipeline.run(text, mode, None, K, features=False)
        latency.append((time.perf_counter() - t0) * 1000)
        runs[qid] = [ids[int(r)] for r in ranked.rows[:K]]
    return runs, latency


def score_mode(
    pipeline: SearchPipeline, data: SearchSet, mode: str, label: str | None = None
) -> dict[str, Any]:
    runs, latency = run_mode(pipeline, data.queries, mode)
    row: dict[str, Any] = {"mode": label or mode, **summarise(runs, data.qrels)}
    row["p50_ms"], row["p99_ms"] = percentile(latency, 50), percentile(latency, 99)
    return row


def ranked_offline(
    pipeline: SearchPipeline, judged: Sequence[JudgedQuery], ranker: Ranker
) -> dict[str, list[str]]:
    """Top ``K`` ids per query as ``pipeline.run`` in ``ltr``/``hybrid`` mode would rank them
    with ``ranker``, from candidates and features computed once (``judged_candidates``)."""
    ids = pipeline.index.table.ids
    runs = {}
    for j in judged:
        order = top_k(ranker.predict(j.features), len(j.rows)).indices[:K]
        runs[j.qid] = [ids[int(j.rows[i])] for i in order]
    return runs


def query_folds(qids: Sequence[str], folds: int, seed: int = 0) -> dict[str, int]:
    """A fold number for every query id (random, balanced, reproducible)."""
    perm = np.random.default_rng(seed).permutation(len(qids))
    return {qids[p]: k % folds for k, p in enumerate(perm)}


def cross_validated_runs(
    pipeline: SearchPipeline,
    judged: Sequence[JudgedQuery],
    folds: int = 2,
    extra: Sequence[JudgedQuery] = (),
) -> dict[str, list[str]]:
    """Each query ranked by a LambdaMART model trained on the other folds (plus ``extra``
    training queries): no query is scored by a model that saw it."""
    fold = query_folds([j.qid for j in judged], folds)
    runs: dict[str, list[str]] = {}
    for f in range(folds):
        train = [*extra, *(j for j in judged if fold[j.qid] != f)]
        model = fit_ranker(train)
        test = [j for j in judged if fold[j.qid] == f]
        runs.update(ranked_offline(pipeline, test, model or pipeline.linear))
    return runs


def cross_validated_ltr(
    pipeline: SearchPipeline, data: SearchSet, folds: int = 2
) -> dict[str, Any]:
    """LTR scored on each fold by a model trained on the other folds (by query)."""
    judged = judged_candidates(pipeline, data.queries, data.qrels, K)
    fold = query_folds(sorted(data.queries), folds)
    runs: dict[str, list[str]] = {}
    latency: list[float] = []
    for f in range(folds):
        pipeline.learned = fit_ranker([j for j in judged if fold[j.qid] != f])
        test = {q: t for q, t in data.queries.items() if fold[q] == f}
        r, lat = run_mode(pipeline, test, "ltr")
        runs.update(r)
        latency.extend(lat)
    pipeline.learned = None
    row: dict[str, Any] = {"mode": "ltr", **summarise(runs, data.qrels)}
    row["p50_ms"], row["p99_ms"] = percentile(latency, 50), percentile(latency, 99)
    return row


def open_pipeline(
    catalog: Path, options: IngestOptions, semantic: bool, workdir: Path
) -> SearchPipeline:
    engine = open_store(str(workdir / "eval.db"))
    ingest_file(engine, catalog, options)
    encoder = MultilingualUSE() if semantic else None
    return SearchPipeline(SearchIndex.open(engine, workdir / "index", encoder))


def evaluate_search(
    catalog: Path,
    options: IngestOptions,
    data: SearchSet,
    modes: Sequence[str],
    train: SearchSet | None = None,
    learned: Ranker | None = None,
) -> list[dict[str, Any]]:
    """One row per mode: NDCG@10, MRR@10, Recall@10/@100, latency p50/p99."""
    chosen = list(MODES) if "all" in modes else list(modes)
    semantic = any(m != "bm25" for m in chosen)
    with tempfile.TemporaryDirectory(prefix="shopsense-eval.") as tmp:
        pipeline = open_pipeline(catalog, options, semantic, Path(tmp))
        rows = []
        for mode in chosen:
            if mode == "ltr" and learned is None and train is None:
                rows.append(cross_validated_ltr(pipeline, data))
                continue
            if mode == "ltr":
                pipeline.learned = learned or (
                    train_ranker(pipeline, train.queries, train.qrels) if train else None
                )
            rows.append(score_mode(pipeline, data, mode))
        pipeline.index.lexical.commit()
        return rows
