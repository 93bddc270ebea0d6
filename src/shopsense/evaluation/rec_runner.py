"""Run several recommenders on one split and report accuracy, beyond-accuracy and speed rows."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shopsense.core.errors import InputError
from shopsense.evaluation import rec_metrics as m
from shopsense.evaluation.splits import Protocol, Split, split_events
from shopsense.events.interactions import (
    InteractionConfig,
    Interactions,
    build_interactions,
    history_of,
)
from shopsense.events.loaders import LoadOptions, load_events
from shopsense.recommend.base import Recommender
from shopsense.recommend.lineup import lineup

SHORT_HISTORY = 2  # short_hr_at_k: every test user again, seen through only 2 events


@dataclass(frozen=True)
class RecRow:
    model: str
    users: int
    hr_at_k: float
    ndcg_at_k: float
    recall_at_20: float
    mrr_at_20: float
    short_hr_at_k: float
    coverage: float
    novelty: float
    gini: float
    fit_s: float
    p50_ms: float
    p99_ms: float
    cpu_p99_ms: float  # CPU time of the request thread: what the wall p99 is on an idle core

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def train_interactions(
    split: Split, config: InteractionConfig, item_category: Mapping[str, str | None] | None = None
) -> Interactions:
    return build_interactions(split.train, config, items=split.items, item_category=item_category)


def evaluate_model(
    name: str, model: Recommender, data: Interactions, split: Split, k: int = 10
) -> RecRow:
    """Fit ``model`` on ``data`` (the split's training side) and score every test user."""
    started = time.perf_counter()
    model.fit(data)
    fit_s = time.perf_counter() - started
    depth = max(k, 20)
    users_per_item: dict[Hashable, int] = dict(
        enumerate(np.diff(data.matrix.tocsc().indptr).tolist())
    )
    acc: dict[str, list[float]] = {"hr": [], "ndcg": [], "r20": [], "mrr": [], "short": []}
    lists: list[list[int]] = []
    latencies: list[float] = []
    cpu: list[float] = []
    for user_id, targets in split.test.items():
        u = data.user_index.get(user_id)
        if u is None:
            continue
        t0, c0 = time.perf_counter(), time.thread_time()
        ranked = model.recommend(u, depth).items.tolist()
        latencies.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.thread_time() - c0) * 1000.0)
        relevant = {data.item_index[t] for t in targets if t in data.item_index}
        lists.append(ranked[:k])
        acc["hr"].append(m.hit_rate(ranked, relevant, k))
        acc["ndcg"].append(m.ndcg(ranked, relevant, k))
        acc["r20"].append(m.recall(ranked, relevant, 20))
        acc["mrr"].append(m.mrr(ranked, relevant, 20))
        s = data.events_of(u)
        short = history_of(
            data.ev_item[s][-SHORT_HISTORY:],
            data.ev_weight[s][-SHORT_HISTORY:],
            data.config.history_half_life,
        )
        cold = model.recommend_history(short, k, exclude=short.items).items.tolist()
        acc["short"].append(m.hit_rate(cold, relevant, k))
    mean = {key: float(np.mean(v)) if v else 0.0 for key, v in acc.items()}
    lat = np.array(latencies) if latencies else np.zeros(1)
    return RecRow(
        model=name,
        users=len(lists),
        hr_at_k=mean["hr"],
        ndcg_at_k=mean["ndcg"],
        recall_at_20=mean["r20"],
        mrr_at_20=mean["mrr"],
        short_hr_at_k=mean["short"],
        coverage=m.coverage(lists, data.n_items),
        novelty=m.novelty(lists, users_per_item, data.n_users),
        gini=m.gini(lists, data.n_items),
        fit_s=fit_s,
        p50_ms=float(np.percentile(lat, 50)),
        p99_ms=float(np.percentile(lat, 99)),
        cpu_p99_ms=float(np.percentile(cpu, 99)) if cpu else 0.0,
    )


def evaluate_recommenders(
    models: Mapping[str, Callable[[], Recommender]],
    split: Split,
    config: InteractionConfig,
    *,
    k: int = 10,
    item_category: Mapping[str, str | None] | None = None,
) -> list[RecRow]:
    """One row per model, all fitted and scored on the same split."""
    data = train_interactions(split, config, item_category)
    return [evaluate_model(name, make(), data, split, k) for name, make in models.items()]


@dataclass(frozen=True)
class RecEvaluation:
    file: str
    format: str
    protocol: str
    k: int
    rows_read: int
    rejected: int
    users: int
    items: int
    test_users: int
    rows: list[RecRow]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rows"] = [r.to_dict() for r in self.rows]
        return out


def evaluate_file(
    path: Path,
    options: LoadOptions,
    protocol: Protocol,
    *,
    k: int = 10,
    models: Sequence[str] = (),
    ease_items: int = 4000,
    config: InteractionConfig | None = None,
) -> RecEvaluation:
    """Load an event file, split it once, and evaluate the line-up (or ``models``) on it."""
    loaded = load_events(path, options)
    if not loaded.events:
        raise InputError(f"{path.name}: no valid events ({loaded.reasons()})")
    split = split_events(loaded.events, protocol)
    available = lineup(ease_items=ease_items)
    unknown = [m for m in models if m not in available]
    if unknown:
        raise InputError(f"unknown model(s) {unknown}: choose from {', '.join(available)}")
    chosen = {name: available[name] for name in (models or available)}
    categories = {item: meta.category for item, meta in loaded.item_meta.items()}
    rows = evaluate_recommenders(
        chosen, split, config or InteractionConfig(), k=k, item_category=categories
    )
    return RecEvaluation(
        str(path),
        options.format,
        protocol,
        k,
        loaded.rows_read,
        len(loaded.rejected),
        len({e.user_id for e in loaded.events}),
        len(split.items),
        len(split.test),
        rows,
    )
