"""Query → category intent: shopsense's model beside the TF-IDF + LR baseline, same split.

    .venv/bin/python benchmarks/intent.py bestbuy [--components tfidf,minilm_emb,use]
        [--also minilm_emb,use] [--latency-n 0] [--epochs 6]
    .venv/bin/python benchmarks/intent.py wands
    .venv/bin/python benchmarks/intent.py online_shopping_zh \
        --components nbsvm,usee5mlp,bagmlp --latency-n 0

- bestbuy_queries: 5-fold CV grouped by user; baseline TF-IDF char 2–4-grams + LR
  (``char24``: char_wb 2–4, lowercase, raw tf, one-vs-rest liblinear LR with C = 10 —
  the variant that reproduces the issue's 0.334 / 0.412).
- wands_queries: 5-fold CV; the same baseline.
- ``--also a,b``: each named component alone as an extra row (same split, same run);
  ``--variant NAME=a,b``: another ensemble as an extra row.
- ``--weight-step S``: the ensemble weights are multiples of S (default 0.25; 0.05 was
  better on online_shopping_zh's validation split, RESULTS.md issue 5 fifth session).
- Sentence vectors are remembered by text across folds (``IntentConfig.memo``), so each
  query is encoded once; then per-query latency is not meaningful (``--latency-n 0``
  skips it; benchmarks/intent_latency.py measures the search-time model). They are also
  kept between runs in /tmp/shopsense-bench/vectors (the USE pass over
  online_shopping_zh takes ~25 min of a loaded machine, the e5 pass ~2 CPU-hours).
- online_shopping_zh: 80/20 stratified split (seed 0); baseline TF-IDF over the shared
  tokenizer (jieba) + LR. ``usemlp`` is the bag MLP on the USE vectors, beside or
  instead of ``use``'s softmax head (RESULTS.md, issue 5, sixth session); ``usee5mlp`` is
  the same network on the USE and multilingual-e5 vectors side by side, the recipe's
  sentence member since the ninth session. Torch trains on one thread.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from _common import report, shared_data
from shopsense.evaluation.intent_eval import cross_validate, evaluate_split
from shopsense.evaluation.labelled_data import read_labelled
from shopsense.models.bag_mlp import BagMLPConfig
from shopsense.models.minilm_finetune import FineTuneConfig
from shopsense.query.intent import IntentConfig

CACHE = Path("/tmp/shopsense-bench/models")
VECTORS = Path("/tmp/shopsense-bench/vectors")

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


def load_vectors(memo: dict[str, dict[str, Any]], data: str) -> None:
    """Sentence vectors of earlier runs (``VECTORS/<data>-<encoder>.npz``) into ``memo``."""
    for path in sorted(VECTORS.glob(f"{data}-*.npz")):
        with np.load(path) as z:
            memo.setdefault(path.stem[len(data) + 1 :], {}).update(
                zip(z["texts"].tolist(), z["vectors"], strict=True)
            )


def save_vectors(memo: dict[str, dict[str, Any]], data: str) -> None:
    VECTORS.mkdir(parents=True, exist_ok=True)
    for encoder, by_text in memo.items():
        if by_text and encoder != "minilm-ft":  # fine-tuned graphs stay in memory
            texts = list(by_text)
            np.savez(
                VECTORS / f"{data}-{encoder}.npz",
                texts=np.asarray(texts),
                vectors=np.vstack([by_text[t] for t in texts]),
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", choices=["bestbuy", "wands", "online_shopping_zh"])
    ap.add_argument("--components", default="tfidf,minilm")
    ap.add_argument("--also", default="")
    ap.add_argument(
        "--variant", action="append", default=[], help="NAME=comp,comp: another ensemble row"
    )
    ap.add_argument("--epochs", type=int, default=5, help="MiniLM fine-tune: most epochs")
    ap.add_argument("--encoder-lr", type=float, default=FineTuneConfig().learning_rate)
    ap.add_argument("--head-lr", type=float, default=FineTuneConfig().head_learning_rate)
    ap.add_argument("--latency-n", type=int, default=200)
    ap.add_argument("--no-refit", action="store_true")
    ap.add_argument("--folds", default="", help="only these CV folds (1-based, e.g. 4,5)")
    ap.add_argument("--weight-step", type=float, default=0.25, help="ensemble weight grid step")
    args = ap.parse_args()
    memo: dict[str, dict[str, Any]] = {}
    load_vectors(memo, args.data)
    ours = IntentConfig(
        components=tuple(args.components.split(",")),
        refit=not args.no_refit,
        weight_step=args.weight_step,
        finetune=FineTuneConfig(
            epochs=args.epochs,
            learning_rate=args.encoder_lr,
            head_learning_rate=args.head_lr,
            threads=1,
        ),
        encoder_cache=CACHE,
        memo=memo,
        # torch trains on one thread: the machine is shared
        bag=BagMLPConfig(threads=1),
        vector_mlp=replace(IntentConfig().vector_mlp, threads=1),
    )
    extra = {f"only-{c}": replace(ours, components=(c,)) for c in args.also.split(",") if c}
    for spec in args.variant:
        name, _, comps = spec.partition("=")
        extra[name] = replace(ours, components=tuple(comps.split(",")))

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if args.data == "online_shopping_zh":
        texts, labels = online_shopping()
        tr, te = stratified_80_20(labels)
        configs = {
            "shopsense": ours,
            **extra,
            "tfidf-words+lr": IntentConfig(components=("words",), calibrate=False),
        }
        scores = evaluate_split(
            ([texts[i] for i in tr], [labels[i] for i in tr]),
            ([texts[i] for i in te], [labels[i] for i in te]),
            configs,
            say,
            args.latency_n,
        )
    else:
        configs = {
            "shopsense": ours,
            **extra,
            "tfidf-char+lr": IntentConfig(components=("char24",), calibrate=False),
        }
        if args.data == "bestbuy":
            d = read_labelled(
                shared_data() / "bestbuy_queries" / "train_clean.csv", "query", "category", "user"
            )
        else:
            d = read_labelled(shared_data() / "wands_queries" / "query.csv", "query", "query_class")
        only = [int(f) - 1 for f in args.folds.split(",")] if args.folds else None
        scores = cross_validate(
            d.texts, d.labels, d.groups, 5, configs, say, latency_n=args.latency_n, only=only
        )
    save_vectors(memo, args.data)
    report(f"intent-{args.data}", [{"data": args.data, **s.as_dict()} for s in scores], COLUMNS)


if __name__ == "__main__":
    main()
