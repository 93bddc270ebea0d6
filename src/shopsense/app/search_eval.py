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

from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.evaluation.datasets import SearchSet
from shopsense.evaluation.metrics import percentile, summarise
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.ranking.pipeline import MODES, SearchPipeline
from shopsense.ranking.rankers import Ranker
from shopsense.ranking.training import train_ranker
from shopsense.retrieval.index_sync import SearchIndex
from shopsense.storage.engine import open_store

K = 100


def run_mode(
    pipeline: SearchPipeline, queries: Mapping[str, str], mode: str
) -> tuple[dict[str, list[str]], list[float]]:
    """Ranked ids (top 100) and latency in ms of every query."""
    ids = pipeline.index.table.ids
    runs, latency = {}, []
    for qid, text in queries.items():
        t0 = time.perf_counter()
        ranked = pipeline.run(text, mode, None, K)
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


def cross_validated_ltr(
    pipeline: SearchPipeline, data: SearchSet, folds: int = 2
) -> dict[str, Any]:
    """LTR scored on each fold by a model trained on the other folds (by query)."""
    qids = sorted(data.queries)
    runs: dict[str, list[str]] = {}
    latency: list[float] = []
    for f in range(folds):
        test = {q: data.queries[q] for i, q in enumerate(qids) if i % folds == f}
        train = {q: data.queries[q] for i, q in enumerate(qids) if i % folds != f}
        pipeline.learned = train_ranker(pipeline, train, data.qrels)
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
