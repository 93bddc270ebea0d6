"""Recommenders side by side on MovieLens latest-small, Taobao and DIGINETICA, one split each.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/recs.py [--quick] [--fit-runs 3]

Leave-last-out (each user's newest item held out with all its events), full
ranking over every item, seen items excluded; the baselines of issue #6 are
reproduced in the same run on the same split. DIGINETICA: each session's last
item is predicted from the session's earlier items (HR@20 = Recall@20, MRR@20).
Loaded event files are cached under /tmp.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from _common import report, shared_data  # noqa: E402
from shopsense.evaluation.rec_runner import evaluate_model, train_interactions  # noqa: E402
from shopsense.evaluation.splits import leave_last_out  # noqa: E402
from shopsense.events.interactions import InteractionConfig  # noqa: E402
from shopsense.events.loaders import LoadedEvents, LoadOptions, load_events  # noqa: E402
from shopsense.recommend.ease import EASE  # noqa: E402
from shopsense.recommend.implicit_mf import ImplicitMF  # noqa: E402
from shopsense.recommend.item_knn import ItemKNN  # noqa: E402
from shopsense.recommend.lineup import default_model, lineup  # noqa: E402
from shopsense.recommend.popularity import Popularity  # noqa: E402
from shopsense.recommend.transitions import SessionTransitions  # noqa: E402

CACHE = Path("/tmp/shopsense-bench-recs")
COLUMNS = [
    "model",
    "users",
    "hr_at_k",
    "ndcg_at_k",
    "recall_at_20",
    "mrr_at_20",
    "short_hr_at_k",
    "coverage",
    "novelty",
    "gini",
    "fit_s",
    "p50_ms",
    "p99_ms",
    "cpu_p99_ms",
]


def cached_load(path: Path, fmt: str) -> LoadedEvents:
    CACHE.mkdir(exist_ok=True)
    target = CACHE / f"{path.stem}-{fmt}.pkl"
    if target.exists():
        loaded: LoadedEvents = pickle.loads(target.read_bytes())
        return loaded
    loaded = load_events(path, LoadOptions(format=fmt))  # type: ignore[arg-type]
    target.write_bytes(pickle.dumps(loaded))
    return loaded


def baselines(n_items: int | None) -> dict[str, Any]:
    """The issue's baselines: plain histories (no recency weighting), as they were measured."""
    models: dict[str, Any] = {
        "popularity (baseline)": lambda: Popularity(half_life_days=None),
        "item-knn (baseline)": lambda: ItemKNN(),
        "als 64f (baseline)": lambda: ImplicitMF("als", factors=64),
    }
    if n_items is not None:
        models["ease λ=200 full (baseline)"] = lambda: EASE(l2=200.0, max_items=n_items)
    return models


def run(
    name: str, loaded: LoadedEvents, models: dict[str, Any], config: InteractionConfig, k: int = 10
) -> list[dict[str, Any]]:
    split = leave_last_out(loaded.events)
    cats = {item: meta.category for item, meta in loaded.item_meta.items()}
    data = train_interactions(split, config, cats)
    rows = []
    for model_name, make in models.items():
        row = evaluate_model(model_name, make(), data, split, k).to_dict()
        row["data"] = name
        rows.append(row)
        print(
            f"# {name} {model_name}: HR@{k} {row['hr_at_k']:.4f} NDCG@{k} {row['ndcg_at_k']:.4f} "
            f"fit {row['fit_s']:.1f}s p99 {row['p99_ms']:.1f}ms",
            flush=True,
        )
    return rows


def median_fit(loaded: LoadedEvents, config: InteractionConfig, runs: int) -> dict[str, Any]:
    split = leave_last_out(loaded.events)
    cats = {item: meta.category for item, meta in loaded.item_meta.items()}
    data = train_interactions(split, config, cats)
    times = {"popularity": [], "hybrid (default)": []}
    for _ in range(runs):
        for label, make in (("popularity", Popularity), ("hybrid (default)", default_model)):
            t0 = time.perf_counter()
            make().fit(data)
            times[label].append(time.perf_counter() - t0)
    return {label: statistics.median(v) for label, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the full-catalogue EASE")
    parser.add_argument("--fit-runs", type=int, default=3)
    parser.add_argument("--only", choices=["movielens", "taobao", "diginetica"], default=None)
    args = parser.parse_args()
    data_dir = shared_data()
    rows: list[dict[str, Any]] = []
    fits: dict[str, Any] = {}
    if args.only in (None, "movielens"):
        ml = cached_load(data_dir / "movielens_latest_small/ratings.csv", "movielens")
        ml_cfg = InteractionConfig(transform="binary")
        plain = InteractionConfig(transform="binary", history_half_life=None)
        n_items = None if args.quick else len({e.item_id for e in ml.events})
        rows += run("movielens", ml, baselines(n_items), plain)
        rows += run("movielens", ml, lineup(), ml_cfg)
        fits = median_fit(ml, ml_cfg, args.fit_runs)
        print(f"# movielens median fit over {args.fit_runs} runs: {fits}", flush=True)
    if args.only in (None, "taobao"):
        tb = cached_load(data_dir / "taobao_userbehavior/UserBehavior_head_clean.csv", "taobao")
        plain = InteractionConfig(transform="binary", history_half_life=None)
        rows += run("taobao", tb, baselines(None), plain)
        rows += run("taobao", tb, lineup(), InteractionConfig())
    if args.only in (None, "diginetica"):
        dg = cached_load(data_dir / "diginetica/sample_train-item-views.csv", "diginetica")
        session_models = {
            "popularity": lambda: Popularity(half_life_days=None),
            "item-knn": lambda: ItemKNN(),
            "session-transitions": lambda: SessionTransitions(window=5, context=5, backward=0.5),
            "hybrid": default_model,
        }
        rows += run("diginetica", dg, session_models, InteractionConfig(), k=20)
    report("recs", rows, ["data", *COLUMNS])
    if args.only in (None, "movielens"):
        fit_rows = [{"model": m, "runs": args.fit_runs, "median_fit_s": t} for m, t in fits.items()]
        report("recs-movielens-fit", fit_rows, ["model", "runs", "median_fit_s"])


if __name__ == "__main__":
    main()
