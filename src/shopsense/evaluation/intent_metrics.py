"""Metrics of a query → category classifier. Pure numpy, each checked by hand in the tests.

``proba`` is ``n × classes`` (rows sum to 1); ``labels`` are class indices, ``-1`` for a
test label the model never saw (always wrong).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]


def accuracy_at_k(proba: Matrix, labels: Labels, k: int) -> float:
    """Share of rows whose true class is among the ``k`` most probable (ties by index)."""
    if len(labels) == 0:
        return 0.0
    order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    return float(np.mean([labels[i] in order[i] for i in range(len(labels))]))


def macro_f1(predicted: Labels, labels: Labels) -> float:
    """Unweighted mean F1 over the classes that occur in ``labels`` or ``predicted``."""
    classes = sorted((set(labels.tolist()) | set(predicted.tolist())) - {-1})
    scores = []
    for c in classes:
        tp = float(np.sum((predicted == c) & (labels == c)))
        fp = float(np.sum((predicted == c) & (labels != c)))
        fn = float(np.sum((predicted != c) & (labels == c)))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else 0.0


def expected_calibration_error(
    confidence: npt.NDArray[np.float64], correct: npt.NDArray[np.bool_], bins: int = 15
) -> float:
    """ECE (Naeini et al., 2015): Σ_b |B_b|/n · |acc(B_b) − conf(B_b)| over equal-width bins."""
    n = len(confidence)
    if n == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() / n * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total)


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    """The ``q``-th percentile of durations in seconds, in milliseconds."""
    return float(np.percentile(np.asarray(seconds) * 1000.0, q)) if len(seconds) else 0.0
