from datetime import UTC, datetime

import pytest

from shopsense.catalog.schema import Availability
from shopsense.catalog.values import (
    ValueProblem,
    parse_availability,
    parse_price,
    parse_stock,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("12", 12.0, None),
        ("$1,299.00", 1299.0, "USD"),
        ("1.299,50 €", 1299.5, "EUR"),
        ("¥ 25", 25.0, "CNY"),
        ("199元", 199.0, "CNY"),
        ("Rs. 4,299", 4299.0, "INR"),
        ("12,5", 12.5, None),
        ("1.299.000", 1299000.0, None),
        (42, 42.0, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_parse_price(text: object, amount: float | None, currency: str | None) -> None:
    assert parse_price(text) == (amount, currency)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("abc", "invalid_price"),
        ("-5", "negative_price"),
        ("$-1.00", "negative_price"),
        ("nan", "invalid_price"),
        (True, "invalid_price"),
    ],
)
def test_parse_price_rejects(text: object, code: str) -> None:
    with pytest.raises(ValueProblem) as err:
        parse_price(text)
    assert err.value.code == code


def test_availability_spellings() -> None:
    assert parse_availability("In Stock") is Availability.IN_STOCK
    assert parse_availability("缺货") is Availability.OUT_OF_STOCK
    assert parse_availability("pre-order") is Availability.PREORDER
    assert parse_availability("") is Availability.UNKNOWN
    assert parse_availability("maybe") is None


def test_stock_and_timestamps() -> None:
    assert parse_stock("1,200") == 1200
    with pytest.raises(ValueProblem):
        parse_stock("2.5")
    assert parse_timestamp("2026-11-01T10:00:00Z") == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert parse_timestamp("1511544070") == datetime.fromtimestamp(1511544070, tz=UTC)
    assert parse_timestamp("2026-11-01").tzinfo is UTC  # type: ignore[union-attr]
    with pytest.raises(ValueProblem):
        parse_timestamp("yesterday")
