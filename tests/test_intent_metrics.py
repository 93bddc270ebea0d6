"""Intent metrics against cases computed by hand; calibration; grouped folds."""

from __future__ import annotations

import numpy as np
import pytest

from shopsense.evaluation.intent_eval import cross_validate, group_folds
from shopsense.evaluation.intent_metrics import (
    accuracy_at_k,
    expected_calibration_error,
    macro_f1,
    percentile_ms,
)
from shopsense.query.calibration import fit_temperature, nll, softmax
from shopsense.query.intent import IntentConfig

PROBA = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.5, 0.4, 0.1], [0.2, 0.5, 0.3]])
LABELS = np.array([0, 1, 1, -1])  # the last label was never seen in training


def test_accuracy_at_k_by_hand() -> None:
    # top-1: [0, 2, 0, 1] vs [0, 1, 1, -1] → 1 of 4
    assert accuracy_at_k(PROBA, LABELS, 1) == 0.25
    # top-2: {0,1} {2,1} {0,1} {1,2} → rows 0, 1, 2 hit → 3 of 4
    assert accuracy_at_k(PROBA, LABELS, 2) == 0.75


def test_macro_f1_by_hand() -> None:
    predicted = np.array([0, 2, 0, 1])
    # class 0: tp1 fp1 fn0 → 2/3; class 1: tp0 → 0; class 2: tp0 → 0 → mean 2/9
    assert macro_f1(predicted, LABELS) == pytest.approx(2 / 9)


def test_ece_by_hand() -> None:
    confidence = np.array([0.9, 0.9, 0.3, 0.3])
    correct = np.array([True, False, False, False])
    # bins: {0.9, 0.9} acc 0.5 → |0.5-0.9| = 0.4; {0.3, 0.3} acc 0 → 0.3; each weight 1/2
    assert expected_calibration_error(confidence, correct, bins=10) == pytest.approx(0.35)
    assert expected_calibration_error(np.array([]), np.array([], dtype=bool)) == 0.0


def test_percentiles_in_ms() -> None:
    assert percentile_ms([0.001, 0.002, 0.003], 50) == pytest.approx(2.0)


def test_temperature_scaling_fixes_overconfidence() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 400)
    logits = rng.normal(size=(400, 3))
    logits[np.arange(400), labels] += 1.0  # right 60-ish % of the time …
    logits *= 8.0  # … but nearly certain every time
    t = fit_temperature(logits, labels)
    assert t > 3.0
    assert nll(logits, labels, t) < nll(logits, labels, 1.0)
    assert softmax(logits, t).sum(axis=1) == pytest.approx(np.ones(400))


def test_group_folds_keep_each_group_in_one_fold() -> None:
    groups = ["a", "a", "b", "c", "c", "c", "d", "e"]
    folds = group_folds(groups, 3, seed=1)
    seen = np.concatenate([te for _, te in folds])
    assert sorted(seen.tolist()) == list(range(len(groups)))
    for tr, te in folds:
        assert not {groups[i] for i in tr} & {groups[i] for i in te}


def test_cross_validate_runs_only_the_folds_asked_for() -> None:
    # one benchmark can be spread over processes, fold by fold (benchmarks/intent.py --folds)
    texts = [f"{w} {i}" for i in range(6) for w in ("red shoe", "blue phone")]
    labels = [w.split()[1] for w in texts]
    config = IntentConfig(components=("char24",), calibrate=False)
    folds = group_folds([str(i) for i in range(len(texts))], 3, 0)
    [scores] = cross_validate(texts, labels, None, 3, {"lr": config}, only=[1])
    assert scores.folds == 1 and scores.n_test == len(folds[1][1])
