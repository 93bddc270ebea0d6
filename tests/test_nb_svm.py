"""NB-SVM: naive-Bayes log-count ratios by hand and the one-vs-rest head on a separable
bag (the ``nbsvm`` intent component is in tests/test_intent_features.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from shopsense.core.errors import InputError
from shopsense.models.linear import LinearHead, NBLinearHead, nb_ratios


def test_log_count_ratios_by_hand() -> None:
    # feature 0 in both positive rows, feature 1 in the one negative row, feature 2 everywhere
    x = csr_matrix(np.asarray([[1, 0, 2], [3, 0, 1], [0, 1, 1]], dtype=np.float64))
    r = nb_ratios(x, np.asarray([True, True, False]), alpha=1.0)
    # positive presence counts + 1: (3, 1, 3), sum 7; negative: (1, 2, 2), sum 5
    expected = [
        math.log((3 / 7) / (1 / 5)),
        math.log((1 / 7) / (2 / 5)),
        math.log((3 / 7) / (2 / 5)),
    ]
    assert np.allclose(r, expected)
    assert r[0] > r[2] > 0 > r[1]  # the positive feature weighs most, the negative one below 0


def test_learns_a_separable_bag_and_checks_its_input() -> None:
    # row i has feature (i mod 3) plus a shared noise feature 3: the label is i mod 3
    rows = [[1.0 if j == i % 3 else 0.0 for j in range(3)] + [0.5] for i in range(30)]
    x = csr_matrix(np.asarray(rows))
    y = np.arange(30, dtype=np.int64) % 3
    head = NBLinearHead(c=1.0).fit(x, y, 4)  # class 3 never seen
    logits = head.logits(x)
    assert logits.shape == (30, 4) and logits.dtype == np.float64
    assert (logits[:, :3].argmax(axis=1) == y).all() and np.isneginf(logits[:, 3]).all()
    # the shared feature carries no class information: its NB ratio is near 0 (≈ -0.04), so
    # it weighs little against the class features
    assert np.abs(head.coef[3]).max() < 0.05 * np.abs(head.coef[:3]).max()
    with pytest.raises(InputError, match="trained on 4 features"):
        head.logits(csr_matrix(np.ones((1, 5))))
    with pytest.raises(InputError, match="two distinct labels"):
        NBLinearHead().fit(x, np.zeros(30, dtype=np.int64), 3)


def test_softmax_head_coefficients_reproduce_its_logits() -> None:
    # the fine-tuned MiniLM starts its head from these (models.minilm_finetune)
    rng = np.random.default_rng(0)
    y = np.arange(30, dtype=np.int64) % 3
    x = np.eye(3)[y] + 0.1 * rng.standard_normal((30, 3))
    head = LinearHead("softmax", 10.0).fit(x, y, 4)  # class 3 never seen
    weight, bias = head.coefficients()
    assert weight.shape == (4, 3) and not weight[3].any()
    assert np.allclose((x @ weight.T + bias)[:, :3], head.logits(x)[:, :3])
    assert bias[3] == bias[:3].min() - 10.0
    with pytest.raises(InputError):
        LinearHead("svm").fit(x, y, 4).coefficients()  # not a softmax head
