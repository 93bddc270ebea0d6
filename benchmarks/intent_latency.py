"""Per-query latency of the intent model used at search time, beside the TF-IDF baseline.

    .venv/bin/python benchmarks/intent_latency.py [--runs 5] [--queries 300]

Both models are trained on all bestbuy_queries; then each answers ``--queries`` of
them one at a time (``IntentModel.predict``, as ``QueryUnderstanding.parse`` calls it),
``--runs`` times. Reported: the median over runs of p50 and p99, the process CPU time,
and the load average, since the machine is shared. Run it at normal priority.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from _common import report, shared_data
from intent import CACHE
from shopsense.evaluation.labelled_data import read_labelled
from shopsense.query.intent import IntentConfig, IntentModel, train_intent

COLUMNS = ["model", "p50_ms", "p99_ms", "p50_runs", "p99_runs", "cpu_s", "load_1m"]


def _time(model: IntentModel, texts: list[str]) -> tuple[float, float]:
    model.predict(texts[0])
    took = []
    for text in texts:
        start = time.perf_counter()
        model.predict(text)
        took.append(time.perf_counter() - start)
    ms = np.asarray(took) * 1000.0
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    d = read_labelled(shared_data() / "bestbuy_queries" / "train_clean.csv", "query", "category")
    texts = list(d.texts)[: args.queries]
    models = {
        "shopsense tfidf+minilm_emb (int8 ONNX)": IntentConfig(
            components=("tfidf", "minilm_emb"), encoder_cache=CACHE
        ),
        "bagmlp alone (terms12 features, one hidden layer, numpy)": IntentConfig(
            components=("bagmlp",), calibrate=False
        ),
        "tfidf-char+lr (baseline)": IntentConfig(components=("char24",), calibrate=False),
    }
    rows = []
    for name, config in models.items():
        model = train_intent(d.texts, d.labels, config)
        cpu0 = time.process_time()
        runs = [_time(model, texts) for _ in range(args.runs)]
        cpu = time.process_time() - cpu0
        p50s, p99s = [r[0] for r in runs], [r[1] for r in runs]
        rows.append(
            {
                "model": name,
                "weights": model.weights,
                "p50_ms": round(float(np.median(p50s)), 2),
                "p99_ms": round(float(np.median(p99s)), 2),
                "p50_runs": [round(x, 2) for x in p50s],
                "p99_runs": [round(x, 2) for x in p99s],
                "cpu_s": round(cpu, 1),
                "load_1m": round(os.getloadavg()[0], 1),
            }
        )
    report("intent-latency", rows, COLUMNS)


if __name__ == "__main__":
    main()
