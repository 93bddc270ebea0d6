"""Metric code against hand-computed values; dataset readers on real ESCI and a WANDS sample."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from shopsense.evaluation.datasets import (
    SearchSet,
    read_esci,
    read_qrels,
    read_queries,
    read_wands,
)
from shopsense.evaluation.metrics import mrr_at, ndcg_at, recall_at, summarise


def test_metrics_match_a_hand_computed_case() -> None:
    judged = {"a": 3.0, "b": 2.0, "c": 1.0, "z": 0.0}
    ranked = ["x", "b", "z", "a"]
    # DCG = 2/log2(3) + 3/log2(5) = 2.5539; ideal = 3 + 2/log2(3) + 1/2 = 4.7619
    dcg = 2 / math.log2(3) + 3 / math.log2(5)
    ideal = 3 + 2 / math.log2(3) + 0.5
    assert ndcg_at(ranked, judged, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at(ranked, judged, 10) == pytest.approx(0.5363, abs=1e-4)
    assert mrr_at(ranked, judged, 10) == 0.5
    assert mrr_at(ranked, judged, 1) == 0.0
    assert recall_at(ranked, judged, 2) == pytest.approx(1 / 3)
    assert recall_at(ranked, judged, 4) == pytest.approx(2 / 3)
    s = summarise({"q1": ranked, "q2": ["c"]}, {"q1": judged, "q2": {"c": 1.0}})
    assert s["queries"] == 2
    assert s["mrr@10"] == pytest.approx((0.5 + 1.0) / 2)
    # q1's first answer is at rank 2 (1 of its 3 relevant in the top 1: none); q2's at rank 1
    assert s["recall@1"] == pytest.approx((0.0 + 1.0) / 2)


def test_esci_examples_from_the_release_parquet(shared_data: Path) -> None:
    data = read_esci(shared_data / "esci_fixture" / "test-sample.parquet")
    assert data.queries == {"535": "06 bmw 325i radio oem not navigation system"}
    grades = sorted(data.qrels["535"].values())
    assert len(grades) == 16 and grades.count(3) == 3 and grades.count(2) == 6
    assert grades.count(0) == 7


def test_trec_round_trip_and_wands_release_layout(tmp_path: Path) -> None:
    wands = tmp_path / "wands"
    wands.mkdir()
    (wands / "query.csv").write_text(
        "query_id\tquery\tquery_class\n0\tsalon chair\tMassage Chairs\n", encoding="utf-8"
    )
    (wands / "label.csv").write_text(
        "id\tquery_id\tproduct_id\tlabel\n0\t0\t25434\tExact\n1\t0\t12088\tIrrelevant\n"
        "2\t0\t42931\tPartial\n",
        encoding="utf-8",
    )
    data = read_wands(wands)
    assert data.qrels == {"0": {"25434": 2, "12088": 0, "42931": 1}}
    q, r = data.write(tmp_path / "trec")
    assert SearchSet(read_queries(q), read_qrels(r)) == data
