"""Price constraints in English and Chinese queries: ``under 50``, ``100-200元``, ``500以下``.

A number becomes a price only next to a price word (under, between, 以下, 不超过, …) or
a currency mark ($, 元, 块, rmb, …), and never when a unit follows it (``under 50 inch``,
``max 256gb``), so ``iphone 15`` and ``under armour`` yield no price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"(?:[$¥€£]\s*)?(\d++(?:[.,]\d++)?)(?:\s*(k|千|万)(?![a-z]))?"
_CUR = r"(?:\s*(?:元|块钱|块|rmb|usd|dollars?|bucks|yuan|euros?|¥|\$))?"
_NOT_UNIT = (
    r"(?!\s*(?:inch|in\b|\"|''|gb|tb|mb|mm|cm|m\b|kg|g\b|lbs?\b|w\b|mah|hz|ml|l\b|寸|英寸|克|"
    r"毫升|升|瓦|核|码|号|岁|cm|个月|年|天|pcs|pack|ft|feet|piece|oz|pro\b|max\b|plus\b|mini\b))"
)
_MONEY = _NUM + _CUR + _NOT_UNIT

_UPPER_EN = (
    r"\b(?:under|below|less\s+than|cheaper\s+than|up\s*to|max(?:imum)?|at\s+most|"
    r"no\s+more\s+than|within|<=?)\s*"
)
_LOWER_EN = r"\b(?:over|above|more\s+than|at\s+least|min(?:imum)?|starting\s+at|>=?)\s*"
_UPPER_ZH = r"(?:不超过|不高于|低于|小于|少于|不到|最多|预算)\s*"
_LOWER_ZH = r"(?:高于|大于|超过|不低于|至少)\s*"
_DASH = r"\s*(?:-|–|~|〜|到|至|to)\s*"

_PATTERNS: tuple[tuple[str, re.Pattern[str], float], ...] = (
    ("range", re.compile(r"\bbetween\s+" + _NUM + r"\s+(?:and|to|-)\s+" + _MONEY), 0.95),
    ("range", re.compile(_NUM + _CUR + _DASH + _NUM + _CUR + r"(?:\s*之间)?" + _NOT_UNIT), 0.9),
    ("high", re.compile(_UPPER_EN + _MONEY), 0.95),
    ("low", re.compile(_LOWER_EN + _MONEY), 0.9),
    ("high", re.compile(_UPPER_ZH + _MONEY), 0.95),
    ("low", re.compile(_LOWER_ZH + _MONEY), 0.9),
    ("high", re.compile(_NUM + _CUR + r"\s*(?:以下|以内|之内|内)"), 0.9),
    ("low", re.compile(_NUM + _CUR + r"\s*(?:以上|起)"), 0.85),
)
_BARE_RANGE_CONFIDENCE = 0.6
_CURRENCY_MARK = re.compile(r"[$¥€£]|元|块|rmb|usd|dollar|bucks|yuan|euro|之间")


@dataclass(frozen=True)
class PriceMatch:
    """A price constraint found in normalised text at ``[start, end)``."""

    start: int
    end: int
    low: float | None
    high: float | None
    confidence: float


def _amount(number: str, multiplier: str | None) -> float:
    value = (
        float(number.replace(",", ""))
        if "," in number and "." not in number
        else float(number.replace(",", "."))
    )
    return value * {"k": 1e3, "千": 1e3, "万": 1e4}.get(multiplier or "", 1.0)


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in taken)


def find_prices(text: str, taken: list[tuple[int, int]] | None = None) -> list[PriceMatch]:
    """Price constraints in normalised ``text``, skipping ranges already ``taken``."""
    taken = list(taken or [])
    found: list[PriceMatch] = []
    for kind, pattern, confidence in _PATTERNS:
        for m in pattern.finditer(text):
            if _overlaps(m.start(), m.end(), taken):
                continue
            groups, conf = m.groups(), confidence
            first = _amount(groups[0], groups[1])
            if kind == "range":
                second = _amount(groups[2], groups[3])
                if pattern is _PATTERNS[1][1] and not _CURRENCY_MARK.search(m.group(0)):
                    # a bare "100-200" may be a model number: a soft guess at most
                    if min(first, second) < 10:
                        continue
                    conf = _BARE_RANGE_CONFIDENCE
                low, high = min(first, second), max(first, second)
            elif kind == "high":
                low, high = None, first
            else:
                low, high = first, None
            taken.append((m.start(), m.end()))
            found.append(PriceMatch(m.start(), m.end(), low, high, conf))
    return sorted(found, key=lambda p: p.start)
