"""Semantic index kinds and HNSW parameters: recall@10 against exact search (plain and
tie-aware) and search latency, on the stored USE vectors of a catalogue that
``search_latency.py`` built.

    .venv/bin/python benchmarks/ann_recall.py [--catalogue myntra-44k] [--queries 300]
        [--cache /tmp/shopsense-bench-search]

Queries are the ones ``search_latency.py`` times (1–4 leading title words), encoded
once. Latency is ``VectorIndex.search(q, 10)`` and ``(q, 100)`` (the pipeline's pool).
Index parameters are chosen on other queries (2–4 consecutive words of random titles,
seed 3; RESULTS.md issue 7), never on these.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import time
from pathlib import Path

import numpy as np

from _common import report
from search_latency import latency, queries_for
from shopsense.evaluation.ann_recall import plain_recall, tie_aware_recall
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.retrieval.dense import IndexParams, VectorIndex
from shopsense.retrieval.doctable import DocTable
from shopsense.retrieval.embeddings import EmbeddingStore
from shopsense.storage.engine import open_store

CONFIGS: list[tuple[IndexParams, tuple[int, ...]]] = [
    (IndexParams(kind="scan", rerank=50), (0,)),
    (IndexParams(kind="hnsw", m=32, ef_construction=80), (128, 512)),  # main before this change
    (IndexParams(kind="hnsw", m=48, ef_construction=200), (128, 256, 512, 1024)),  # default: 1024
    (IndexParams(kind="ivf", nlist=2048), (128, 256, 384, 512)),  # nprobe; main's 384
    (IndexParams(kind="fastscan", pq_dims=4), (200, 300)),  # refine
    (IndexParams(kind="fastscan", pq_dims=2), (100, 150, 200)),  # default: 200
]


def measure(
    index: VectorIndex, queries: np.ndarray, exact: list[tuple[list[int], list[float]]]
) -> dict[str, object]:
    plain, tie = [], []
    for q, (keys, scores) in zip(queries, exact, strict=True):
        hits = index.search(q, 10)
        plain.append(plain_recall(hits.keys.tolist(), keys, 10))
        tie.append(tie_aware_recall(hits.scores.tolist(), scores, 10))
    by_row = dict(enumerate(queries))
    p50, p99, cpu = latency(lambda i: index.search(by_row[int(i)], 10), list(map(str, by_row)))
    p50_100, p99_100, _ = latency(
        lambda i: index.search(by_row[int(i)], 100), list(map(str, by_row))
    )
    return {
        "recall": statistics.mean(plain),
        "recall_tie_aware": statistics.mean(tie),
        "p50_ms": p50,
        "p99_ms": p99,
        "cpu_ms": cpu,
        "p50_ms_k100": p50_100,
        "p99_ms_k100": p99_100,
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--catalogue", default="myntra-44k")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/shopsense-bench-search"))
    args = parser.parse_args()
    engine = open_store(str(args.cache / args.catalogue / "store.db"))
    table = DocTable.load(engine)
    encoder = MultilingualUSE()
    by_id = EmbeddingStore(engine, encoder).load()
    keys = [int(k) for k in table.keys]
    matrix = np.vstack([by_id[pid] for pid in table.ids]).astype(np.float32)
    queries = encoder.encode(queries_for(table.titles, args.queries))
    reference = VectorIndex(encoder.dim)
    reference.build(keys, matrix)
    exact = []
    for q in queries:
        hits = reference.search_exact(q, 10)
        exact.append((hits.keys.tolist(), hits.scores.tolist()))
    by_row = dict(enumerate(queries))
    p50, p99, cpu = latency(
        lambda i: reference.search_exact(by_row[int(i)], 10), list(map(str, by_row))
    )
    rows: list[dict[str, object]] = [
        {
            "index": "exact numpy (reference)",
            "vectors": len(keys),
            "p50_ms": p50,
            "p99_ms": p99,
            "cpu_ms": cpu,
        }
    ]
    for params, efs in CONFIGS:
        index = VectorIndex(encoder.dim, params)
        t0 = time.perf_counter()
        index.build(keys, matrix)
        build = time.perf_counter() - t0
        for ef in efs:
            if params.kind == "hnsw":
                index.params = dataclasses.replace(params, ef_search=ef)
            if params.kind == "ivf":
                index.params = dataclasses.replace(params, nprobe=ef)
            if params.kind == "fastscan":
                index.params = dataclasses.replace(params, refine=ef)
            label = {
                "scan": f"scan rerank={params.rerank}",
                "hnsw": f"hnsw M={params.m} efC={params.ef_construction} efS={ef}",
                "ivf": f"ivf int8 nlist={params.nlist} nprobe={ef}",
                "fastscan": f"fastscan pq {params.pq_dims} dims/4 bits refine={ef}",
            }[params.kind]
            rows.append(
                {
                    "index": label,
                    "vectors": len(keys),
                    "build_s": build,
                    **measure(index, queries, exact),
                }
            )
            print(rows[-1], flush=True)
    report(
        "ann_recall",
        rows,
        [
            "index",
            "vectors",
            "build_s",
            "recall",
            "recall_tie_aware",
            "p50_ms",
            "p99_ms",
            "p50_ms_k100",
            "p99_ms_k100",
            "cpu_ms",
            "load",
        ],
    )


if __name__ == "__main__":
    main()
