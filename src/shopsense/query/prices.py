"""Price constraints in English and Chinese queries: ``under 50``, ``100-200元``, ``500以下``.

A number becomes a price only next to a price word (under, between, 以下, 不超过, …) or
a currency mark ($, 元, 块, rmb, …), and never when a unit follows it (``under 50 inch``,
``max 256gb``), so ``iphone 15`` and ``under armour`` yield no price.

A negated comparative keeps its direction (``不低于100`` is at least 100, not below it), a
bound may follow its number (``$50 or less``, ``50 and up``, ``$50+``) or be a sign
(``<100``, ``≥ 200``), and an approximate price (``200元左右``, ``around $50``) becomes
the range within ``APPROXIMATE`` of it. Chinese numerals count as said (``两千元以下``,
``一千五以内``). An amount with a currency and no price word (``jeans 50 bucks``,
``98元的飞机``) may be a face value (``话费50元``, a 10元 note), so it is a guess
(``PRICE_GUESS``): the same range around it, which search ranks by and does not filter on;
so is an approximate number without a currency (``around 400``, ``2000左右``).

Real Taobao queries glue numbers to words that are not prices: ``y510内存`` (memory),
``6388起动机`` (starter motor), ``max232`` (a chip), ``tg90-14122dxg``. So 内 and 起 count
only where a word ends (``300元内的耳机`` is fine), ``max``/``min`` only with a currency
mark, and a bare range only standing alone, low before high, and not a span of years
(``benchmarks/price_parse.py``: 65 → 15 prices applied in 100k queries; of the 50
dropped, 49 were misreadings). A measurement word just before the number (``宽40以内``, a
width; ``height under 30``) makes it no price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# digits are ASCII only (NFKC has already folded full-width ones): other scripts' digits
# would defeat the lookbehinds below and cost quadratic time. Chinese numerals (两千,
# 一千五, 三百) are a whole run of them, taken possessively from its start, so that a long
# run costs linear time; a run without a place word (十百千万) is no amount (``_amount``).
_CN_DIGITS = "零一二两三四五六七八九"
_CN_RUN = r"(?<![" + _CN_DIGITS + r"十百千万])[" + _CN_DIGITS + r"十百千万]++"
_DIGITS = r"([0-9]{1,3}(?:,[0-9]{3})++(?:\.[0-9]++)?|[0-9]++(?:[.,][0-9]++)?|" + _CN_RUN + ")"
# never the mantissa of ``1e3``: a number in scientific notation is no price
_NUM = r"(?:[$¥€£]\s*)?" + _DIGITS + r"(?![eE][+-]?[0-9])(?:\s*(k|百|千|万)(?![a-z]))?"
# a Latin currency word ends where a word ends: ``50 usda`` is no price in dollars; 元 is
# no currency in 元旦 (New Year's Day), 元宵, 元素, 元器件, nor 块 in 5块装 (a five-pack); a
# sign after a number is another price's (``iphone 16 $799``: 16 is the model)
_CUR = (
    r"(?:\s*(?:元(?![旦宵素器件])|块钱|块(?!装)|(?:rmb|usd|dollars?|bucks|yuan|euros?)(?![a-z])"
    r"|[¥$](?!\s*[0-9])))?"
)
_UNITS = (
    r"inch(?:es)?|in|\"|''|gb|tb|mb|mm|cm|m|kg|g|lbs?|w|v|mah|hz|ml|l|pcs|packs?|ft|feet|"
    r"pieces?|oz|dpi|liters?|litres?|watts?|lumens?|pounds?|gallons?|meters?|metres?|"
    r"grams?|kilos?|stars?|pages?|pairs?|sheets?|rolls?|counts?|ct|"
    r"%|％|percent|hours?|hrs?|days?|weeks?|months?|years?|mins?|minutes?|seconds?|people|"
    r"persons?|x|pro|plus|mini|寸|英寸|克|毫升|升|瓦|核|码|号|岁|个月|年|天|小时|分钟|"
    r"厘米|毫米|公分|米|斤|公斤|千克|度|伏|安|匹|层|人|件|只|个|张|包"
)
# a unit after the number: ``under 50 inch``, ``低于5g的手机``, ``up to 70% off``
_NOT_UNIT = r"(?!\s*(?:" + _UNITS + r")(?![a-z]))"
_NOT_UNIT_OR_MAX = _NOT_UNIT.replace(_UNITS, _UNITS + "|max")
_MONEY = _NUM + _CUR + _NOT_UNIT_OR_MAX

# "no less than", "not under": a negated comparative flips, in English as in Chinese
_NOT_EN = r"(?<!\bno )(?<!\bnot )"
_UPPER_EN = (
    r"(?:" + _NOT_EN + r"\b(?:under|below|less\s+than|cheaper\s+than|lower\s+than)\s*"
    r"|\b(?:up\s*to|at\s+most|within)\s*"
    r"|\bno(?:t)?\s+(?:more\s+than|over|above|higher\s+than)\s*|(?:<=?|≤)\s*)"
)
_LOWER_EN = (
    r"(?:" + _NOT_EN + r"\b(?:over|above|more\s+than|higher\s+than)\s*"
    r"|\b(?:at\s+least|starting\s+at)\s*"
    r"|\bno(?:t)?\s+(?:less\s+than|under|below|lower\s+than|cheaper\s+than)\s*|(?:>=?|≥)\s*)"
)
# ``max`` / ``min`` with a bare number name a chip or a model (max232, pro max 128): only
# with a currency mark
_MAX_EN = r"\bmax(?:imum)?\s*"
_MIN_EN = r"\bmin(?:imum)?\s*"
_AFTER_UPPER_EN = r"\s*(?:(?:or|and)\s+(?:less|under|below|lower|cheaper)\b|max\b)"
_AFTER_LOWER_EN = r"\s*(?:or|and)\s+(?:more|up|over|above|higher)\b"
# a negated comparative flips: 不低于 / 不要低于 (not below) is a lower bound, 不超过 an upper
_NEG_ZH = r"(?:不|别|没)(?:要|能|得|可|会|应)?"
_NOT_NEG_ZH = r"(?<!不)(?<!别)(?<!没)(?<![不别没][要能得可会应])"
_UPPER_ZH = (
    r"(?:" + _NEG_ZH + r"(?:超过|高于|大于|多于)|" + _NOT_NEG_ZH + r"(?:低于|小于|少于)"
    r"|不到|最多|至多)\s*"
)
_LOWER_ZH = (
    r"(?:" + _NEG_ZH + r"(?:低于|少于|小于)|" + _NOT_NEG_ZH + r"(?:高于|大于|超过|多于)"
    r"|至少|最少)\s*"
)
_BUDGET = r"(?:预算|价格|价位|budget\s*(?:of\s*)?)\s*"
# a number standing alone, not the end of a model name (``s21+``, ``ps4 or more``)
_ALONE = r"(?<![a-z0-9.\-])(?<![0-9],)"
# nor the middle of one (``tg90-14122dxg``, ``175-70-14``, ``19-21款``); ``100-200元.`` ends
_NOT_CODE = r"(?![0-9a-z\-款]|[./][0-9])"
# 内 ("within") and 起 ("from") only where a word ends: never 内存 (memory), 内衣, 起动机
# (starter motor); ``300元内的耳机``, ``2000起的手机`` are fine
_ENDS = r"(?=的|[^\u4e00-\u9fff]|$)"
# ``20以内加减法``: sums within twenty, a child's workbook, not a price
_NOT_SUMS = r"(?!的?(?:加|减|乘|除|口算|数))"
_APPROX_EN = r"\b(?:around|about|approx(?:imately|\.)?|roughly|circa)\s+"
#: An approximate price (``200元左右``, ``around $50``) is this share either side of it.
APPROXIMATE = 0.2
#: The confidence of a guess about the price: an amount with a currency and no price word
#: (``50 bucks``, ``98元的``), or an approximate one without a currency (``around 400``,
#: ``2000左右``). Below the search's filter threshold (0.8), so it ranks products near it
#: first and hides none; a bare range (``70-200``, mostly lenses and tyres) stays below it.
PRICE_GUESS = 0.7
_DASH = r"\s*(?:-|–|~|〜|到|至|to)\s*"
_RANGE = _NUM + _CUR + _DASH + _NUM + _CUR + r"(?:\s*之间)?" + _NOT_UNIT + _NOT_CODE

#: How much a match needs beside its number to count as a price: ``word`` — its price word
#: is enough; ``number`` — the number comes first with nothing but itself to say it is a
#: price (``100-200``, ``100 or less``, ``2000左右``), so without a currency mark it is a
#: soft guess at most and no guess below 10 (``ages 3 and up``, ``2 or more``); ``mark`` —
#: nothing without a currency mark (``about 3 hours``, ``max 128``).
Needs = Literal["word", "number", "mark"]
_PATTERNS: tuple[tuple[str, re.Pattern[str], float, Needs], ...] = (
    ("range", re.compile(r"\bbetween\s+" + _NUM + r"\s+(?:and|to|-)\s+" + _MONEY), 0.95, "word"),
    ("range", re.compile(_BUDGET + _RANGE), 0.9, "word"),
    ("range", re.compile(_ALONE + _RANGE), 0.9, "number"),
    ("high", re.compile(_UPPER_EN + _MONEY), 0.95, "word"),
    ("high", re.compile(_MAX_EN + _MONEY), 0.95, "mark"),
    ("high", re.compile(_ALONE + _NUM + _CUR + _NOT_UNIT + _AFTER_UPPER_EN), 0.9, "number"),
    ("low", re.compile(_ALONE + _MONEY + _AFTER_LOWER_EN), 0.9, "number"),
    ("low", re.compile(_ALONE + _MONEY + r"\+"), 0.9, "mark"),  # $50+, not 4k+ or 18+
    ("low", re.compile(_LOWER_EN + _MONEY), 0.9, "word"),
    ("low", re.compile(_MIN_EN + _MONEY), 0.9, "mark"),
    ("high", re.compile(_UPPER_ZH + _MONEY), 0.95, "word"),
    ("low", re.compile(_LOWER_ZH + _MONEY), 0.9, "word"),
    ("high", re.compile(r"预算\s*" + _MONEY), 0.9, "word"),
    (
        "high",
        re.compile(_ALONE + _NUM + _CUR + r"\s*(?:以下|以内|之内|内" + _ENDS + ")" + _NOT_SUMS),
        0.9,
        "word",
    ),
    ("low", re.compile(_ALONE + _NUM + _CUR + r"\s*(?:以上|起" + _ENDS + ")"), 0.85, "word"),
    ("about", re.compile(_ALONE + _NUM + _CUR + r"\s*左右"), 0.8, "number"),
    ("about", re.compile(_APPROX_EN + _NUM + _CUR + _NOT_UNIT), 0.8, "number"),
    # an amount alone (``jeans 50 bucks``, ``98元的飞机``, ``话费50元``) may be the price
    # or the face value: a guess about the price, never a filter
    # (not a discount: ``$20 off``, ``save $20``)
    (
        "about",
        re.compile(r"(?<!save )" + _ALONE + _NUM + _CUR + _NOT_UNIT_OR_MAX + r"(?!\s*off\b)"),
        PRICE_GUESS,
        "mark",
    ),
)
#: A measurement named just before the number: ``宽40以内`` (width), ``height under 50``.
_MEASURE = re.compile(
    r"(?:宽|高|长|深|厚|直径|尺寸|身高|体重|重量|容量|\b(?:width|height|length|depth|"
    r"diameter|weight|size|wide|tall|long|deep|thick)\b)\s*(?::\s*)?$"
)
_SOFT_CONFIDENCE = 0.6
_CURRENCY_MARK = re.compile(r"[$¥€£]|元|块|rmb|usd|dollar|bucks|yuan|euro|之间")


_LATIN = r"(?<![a-z])(?:{})(?![a-z])"
#: currency words and marks; a foreign currency's Chinese name before yuan's (美元 ends in 元)
_CURRENCY_WORDS = (
    ("USD", re.compile(r"美元|美金|\$|" + _LATIN.format(r"usd|dollars?|bucks"))),
    ("EUR", re.compile(r"欧元|€|" + _LATIN.format(r"eur|euros?"))),
    ("GBP", re.compile(r"英镑|£|" + _LATIN.format(r"gbp"))),
    ("JPY", re.compile(r"日元|円|" + _LATIN.format(r"jpy|yen"))),
    ("CNY", re.compile(r"人民币|元|块|¥|" + _LATIN.format(r"rmb|yuan|cny"))),
)
_HAN = re.compile(r"[\u3400-\u9fff]")


def price_currency(span: str, after: str = "") -> str | None:
    """The ISO code of the currency a price names, in its (normalised) text ``span`` or as
    the word right ``after`` it: ``300元``, ``$50``, ``50 bucks``, ``低于50美元`` (dollars,
    not yuan). A Chinese price phrase with no currency word (``2000以下``) is read as
    yuan, as Chinese shops write prices; ``¥`` is read as yuan, not yen. ``under 50``
    names none."""
    for code, pattern in _CURRENCY_WORDS:
        if pattern.search(span) or pattern.match(after.lstrip()):
            return code
    return "CNY" if _HAN.search(span) else None


@dataclass(frozen=True)
class PriceMatch:
    """A price constraint found in normalised text at ``[start, end)``."""

    start: int
    end: int
    low: float | None
    high: float | None
    confidence: float


#: Amounts above this are not prices (a run of 400 digits would be ``inf``).
_LARGEST = 1e12


_CN_VALUES = {c: float(i) for i, c in enumerate("零一二三四五六七八九")} | {"两": 2.0}
_CN_PLACES = {"十": 10.0, "百": 100.0, "千": 1000.0}


def _chinese_amount(number: str) -> float | None:
    """``两千`` 2000, ``一千五`` 1500 (a digit after a place word is the next place down, as
    it is said), ``一千零五`` 1005, ``十五`` 15, ``三万`` 30000; no place word: no amount
    (``一二三``)."""
    if not any(c in number for c in "十百千万"):
        return None
    total = section = 0.0
    digit: float | None = None
    place = 0.0  # the place of the last place word, until a 零 skips a place
    for c in number:
        if c in _CN_VALUES:
            digit = _CN_VALUES[c]
            place = 0.0 if c == "零" else place
        elif c == "万":  # 万元以下: one 万, as 十, 百 and 千 are one of themselves
            total += ((section + (digit or 0.0)) or 1.0) * 1e4
            section, digit, place = 0.0, None, 1e4
        else:
            section += (1.0 if digit is None else digit) * _CN_PLACES[c]
            digit, place = None, _CN_PLACES[c]
    if digit is not None:
        section += digit * place / 10 if place else digit
    return total + section


def _amount(number: str, multiplier: str | None) -> float | None:
    """``1,299.99`` and ``5,000,000`` use thousands separators; ``12,5`` a decimal comma;
    Chinese numerals as :func:`_chinese_amount` reads them (None: no amount)."""
    if number[0] not in "0123456789":
        return _chinese_amount(number)
    if "." in number or re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+", number):
        value = float(number.replace(",", ""))
    else:
        value = float(number.replace(",", "."))
    scaled = value * {"k": 1e3, "百": 1e2, "千": 1e3, "万": 1e4}.get(multiplier or "", 1.0)
    return round(scaled, 2)  # 16.1k is 16100, not 16100.000000000002


def _years(*values: float) -> bool:
    """``2021-2026`` is a span of years, not a price range."""
    return all(v.is_integer() and 1950 <= v <= 2050 for v in values)


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in taken)


def find_prices(text: str, taken: list[tuple[int, int]] | None = None) -> list[PriceMatch]:
    """Price constraints in normalised ``text``, skipping ranges already ``taken``."""
    taken = list(taken or [])
    found: list[PriceMatch] = []
    for kind, pattern, confidence, needs in _PATTERNS:
        for m in pattern.finditer(text):
            if _overlaps(m.start(), m.end(), taken) or _MEASURE.search(text, 0, m.start()):
                continue
            groups, conf = m.groups(), confidence
            first = _amount(groups[0], groups[1])
            second = _amount(groups[2], groups[3]) if kind == "range" else first
            if first is None or second is None or max(first, second) > _LARGEST:
                continue
            if min(first, second) <= 0:  # 0元购, 0元下单: a giveaway, not a price
                continue
            if needs != "word" and not _CURRENCY_MARK.search(m.group(0)):
                # ``2021-2026`` is a span of years, but ``2000左右`` a price (``2000年`` is a
                # unit, so no price at all)
                years = kind != "about" and _years(first, second)
                if needs == "mark" or min(first, second) < 10 or years:
                    continue
                if kind == "range" and first >= second:
                    continue  # a shopper writes low-high: 4000-120, 700-20 are codes
                conf = PRICE_GUESS if kind == "about" else _SOFT_CONFIDENCE
            if kind == "range":
                low, high = min(first, second), max(first, second)
            elif kind == "about":
                low, high = round(first * (1 - APPROXIMATE), 2), round(first * (1 + APPROXIMATE), 2)
            elif kind == "high":
                low, high = None, first
            else:
                low, high = first, None
            taken.append((m.start(), m.end()))
            found.append(PriceMatch(m.start(), m.end(), low, high, conf))
    return sorted(found, key=lambda p: p.start)
