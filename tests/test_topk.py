import numpy as np

from shopsense.core.topk import top_k


def test_top_k_orders_best_first_and_breaks_ties_by_index() -> None:
    result = top_k([0.1, 0.9, 0.5, 0.9, -1.0], 3)
    assert result.indices.tolist() == [1, 3, 2]
    assert result.scores.tolist() == [0.9, 0.9, 0.5]


def test_top_k_never_returns_masked_items() -> None:
    scores = np.array([1.0, -np.inf, 3.0, np.nan])
    result = top_k(scores, 10)
    assert result.indices.tolist() == [2, 0]


def test_top_k_of_nothing() -> None:
    assert top_k([], 5).indices.size == 0
    assert top_k([1.0, 2.0], 0).indices.size == 0
