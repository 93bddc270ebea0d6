"""``shopsense eval search``: ingest a catalogue into a throwaway store, index it, score modes.

Every mode runs over the same index and queries in one process. ``ltr`` is
trained on ``train`` queries when given, else by 2-fold cross-validation over
the evaluated queries (each fold's model scores only queries it never saw).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from shopsense.catalog.ingest import IngestOptions, IngestSummary, ingest_file
from shopsense.catalog.store import ProductStore
from shopsense.core.errors import InputError
from shopsense.core.topk import top_k
from shopsense.evaluation.datasets import SearchSet, align
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
    """LTR scored on each fold by a model trained on the other folds (by query).

    A fold whose training queries hold no judged product among their candidates gets
    no model: its queries are ranked by the linear ranker, and the row counts them in
    ``linear_fallback_queries``. :class:`InputError` when no query was ranked by a model."""
    judged = judged_candidates(pipeline, data.queries, data.qrels, K)
    fold = query_folds(sorted(data.queries), folds)
    runs: dict[str, list[str]] = {}
    latency: list[float] = []
    fallback = 0
    for f in range(folds):
        pipeline.learned = fit_ranker([j for j in judged if fold[j.qid] != f])
        test = {q: t for q, t in data.queries.items() if fold[q] == f}
        if pipeline.learned is None:
            fallback += len(test)
        r, lat = run_mode(pipeline, test, "ltr")
        runs.update(r)
        latency.extend(lat)
    pipeline.learned = None
    if fallback == len(data.queries):
        raise InputError(
            f"ltr: no model could be trained in {folds}-fold cross-validation for any "
            "query: no fold's training queries found a judged product among their candidates "
            "(give more judged queries, or --train-queries and --train-qrels)"
        )
    row: dict[str, Any] = {"mode": "ltr", **summarise(runs, data.qrels)}
    row["p50_ms"], row["p99_ms"] = percentile(latency, 50), percentile(latency, 99)
    row["linear_fallback_queries"] = fallback
    return row


def ingest_catalogue(
    catalog: Path, options: IngestOptions, workdir: Path
) -> tuple[Engine, IngestSummary]:
    """Ingest ``catalog`` into a throwaway store under ``workdir``.

    :class:`InputError` when no product was accepted (the message keeps the count)."""
    engine = open_store(str(workdir / "eval.db"))
    summary = ingest_file(engine, catalog, options)
    if summary.accepted == 0:
        reasons = ", ".join(f"{r} {n}" for r, n in sorted(summary.reasons.items()))
        raise InputError(
            f"no product accepted from {catalog}: rows read {summary.rows_read} = accepted 0 "
            f"+ quarantined {summary.quarantined}" + (f" ({reasons})" if reasons else "")
        )
    return engine, summary


def open_pipeline(engine: Engine, semantic: bool, workdir: Path) -> SearchPipeline:
    encoder = MultilingualUSE() if semantic else None
    return SearchPipeline(SearchIndex.open(engine, workdir / "index", encoder))


@dataclass
class SearchEvaluation:
    """What ``evaluate_search`` did: the catalogue's ingest, one row per mode, how the
    queries, qrels and catalogue lined up (``checks``), and what a reader should know."""

    ingest: IngestSummary
    rows: list[dict[str, Any]]
    checks: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _missing_products(
    store: ProductStore, data: SearchSet, what: str, ingest: IngestSummary
) -> tuple[int, list[str]]:
    """(judged products of the scored queries, those not in the store); InputError if all are."""
    judged = sorted({p for q in data.queries for p in data.qrels.get(q, {})})
    known = store.get_many(judged).keys()
    missing = [p for p in judged if p not in known]
    if missing and len(missing) == len(judged):
        raise InputError(
            f"none of the {len(judged)} {what}judged products is in the catalogue "
            f"(e.g. {', '.join(missing[:3])}): do the qrels' product ids match its id column? "
            f"(catalogue: rows read {ingest.rows_read} = accepted {ingest.accepted} "
            f"+ quarantined {ingest.quarantined})"
        )
    return len(judged), missing


def evaluate_search(
    catalog: Path,
    options: IngestOptions,
    data: SearchSet,
    modes: Sequence[str],
    train: SearchSet | None = None,
    learned: Ranker | None = None,
) -> SearchEvaluation:
    """One row per mode (each mode once, in the order given): NDCG@10, MRR@10,
    Recall@10/@100, latency p50/p99.

    Raises :class:`InputError` before scoring when no query is judged, no product was
    accepted from the catalogue, or no judged product is in it."""
    chosen = list(dict.fromkeys(MODES if "all" in modes else modes))
    for mode in chosen:
        if mode not in MODES:
            raise InputError(
                f"unknown search mode {mode!r}; choose one of {', '.join(MODES)} or all"
            )
    semantic = any(m != "bm25" for m in chosen)
    alignment = align(data)
    checks = alignment.to_dict()
    warnings: list[str] = []
    if alignment.unknown_query_qrels:
        warnings.append(
            f"{alignment.unknown_query_qrels} of {alignment.qrels} qrels name a query id "
            "that is not in the queries file; they are not scored"
        )
    if train is not None and "ltr" in chosen:
        align(train, "training ")
    with tempfile.TemporaryDirectory(prefix="shopsense-eval.") as tmp:
        engine, summary = ingest_catalogue(catalog, options, Path(tmp))
        store = ProductStore(engine)
        checks["judged_products"], missing = _missing_products(store, data, "", summary)
        checks["judged_products_missing"] = len(missing)
        if missing:
            warnings.append(
                f"{len(missing)} of {checks['judged_products']} judged products are not in "
                f"the catalogue (e.g. {', '.join(missing[:3])}); they count as not found"
            )
        if train is not None and "ltr" in chosen:
            _, train_missing = _missing_products(store, train, "training ", summary)
            if train_missing:
                warnings.append(
                    f"{len(train_missing)} training judged products are not in the catalogue"
                )
        pipeline = open_pipeline(engine, semantic, Path(tmp))
        rows = []
        for mode in chosen:
            if mode == "ltr" and learned is None and train is None:
                row = cross_validated_ltr(pipeline, data)
                if row["linear_fallback_queries"]:
                    warnings.append(
                        f"ltr: {row['linear_fallback_queries']} of {len(data.queries)} queries "
                        "fell in a fold with no trainable model and were ranked by the "
                        "linear ranker (as in hybrid)"
                    )
                rows.append(row)
                continue
            if mode == "ltr":
                pipeline.learned = learned or (
                    train_ranker(pipeline, train.queries, train.qrels) if train else None
                )
                if pipeline.learned is None:
                    raise InputError(
                        "ltr: no model could be trained: no training query found any judged "
                        "product among its candidates"
                    )
            rows.append(score_mode(pipeline, data, mode))
        pipeline.index.lexical.commit()
        return SearchEvaluation(summary, rows, checks, warnings)
