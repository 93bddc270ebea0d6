"""Evaluate intent models side by side: a train/test run or K-fold (grouped) CV.

Every configuration is trained and scored on the same split in the same run, so the
shopsense ensemble and the TF-IDF baseline are compared like for like.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields

import numpy as np
import numpy.typing as npt

from shopsense.evaluation.intent_metrics import (
    accuracy_at_k,
    expected_calibration_error,
    macro_f1,
    percentile_ms,
)
from shopsense.query.intent import IntentConfig, IntentModel, train_intent
from shopsense.text.normalize import has_terms

Progress = Callable[[str], None]
Indices = npt.NDArray[np.int64]


@dataclass(frozen=True)
class IntentScores:
    model: str
    accuracy_at_1: float
    accuracy_at_3: float
    macro_f1: float
    ece: float
    abstention_rate: float
    answered_accuracy: float
    latency_p50_ms: float
    latency_p99_ms: float
    n_test: int
    folds: int = 1

    def as_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def score_model(
    name: str, model: IntentModel, texts: Sequence[str], labels: Sequence[str], latency_n: int = 200
) -> IntentScores:
    """Quality on ``texts``/``labels`` and single-query latency on up to ``latency_n`` of them."""
    index = {c: i for i, c in enumerate(model.labels)}
    y = np.asarray([index.get(c, -1) for c in labels], dtype=np.int64)
    proba = model.proba(texts)
    predicted = proba.argmax(axis=1)
    confidence = proba.max(axis=1)
    # what serving answers: sure enough, and a text with a letter or digit (IntentModel.intents)
    answered = (confidence >= model.threshold) & np.asarray([has_terms(t) for t in texts], bool)
    correct = predicted == y
    timings: list[float] = []
    if latency_n > 0:
        model.predict(texts[0])  # warm-up
    for text in texts[:latency_n]:
        start = time.perf_counter()
        model.predict(text)
        timings.append(time.perf_counter() - start)
    return IntentScores(
        model=name,
        accuracy_at_1=accuracy_at_k(proba, y, 1),
        accuracy_at_3=accuracy_at_k(proba, y, 3),
        macro_f1=macro_f1(predicted.astype(np.int64), y),
        ece=expected_calibration_error(confidence, correct),
        abstention_rate=float(1.0 - answered.mean()),
        answered_accuracy=float(correct[answered].mean()) if answered.any() else 0.0,
        latency_p50_ms=percentile_ms(timings, 50),
        latency_p99_ms=percentile_ms(timings, 99),
        n_test=len(texts),
    )


def evaluate_split(
    train: tuple[Sequence[str], Sequence[str]],
    test: tuple[Sequence[str], Sequence[str]],
    configs: Mapping[str, IntentConfig],
    progress: Progress | None = None,
    latency_n: int = 200,
) -> list[IntentScores]:
    out = []
    for name, config in configs.items():
        model = train_intent(train[0], train[1], config, progress)
        out.append(score_model(name, model, test[0], test[1], latency_n))
    return out


def group_folds(groups: Sequence[str], k: int, seed: int = 0) -> list[tuple[Indices, Indices]]:
    """K folds with no group in two folds: groups shuffled by ``seed``, then each
    assigned to the currently smallest fold, largest groups first."""
    rng = np.random.default_rng(seed)
    names = sorted(set(groups))
    rng.shuffle(names)
    sizes: dict[str, int] = {}
    for g in groups:
        sizes[g] = sizes.get(g, 0) + 1
    load = [0] * k
    fold_of: dict[str, int] = {}
    for g in sorted(names, key=lambda g: -sizes[g]):  # stable: ties keep the shuffle
        f = int(np.argmin(load))
        fold_of[g] = f
        load[f] += sizes[g]
    which = np.asarray([fold_of[g] for g in groups])
    all_idx = np.arange(len(groups))
    return [(all_idx[which != f], all_idx[which == f]) for f in range(k)]


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[str] | None,
    k: int,
    configs: Mapping[str, IntentConfig],
    progress: Progress | None = None,
    seed: int = 0,
    latency_n: int = 200,
    only: Sequence[int] | None = None,
) -> list[IntentScores]:
    """Mean scores over ``k`` folds (grouped when ``groups`` is given, else one row = one group);
    ``only``: just these folds (0-based), e.g. to spread one CV over processes."""
    folds = group_folds(
        groups if groups is not None else [str(i) for i in range(len(texts))], k, seed
    )
    per_model: dict[str, list[IntentScores]] = {name: [] for name in configs}
    for f, (tr, te) in enumerate(folds):
        if only is not None and f not in only:
            continue
        if progress:
            progress(f"fold {f + 1}/{k}: train {len(tr)}, test {len(te)}")
        scores = evaluate_split(
            ([texts[i] for i in tr], [labels[i] for i in tr]),
            ([texts[i] for i in te], [labels[i] for i in te]),
            configs,
            progress,
            latency_n,
        )
        for s in scores:
            per_model[s.model].append(s)
            if progress:
                progress(
                    f"fold {f + 1} {s.model}: acc@1 {s.accuracy_at_1:.3f} "
                    f"acc@3 {s.accuracy_at_3:.3f} p99 {s.latency_p99_ms:.1f} ms"
                )
    return [_mean(name, runs) for name, runs in per_model.items()]


def _mean(name: str, runs: list[IntentScores]) -> IntentScores:
    values: dict[str, float | int | str] = {"model": name, "folds": len(runs)}
    for f in fields(IntentScores):
        if f.name in ("model", "folds"):
            continue
        column = [getattr(r, f.name) for r in runs]
        values[f.name] = int(sum(column)) if f.name == "n_test" else float(np.mean(column))
    return IntentScores(**values)  # type: ignore[arg-type]
