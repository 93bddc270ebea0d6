"""Query → category intent: shopsense's model beside the TF-IDF + LR baseline, same split.

    .venv/bin/python benchmarks/intent.py bestbuy [--components tfidf,minilm] [--epochs 6]
    .venv/bin/python benchmarks/intent.py wands
    .venv/bin/python benchmarks/intent.py online_shopping_zh [--components tfidf]

- bestbuy_queries: 5-fold CV grouped by user; baseline TF-IDF char 2–4-grams + LR.
- wands_queries: 5-fold CV; the same baseline.
- online_shopping_zh: 80/20 stratified split (seed 0); baseline TF-IDF over the shared
  tokenizer (jieba) + LR.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile

import numpy as np

from _common import report, shared_data
from shopsense.evaluation.intent_eval import cross_validate, evaluate_split
from shopsense.evaluation.labelled_data import read_labelled
from shopsense.models.minilm_finetune import FineTuneConfig
from shopsense.query.intent import IntentConfig

COLUMNS = [
    "data",
    "model",
    "accuracy_at_1",
    "accuracy_at_3",
    "macro_f1",
    "ece",
    "abstention_rate",
    "latency_p50_ms",
    "latency_p99_ms",
    "n_test",
]


def stratified_80_20(labels: list[str], seed: int = 0) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in sorted(set(labels)):
        idx = [i for i, y in enumerate(labels) if y == label]
        rng.shuffle(idx)
        cut = int(round(0.2 * len(idx)))
        test += idx[:cut]
        train += idx[cut:]
    return sorted(train), sorted(test)


def online_shopping() -> tuple[list[str], list[str]]:
    path = shared_data() / "online_shopping_zh" / "online_shopping_10_cats.zip"
    with zipfile.ZipFile(path) as z:
        raw = z.read(z.namelist()[0]).decode("utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(raw)) if (r.get("review") or "").strip()]
    return [r["review"][:200] for r in rows], [r["cat"] for r in rows]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", choices=["bestbuy", "wands", "online_shopping_zh"])
    ap.add_argument("--components", default="tfidf,minilm")
    ap.add_argument("--epochs", type=int, default=6)
    args = ap.parse_args()
    ours = IntentConfig(
        components=tuple(args.components.split(",")),
        refit=False,
        finetune=FineTuneConfig(epochs=args.epochs, max_length=16),
    )

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if args.data == "online_shopping_zh":
        texts, labels = online_shopping()
        tr, te = stratified_80_20(labels)
        configs = {
            "shopsense": ours,
            "tfidf-words+lr": IntentConfig(components=("words",), calibrate=False),
        }
        scores = evaluate_split(
            ([texts[i] for i in tr], [labels[i] for i in tr]),
            ([texts[i] for i in te], [labels[i] for i in te]),
            configs,
            say,
        )
    else:
        configs = {
            "shopsense": ours,
            "tfidf-char+lr": IntentConfig(components=("char24",), calibrate=False),
        }
        if args.data == "bestbuy":
            d = read_labelled(
                shared_data() / "bestbuy_queries" / "train_clean.csv", "query", "category", "user"
            )
        else:
            d = read_labelled(shared_data() / "wands_queries" / "query.csv", "query", "query_class")
        scores = cross_validate(d.texts, d.labels, d.groups, 5, configs, say)
    report(f"intent-{args.data}", [{"data": args.data, **s.as_dict()} for s in scores], COLUMNS)


if __name__ == "__main__":
    main()
