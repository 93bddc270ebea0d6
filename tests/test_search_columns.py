"""Search bookkeeping done on whole arrays: fusion, key → row, facet counts, the result set."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shopsense.retrieval.doctable import DocTable
from shopsense.retrieval.facets import FacetTable
from shopsense.retrieval.fusion import rrf, rrf_scores, union


def test_rrf_adds_list_by_list_in_rank_order() -> None:
    lexical, dense = np.asarray([7, 3, 9]), np.asarray([3, 5, 7])
    keys = union([lexical, dense])
    assert keys.tolist() == [7, 3, 9, 5]  # first appearance
    # 7: ranks 1 and 3, 3: 2 and 1, 9: 3, 5: 2 (k = 60)
    expected = [1 / 61 + 1 / 63, 1 / 62 + 1 / 61, 1 / 63, 1 / 62]
    assert rrf_scores(keys, [lexical, dense]).tolist() == expected
    assert rrf([lexical, dense]) == dict(zip([7, 3, 9, 5], expected, strict=True))
    assert rrf([np.asarray([4, 4])]) == {4: 1 / 61 + 1 / 62}  # a key listed twice counts twice
    assert union([]).tolist() == [] and rrf([]) == {}


def _table(brands: list[str | None], prices: list[float], attrs: list[dict[str, str]]) -> DocTable:
    n = len(brands)
    return DocTable(
        keys=np.asarray([50, 10, 40, 20, 30][:n], dtype=np.int64),
        ids=[f"p{i}" for i in range(n)],
        titles=[""] * n,
        brands=brands,
        categories=[
            ("Apparel", "Topwear"),
            ("Apparel", "Bottomwear"),
            ("Footwear",),
            (),
            ("Apparel", "Topwear"),
        ][:n],
        availability=["in_stock", "in_stock", "out_of_stock", "in_stock", "in_stock"][:n],
        attributes=attrs,
        hashes=[""] * n,
        prices=np.asarray(prices, dtype=np.float64),
        updated=np.full(n, math.nan),
        quality=np.full(n, math.nan),
        popularity=np.zeros(n),
    )


def test_rows_of_keys_and_unknown_keys() -> None:
    table = _table(["A"] * 5, [1.0] * 5, [{}] * 5)
    assert table.rows(np.asarray([20, 50, 30])).tolist() == [3, 0, 4]
    assert table.rows([]).tolist() == []
    with pytest.raises(KeyError):
        table.rows([10, 11])


def test_facets_count_every_row_once_and_skip_blank_brands_and_prices() -> None:
    table = _table(
        ["Nike", "", None, "Nike", "Puma"],
        [10.0, math.nan, 60.0, 30.0, 2000.0],
        [
            {"colour": "Red", "gender": "Men"},
            {"colour": "Blue"},
            {"colour": "Red", "gender": "Women"},
            {"gender": "Men"},
            {},
        ],
    )
    facets = FacetTable(table).counts([0, 1, 2, 3, 4, 0])  # row 0 twice: counted twice
    assert facets.brand == {"Nike": 3, "Puma": 1}
    assert facets.price == {"0-25": 2, "25-50": 1, "50-100": 1, "1000+": 1}
    assert facets.category == [
        {"Apparel": 4, "Footwear": 1},
        {"Apparel > Topwear": 3, "Apparel > Bottomwear": 1},
    ]
    assert facets.attributes == {"gender": {"Men": 3, "Women": 1}, "colour": {"Red": 3, "Blue": 1}}
    assert list(facets.attributes) == ["colour", "gender"]  # a tie keeps the order first seen
    assert facets.availability == {"in_stock": 5, "out_of_stock": 1}
    assert FacetTable(table).counts([]).brand == {}


def test_price_facets_keep_currencies_apart() -> None:
    table = _table(["A"] * 5, [10.0, 30.0, 10.0, 400.0, 20.0], [{}] * 5)
    table.currencies = ["USD", "CNY", "CNY", "USD", None]
    # prices are never converted: each bucket names its currency, CNY's before USD's,
    # and a price without a currency is not counted
    assert FacetTable(table).counts(range(5)).price == {
        "0-25 CNY": 1,
        "25-50 CNY": 1,
        "0-25 USD": 1,
        "250-500 USD": 1,
    }
    table.currencies = ["USD", "USD", "USD", None, "USD"]  # one currency: plain buckets
    assert FacetTable(table).counts(range(5)).price == {"0-25": 3, "25-50": 1, "250-500": 1}
