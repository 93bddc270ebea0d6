"""Pure parsers for the values catalogue files carry as text: prices, stock, timestamps."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

from shopsense.catalog.schema import Availability


class ValueProblem(ValueError):
    """A value that cannot be parsed; ``code`` is the quarantine reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ParsedPrice(NamedTuple):
    amount: float | None
    currency: str | None


_CURRENCY_SIGNS = {
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "CNY",
    "￥": "CNY",
    "元": "CNY",
    "RMB": "CNY",
    "₹": "INR",
    "Rs.": "INR",
    "Rs": "INR",
    "INR": "INR",
    "USD": "USD",
    "EUR": "EUR",
    "GBP": "GBP",
    "CNY": "CNY",
}
_SIGN_RE = re.compile(
    "|".join(re.escape(s) for s in sorted(_CURRENCY_SIGNS, key=len, reverse=True))
)
_NUMBER_RE = re.compile(r"^[+-]?[0-9][0-9.,' ]*$|^[+-]?\.[0-9]+$")


#: currency names a catalogue column may hold besides the signs and codes above
_CURRENCY_NAMES = {"人民币": "CNY", "美元": "USD", "欧元": "EUR", "英镑": "GBP", "日元": "JPY"}


def currency_code(value: str | None) -> str | None:
    """The ISO code of a currency as a catalogue or a filter writes it: ``"rmb"``, ``"¥"``,
    ``"人民币"`` → ``CNY``; another code is upper-cased (``"jpy"`` → ``JPY``); blank → None."""
    text = (value or "").strip()
    if not text:
        return None
    upper = text.upper()
    for table in (_CURRENCY_SIGNS, _CURRENCY_NAMES):
        for sign, code in table.items():
            if sign.upper() == upper:
                return code
    return upper


def is_blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def parse_price(value: Any) -> ParsedPrice:
    """Parse ``"$1,299.00"``, ``"1.299,00 €"``, ``"¥ 25"``, ``12`` → amount and currency.

    Blank → (None, None). Raises :class:`ValueProblem` with code ``invalid_price``
    or ``negative_price``.
    """
    if is_blank(value):
        return ParsedPrice(None, None)
    if isinstance(value, bool):
        raise ValueProblem("invalid_price", f"price {value!r} is not a number")
    if isinstance(value, int | float):
        amount = float(value)
        currency = None
    else:
        text = str(value).strip()
        currency = None
        match = _SIGN_RE.search(text)
        if match:
            currency = _CURRENCY_SIGNS[match.group(0)]
            text = (text[: match.start()] + text[match.end() :]).strip()
        text = text.replace("\u00a0", "").replace(" ", "")
        if not _NUMBER_RE.match(text):
            raise ValueProblem("invalid_price", f"price {value!r} is not a number")
        amount = _parse_number(text, value)
    if not math.isfinite(amount):
        raise ValueProblem("invalid_price", f"price {value!r} is not finite")
    if amount < 0:
        raise ValueProblem("negative_price", f"price {value!r} is negative")
    return ParsedPrice(amount, currency)


def _parse_number(text: str, original: Any) -> float:
    text = text.replace("'", "")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):  # 1.299,00
            text = text.replace(".", "").replace(",", ".")
        else:  # 1,299.00
            text = text.replace(",", "")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        # "1,299" is a thousands separator; "12,5" is a decimal comma
        text = (
            text.replace(",", "") if len(tail) == 3 and head else head.replace(",", "") + "." + tail
        )
    elif text.count(".") > 1:  # 1.299.000
        text = text.replace(".", "")
    try:
        return float(text)
    except ValueError as exc:
        raise ValueProblem("invalid_price", f"price {original!r} is not a number") from exc


_IN = {"in_stock", "in stock", "instock", "available", "yes", "y", "true", "1", "有货"}
_OUT = {
    "out_of_stock",
    "out of stock",
    "outofstock",
    "sold out",
    "unavailable",
    "no",
    "n",
    "false",
    "0",
    "缺货",
    "无货",
}
_PRE = {"preorder", "pre-order", "pre_order", "backorder", "预售"}


def parse_availability(value: Any) -> Availability | None:
    """Map common spellings to :class:`Availability`; None when not recognised."""
    if is_blank(value):
        return Availability.UNKNOWN
    if isinstance(value, bool):
        return Availability.IN_STOCK if value else Availability.OUT_OF_STOCK
    text = str(value).strip().lower()
    if text in _IN:
        return Availability.IN_STOCK
    if text in _OUT:
        return Availability.OUT_OF_STOCK
    if text in _PRE:
        return Availability.PREORDER
    return None


def parse_stock(value: Any) -> int | None:
    if is_blank(value):
        return None
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError as exc:
        raise ValueProblem("invalid_type", f"stock {value!r} is not a whole number") from exc
    if not number.is_integer():
        raise ValueProblem("invalid_type", f"stock {value!r} is not a whole number")
    if number < 0:
        raise ValueProblem("out_of_range", f"stock {value!r} is negative")
    return int(number)


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601 text, a datetime, or Unix seconds/milliseconds → aware UTC datetime."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
            seconds = float(text)
            if seconds > 1e11:
                seconds /= 1000.0
            return datetime.fromtimestamp(seconds, tz=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError) as exc:
        raise ValueProblem("invalid_timestamp", f"timestamp {value!r} is not ISO 8601") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
