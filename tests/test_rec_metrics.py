"""Recommendation metrics against cases computed by hand."""

from __future__ import annotations

import math

import pytest

from shopsense.evaluation import rec_metrics as m


def test_accuracy_metrics_by_hand() -> None:
    ranked = ["a", "b", "c", "d"]
    relevant = {"b", "d", "x"}
    assert m.hit_rate(ranked, relevant, 1) == 0.0
    assert m.hit_rate(ranked, relevant, 2) == 1.0
    assert m.recall(ranked, relevant, 4) == pytest.approx(2 / 3)
    # DCG = 1/log2(3) + 1/log2(5); IDCG (3 relevant, k=4) = 1 + 1/log2(3) + 1/2
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3) + 0.5)
    assert m.ndcg(ranked, relevant, 4) == pytest.approx(expected)
    assert m.ndcg(["t"], {"t"}, 10) == 1.0
    assert m.mrr(ranked, relevant, 4) == 0.5
    assert m.mrr(ranked, relevant, 1) == 0.0
    assert m.ndcg(ranked, set(), 4) == 0.0


def test_beyond_accuracy_metrics_by_hand() -> None:
    lists = [["a", "b"], ["a", "c"]]
    assert m.coverage(lists, 10) == pytest.approx(0.3)
    # a seen by 4 of 8 users, b by 2, c by none (counts as 1): bits 1, 2, 1, 3
    assert m.novelty(lists, {"a": 4, "b": 2}, 8) == pytest.approx((1 + 2 + 1 + 3) / 4)
    assert m.gini([["a"], ["b"]], 2) == pytest.approx(0.0)
    # counts over 4 items: 0, 0, 0, 4 → maximally concentrated for n=4: 1 - 1/n
    assert m.gini([["a"]] * 4, 4) == pytest.approx(0.75)
