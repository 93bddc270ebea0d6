"""Probability calibration by temperature scaling (Guo et al., 2017, "On Calibration of
Modern Neural Networks"): one scalar ``T`` divides the logits, fitted by minimising the
negative log-likelihood on held-out data."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]


def softmax(logits: Matrix, temperature: float = 1.0) -> Matrix:
    """Row-wise softmax of ``logits / temperature``; ``-inf`` logits get probability 0."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - np.max(z, axis=1, keepdims=True)
    e = np.exp(z)
    out: Matrix = e / e.sum(axis=1, keepdims=True)
    return out


def log_softmax(logits: Matrix) -> Matrix:
    z = np.asarray(logits, dtype=np.float64)
    z = z - np.max(z, axis=1, keepdims=True)
    out: Matrix = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return out


def nll(logits: Matrix, labels: npt.NDArray[np.int64], temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of ``labels`` under ``softmax(logits / T)``."""
    logp = log_softmax(np.asarray(logits, dtype=np.float64) / temperature)
    picked = logp[np.arange(len(labels)), labels]
    return float(-np.mean(np.maximum(picked, -50.0)))


def fit_temperature(logits: Matrix, labels: npt.NDArray[np.int64]) -> float:
    """The temperature in [0.05, 20] with the lowest held-out NLL (grid, then refined)."""
    if len(labels) == 0:
        return 1.0
    grid = np.geomspace(0.05, 20.0, 80)
    best = min(grid, key=lambda t: nll(logits, labels, float(t)))
    fine = np.geomspace(best / 1.1, best * 1.1, 21)
    return float(min(fine, key=lambda t: nll(logits, labels, float(t))))
