"""Full-pipeline latency per mode on the 22k Amazon and 44k Myntra catalogues, beside bm25s;
index-build time with embeddings (first build, then a re-open that must encode nothing);
HNSW recall@10 against exact search.

    .venv/bin/python benchmarks/search_latency.py [--queries 300]

Stores are cached under /tmp/shopsense-bench-search: the first run encodes the
catalogue once (resumable: a killed run continues where it stopped).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import bm25s

from _common import report, shared_data
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.evaluation.metrics import percentile
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.ranking.pipeline import SearchPipeline
from shopsense.retrieval.index_sync import SearchIndex
from shopsense.storage.engine import open_store

CACHE = Path("/tmp/shopsense-bench-search")
MYNTRA_MAP = ("title=productDisplayName", "category=masterCategory/subCategory/articleType")


def catalogues() -> dict[str, tuple[Path, IngestOptions]]:
    data = shared_data()
    amazon = CACHE / "walmart-amazon" / "walmart-amazon.csv"  # written by search_known_item.py
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


def latency(fn: object, queries: list[str]) -> tuple[float, float]:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return percentile(times, 50), percentile(times, 99)


def bench(name: str, path: Path, options: IngestOptions, n: int) -> list[dict[str, object]]:
    work = CACHE / name
    engine = open_store(str(work / "store.db"))
    ingest_file(engine, path, options)
    encoder = MultilingualUSE()
    t0 = time.perf_counter()
    index = SearchIndex.open(engine, work / "index", encoder)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    again = SearchIndex.open(engine, work / "index", encoder)
    reopen = time.perf_counter() - t1
    pipe = SearchPipeline(again)
    rows: list[dict[str, object]] = [
        {
            "catalogue": name,
            "mode": "index (this run)",
            "products": index.report.products,
            "encoded": index.report.encoded,
            "seconds": build,
        },
        {
            "catalogue": name,
            "mode": "index re-open",
            "products": again.report.products,
            "encoded": again.report.encoded,
            "seconds": reopen,
        },
    ]
    qs = queries_for(index.table.titles, n)
    pipe.run(qs[0], "hybrid")  # load the encoder once
    for mode in ("bm25", "dense", "hybrid", "ltr"):
        p50, p99 = latency(lambda q, m=mode: pipe.run(q, m), qs)
        rows.append({"catalogue": name, "mode": mode, "p50_ms": p50, "p99_ms": p99})
    ret = bm25s.BM25()
    ret.index(bm25s.tokenize(index.table.titles, show_progress=False), show_progress=False)
    p50, p99 = latency(
        lambda q: ret.retrieve(
            bm25s.tokenize([q], show_progress=False), k=100, show_progress=False
        ),
        qs,
    )
    rows.append({"catalogue": name, "mode": "bm25s titles (peer)", "p50_ms": p50, "p99_ms": p99})
    dense = again.dense
    assert dense is not None
    qv = encoder.encode(qs)
    recall = [
        len(set(dense.search(v, 10).keys.tolist()) & set(dense.search_exact(v, 10).keys.tolist()))
        / 10
        for v in qv
    ]
    rows.append(
        {"catalogue": name, "mode": "hnsw recall@10 vs exact", "recall": statistics.mean(recall)}
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--only", default=None)
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    for name, (path, options) in catalogues().items():
        if args.only and args.only != name:
            continue
        rows.extend(bench(name, path, options, args.queries))
    report(
        "search_latency",
        rows,
        ["catalogue", "mode", "products", "encoded", "seconds", "p50_ms", "p99_ms", "recall"],
    )


if __name__ == "__main__":
    main()
