"""Full-pipeline latency per mode on the 22k Amazon and 44k Myntra catalogues, beside bm25s;
index-build time with embeddings (first build, then a re-open that must encode nothing);
semantic-index recall@10 against exact search, plain and tie-aware.

    .venv/bin/python benchmarks/search_latency.py [--only myntra-44k] [--queries 300]
        [--runs 3] [--cache /tmp/shopsense-bench-search]

Every query is first-seen: the pipeline's query-embedding cache is cleared before
each timed query (untimed), so every mode pays for encoding its query. Latency
rows are medians over ``--runs`` passes; ``cpu_ms`` is process CPU time per query.
Stores are cached under ``--cache``: the first run encodes the catalogue once
(resumable: a killed run continues where it stopped).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import bm25s

from _common import report, shared_data
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.evaluation.ann_recall import plain_recall, tie_aware_recall
from shopsense.evaluation.metrics import percentile
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.ranking.pipeline import SearchPipeline
from shopsense.ranking.training import train_ranker
from shopsense.retrieval.dense import VectorIndex
from shopsense.retrieval.index_sync import SearchIndex
from shopsense.storage.engine import open_store

MYNTRA_MAP = ("title=productDisplayName", "category=masterCategory/subCategory/articleType")
MODES = ("bm25", "dense", "hybrid", "ltr")


def catalogues(cache: Path) -> dict[str, tuple[Path, IngestOptions]]:
    data = shared_data()
    amazon = cache / "walmart-amazon" / "walmart-amazon.csv"  # written by search_known_item.py
    if not amazon.exists():
        amazon = data / "entity_matching" / "D8" / "amazon.csv"
    return {
        "amazon-22k": (amazon, IngestOptions(sep="|", source="amazon")),
        "myntra-44k": (
            data / "myntra_fashion" / "styles_full.csv.zip",
            IngestOptions(mapping=MYNTRA_MAP, source="myntra"),
        ),
    }


def queries_for(titles: list[str], n: int, seed: int = 7) -> list[str]:
    """Shopper-like queries: 1–4 leading words of random product titles."""
    rng = random.Random(seed)
    out = []
    for title in rng.sample(titles, n):
        words = title.split()
        out.append(" ".join(words[: rng.randint(1, min(4, len(words)))]))
    return out


def trained_ltr(pipe: SearchPipeline, n: int = 200, seed: int = 11) -> None:
    """Give ``pipe`` a LightGBM model fit on known-item queries of this catalogue
    (a title's first 2–5 words → that product), drawn apart from the timed queries."""
    table, rng = pipe.index.table, random.Random(seed)
    picked = rng.sample(range(len(table.ids)), n)
    queries = {table.ids[i]: " ".join(table.titles[i].split()[: rng.randint(2, 5)]) for i in picked}
    pipe.learned = train_ranker(pipe, queries, {q: {q: 1.0} for q in queries})
    assert pipe.learned is not None, "no training query found its product"


def explain_top(pipe: SearchPipeline, query: str, k: int = 10) -> None:
    """An ``ltr`` query as a page of 10 explained hits costs: rank, then explain the page."""
    ranked = pipe.run(query, "ltr")
    for i in range(min(k, len(ranked.rows))):
        ranked.explain(i)


def shap_all(pipe: SearchPipeline, query: str) -> None:
    """What ``ltr`` cost before contributions became per shown hit: SHAP for every candidate."""
    assert pipe.learned is not None
    pipe.learned.score(pipe.run(query, "ltr").features)


def latency(
    fn: Callable[[str], object], queries: list[str], before: Callable[[], None] | None = None
) -> tuple[float, float, float]:
    """p50 ms, p99 ms and CPU ms per query; ``before`` runs untimed ahead of each query."""
    times, cpu = [], 0.0
    for q in queries:
        if before is not None:
            before()
        c0, t0 = time.process_time(), time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
        cpu += time.process_time() - c0
    return percentile(times, 50), percentile(times, 99), cpu * 1000 / len(queries)


def _median_row(name: str, mode: str, runs: list[tuple[float, float, float]]) -> dict[str, object]:
    return {
        "catalogue": name,
        "mode": mode,
        "p50_ms": statistics.median(r[0] for r in runs),
        "p99_ms": statistics.median(r[1] for r in runs),
        "cpu_ms": statistics.median(r[2] for r in runs),
        "p99_runs": [round(r[1], 1) for r in runs],
        "load": round(os.getloadavg()[0], 1),
    }


def open_index(
    name: str, path: Path, options: IngestOptions, cache: Path
) -> tuple[list[dict[str, object]], SearchIndex]:
    """Build (or resume) the indexes, then re-open them: that must encode nothing."""
    work = cache / name
    engine = open_store(str(work / "store.db"))
    ingest_file(engine, path, options)
    encoder = MultilingualUSE()
    rows: list[dict[str, object]] = []
    for label in ("index (this run)", "index re-open"):
        c0, t0 = time.process_time(), time.perf_counter()
        index = SearchIndex.open(engine, work / "index", encoder)
        rows.append(
            {
                "catalogue": name,
                "mode": label,
                "products": index.report.products,
                "encoded": index.report.encoded,
                "seconds": time.perf_counter() - t0,
                "cpu_s": time.process_time() - c0,
                "timings": {k: round(v, 1) for k, v in index.report.timings.items()},
                "load": round(os.getloadavg()[0], 1),
            }
        )
    return rows, index


def recall_rows(
    name: str, dense: VectorIndex, encoder: MultilingualUSE, qs: list[str]
) -> dict[str, object]:
    plain, tie = [], []
    for v in encoder.encode(qs):
        approx, exact = dense.search(v, 10), dense.search_exact(v, 10)
        plain.append(plain_recall(approx.keys.tolist(), exact.keys.tolist(), 10))
        tie.append(tie_aware_recall(approx.scores.tolist(), exact.scores.tolist(), 10))
    return {
        "catalogue": name,
        "mode": f"{dense.params.kind} recall@10 vs exact",
        "recall": statistics.mean(plain),
        "recall_tie_aware": statistics.mean(tie),
    }


def bench(
    name: str, path: Path, options: IngestOptions, n: int, runs: int, cache: Path
) -> list[dict[str, object]]:
    rows, index = open_index(name, path, options, cache)
    pipe = SearchPipeline(index)
    qs = queries_for(index.table.titles, n)
    pipe.run(qs[0], "hybrid")  # load the encoder once
    for mode in MODES:
        timed = [
            latency(lambda q, m=mode: pipe.run(q, m), qs, pipe.clear_cache) for _ in range(runs)
        ]
        rows.append(_median_row(name, mode, timed))
    trained_ltr(pipe)
    for label, fn in (
        ("ltr (trained LightGBM model)", lambda q: pipe.run(q, "ltr")),
        ("ltr (trained) + explain top 10", lambda q: explain_top(pipe, q)),
        ("ltr (trained), SHAP for every candidate (before)", lambda q: shap_all(pipe, q)),
    ):
        timed = [latency(fn, qs, pipe.clear_cache) for _ in range(runs)]
        rows.append(_median_row(name, label, timed))
    encoder = index.encoder
    assert isinstance(encoder, MultilingualUSE) and index.dense is not None
    enc = [latency(lambda q: encoder.encode([q]), qs) for _ in range(runs)]
    rows.append(_median_row(name, "query encoding alone (USE, 1 thread)", enc))
    ret = bm25s.BM25()
    ret.index(bm25s.tokenize(index.table.titles, show_progress=False), show_progress=False)
    peer = [
        latency(
            lambda q: ret.retrieve(
                bm25s.tokenize([q], show_progress=False), k=100, show_progress=False
            ),
            qs,
        )
        for _ in range(runs)
    ]
    rows.append(_median_row(name, "bm25s titles (peer)", peer))
    rows.append(recall_rows(name, index.dense, encoder, qs))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default=None)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/shopsense-bench-search"))
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    for name, (path, options) in catalogues(args.cache).items():
        if args.only and args.only != name:
            continue
        rows.extend(bench(name, path, options, args.queries, args.runs, args.cache))
    report(
        "search_latency",
        rows,
        [
            "catalogue",
            "mode",
            "products",
            "encoded",
            "seconds",
            "cpu_s",
            "p50_ms",
            "p99_ms",
            "cpu_ms",
            "load",
            "recall",
            "recall_tie_aware",
        ],
    )


if __name__ == "__main__":
    main()
