"""Attribute filters from a query: price, colour, gender, brand and size, each with its span.

Brands come from the catalogue (plus the Chinese names in ``data/brands_zh.csv`` of the
brands the catalogue sells); colours and genders from ``data/colours.csv`` and
``data/genders.csv``. Longer phrases win over shorter ones, and a phrase is taken once:
``under armour`` is a brand before it can be anything else. A brand spelled like a colour or
a gender word (a brand ``Orange`` in ``orange shirt``), or one the catalogue's titles use as
a common word (``AND``, ``Max``: :mod:`shopsense.query.brand_evidence`), is only a soft guess
that neither filters nor ranks, and it leaves its words to the other fields: ``orange`` is
the colour too, and ``max $40`` a price.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from shopsense.query.lexicon import Alias, aliases, norm, normalise_with_offsets, source_span
from shopsense.query.prices import find_prices, price_currency
from shopsense.query.types import AttributeFilter
from shopsense.text.singular import search_terms

_LATIN = re.compile(r"[0-9a-z]")
#: The confidence of a brand spelled exactly like a colour or gender word, or named mostly in
#: other brands' titles: below the search's threshold (0.8), so ``orange shirt`` never lifts
#: the brand Orange over every other shirt.
AMBIGUOUS_BRAND = 0.6
#: Words that negate the brand, colour or gender right after them: ``without nike``, ``not
#: red``, ``not for women``, ``non-apple``, ``-nike``, ``不要耐克``, ``非耐克``, ``除了红色``.
#: Not a dash with a space after it (a pasted title's ``iPhone 16 - Black``), nor a
#: question (是不是耐克, 要不要红色, 有没有耐克); 别 is left out (性别, 区别), and 非常
#: "very" does not end right before the word.
_NEGATION = re.compile(
    r"(?:(?:(?<![0-9a-z])(?:without|not|no|non|except|excluding|but not)\s+(?:for\s+)?"
    r"|(?<![0-9a-z])non-|(?<!要)不要|(?<!是)不是|不含|除了|(?<!有)没有|非)\s*"
    r"|(?:^|(?<=\s))-)$"
)
#: ... and the next one in a list after a negated one: ``without nike or adidas``,
#: ``not nike, adidas``, ``除了耐克和阿迪达斯``.
_AND_NOT = re.compile(r"\s*(?:,|/|、|\band\b|\bor\b|\bnor\b|和|或|与|及)\s*$")
_LIST_JOIN = re.compile(r"\s*(?:,|/|、|\band\b|\bor\b|\bnor\b)\s*")
#: words after a negated colour that start another part of the query, not a thing
_FUNCTION_WORDS = frozenset(
    "and or nor for with without under over below above less more than in on at to from"
    " of by size sized between around about".split()
)
_NEGATABLE = ("brand", "colour", "gender")
#: The word right after a negated colour: ``sunscreen no white cast``, ``dress without red
#: flowers`` (when that word names no kind of product the catalogue sells: field ``lacks``,
#: what the product should not have, neither a filter nor searched), not ``no white
#: shoes``, ``not red, blue``.
_NEXT_WORD = re.compile(r"\s+([a-z]{2,})\b")
_SIZE_PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"\bsize\s*:?\s*((?:\d{1,2}(?:\.5)?)|xxs|xs|s|m|l|xl|xxl|xxxl|[2-5]xl)\b"), 0.95),
    (re.compile(r"\b(?:us|uk|eu)\s*(\d{1,2}(?:\.5)?)\b"), 0.85),
    (re.compile(r"(?<![0-9a-z])(xxs|xs|xl|xxl|xxxl|[2-5]xl)(?![0-9a-z])"), 0.85),
    (re.compile(r"(?<![0-9a-z])(\d{2}(?:\.5)?|xxs|xs|s|m|l|xl|xxl|xxxl|[2-5]xl)\s*码"), 0.95),
    (re.compile(r"尺码\s*(\d{2}(?:\.5)?|xxs|xs|s|m|l|xl|xxl|xxxl)"), 0.95),
)


#: Words asking for an order, not a kind of product: ``cheapest running shoes``, ``最便宜的
#: 耳机``, ``newest sneakers`` (field ``sort``, value a search sort). ``cheap`` / ``便宜`` ask
#: for low prices without saying how low: a guess only.
_SORT_PATTERNS: tuple[tuple[re.Pattern[str], str, float], ...] = (
    (
        re.compile(
            r"\b(?:cheapest|lowest[- ]priced?|least expensive|(?:sort(?:ed)? by )?price"
            r" (?:low|lowest) to (?:high|highest))\b|最便宜|价格?最低|价格?从低到高|从便宜到贵"
        ),
        "price_asc",
        0.95,
    ),
    (
        re.compile(
            r"\b(?:most expensive|priciest|highest[- ]priced?|(?:sort(?:ed)? by )?price"
            r" (?:high|highest) to (?:low|lowest))\b|最贵|价格?最高|价格?从高到低"
        ),
        "price_desc",
        0.95,
    ),
    # not "newest" / "latest" / 最新款: the latest model, not the product listed last
    (re.compile(r"\bnew arrivals?\b|最新上架|新品上市"), "newest", 0.9),
    (re.compile(r"\b(?:cheap|affordable|budget|inexpensive)\b|便宜|实惠"), "price_asc", 0.6),
)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def brand_aliases(brands: Iterable[str]) -> tuple[Alias, ...]:
    """Spellings of the catalogue's ``brands`` a shopper may type, with confidences."""
    canonical = {norm(b): b for b in brands if b and b.strip()}
    out: list[Alias] = []
    for key, brand in canonical.items():
        plain = _strip_accents(key)
        variants = {key, plain, re.sub(r"['’.]", "", plain), re.sub(r"[-'’.&]", " ", plain)}
        variants.add(re.sub(r"[-'’.&\s]", "", plain))
        out.extend(Alias(brand, " ".join(v.split()), 1.0) for v in variants if len(v) > 1)
    for alias in aliases("brands_zh"):
        sold = canonical.get(norm(alias.value))
        if sold is not None:
            out.append(Alias(sold, alias.alias, alias.confidence))
    return tuple(out)


def _phrase_pattern(items: Iterable[Alias]) -> tuple[re.Pattern[str], dict[str, Alias]]:
    table: dict[str, Alias] = {}
    for item in items:
        if item.alias not in table or item.confidence > table[item.alias].confidence:
            table[item.alias] = item
    parts = []
    for alias in sorted(table, key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in alias.split())
        if _LATIN.search(alias[0]) or _LATIN.search(alias[-1]):
            body = rf"(?<![0-9a-z]){body}(?![0-9a-z])"
        parts.append(body)
    return re.compile("|".join(parts) or r"(?!x)x"), table


@dataclass(frozen=True)
class _Field:
    name: str
    pattern: re.Pattern[str]
    table: dict[str, Alias]


class AttributeParser:
    """Finds attribute filters in a query. Build it once per catalogue; parsing is pure."""

    def __init__(
        self,
        brands: Iterable[str] = (),
        generic: Iterable[str] = (),
        confirmed: Iterable[str] = (),
        kinds: Iterable[str] = (),
    ) -> None:
        """``generic``: brands whose names are common words in the catalogue's titles
        (:func:`shopsense.query.brand_evidence.generic_brands`): soft guesses, as are brands
        spelled like a colour or gender word. ``confirmed``: Chinese brand names that are
        guesses in general but that the catalogue's titles use for the brand alone
        (:func:`~shopsense.query.brand_evidence.confirmed_names`: 苹果 in a shop of
        Apple products): sure ones. ``kinds``: the words of the catalogue's category names
        (``Running Shoes``): a negated colour followed by another word is the product's
        colour only when that word is one of them (``no white shoes``, not ``no white
        cast``); without them, it always is."""
        words = {a.alias for a in (*aliases("genders"), *aliases("colours"))}
        self._kinds = frozenset(t for k in kinds for t in search_terms(k))
        soft = {norm(g) for g in generic}  # "SAMSUNG" and "Samsung" are one brand
        sure = set(confirmed)
        brand_spellings = [
            Alias(a.value, a.alias, min(a.confidence, AMBIGUOUS_BRAND))
            if a.alias in words or norm(a.value) in soft
            else Alias(a.value, a.alias, 1.0)
            if a.alias in sure
            else a
            for a in brand_aliases(brands)
        ]
        self._fields = [
            _Field("brand", *_phrase_pattern(brand_spellings)),
            _Field("gender", *_phrase_pattern(aliases("genders"))),
            _Field("colour", *_phrase_pattern(aliases("colours"))),
        ]

    def parse(self, query: str) -> list[AttributeFilter]:
        text, offsets = normalise_with_offsets(query)
        taken: list[tuple[int, int]] = []
        found: list[AttributeFilter] = []
        negated_end: dict[str, int] = {}  # where the last negated brand / colour / gender ends

        def add(
            field: str,
            value: str,
            start: int,
            end: int,
            confidence: float,
            currency: str | None = None,
            **kw: float,
        ) -> None:
            negated = False
            if field in _NEGATABLE:
                cue = _NEGATION.search(text, 0, start)
                last = negated_end.get(field)  # a list after a negated one: "or adidas"
                if cue is None and last is not None and last <= start:
                    cue = _AND_NOT.match(text, last, start)
                thing = self._thing_after(text, end) if cue and field == "colour" else None
                if cue is not None and thing is not None:
                    # "no white cast": what the product should lack, not its colour
                    field, value, end = "lacks", text[start:thing], thing
                if cue is not None:
                    start, negated = cue.start(), True
                    while text[start].isspace():  # " or adidas": from "or"
                        start += 1
                    negated_end[field] = end
            span = source_span(offsets, start, end, len(query))
            if not (field == "brand" and confidence <= AMBIGUOUS_BRAND):
                taken.append((start, end))  # a soft brand leaves its words to the others
            said = query[span[0] : span[1]]
            found.append(
                AttributeFilter(
                    field,
                    value,
                    span,
                    said,
                    confidence,
                    currency=currency,
                    negated=negated,
                    **kw,
                )
            )

        for f in self._fields:
            for m in f.pattern.finditer(text):
                if any(m.start() < b and a < m.end() for a, b in taken):
                    continue
                alias = f.table[" ".join(m.group(0).split())]
                add(f.name, alias.value, m.start(), m.end(), alias.confidence)
        for price in find_prices(text, taken):
            value = f"{_fmt(price.low)}-{_fmt(price.high)}"
            kw = {k: v for k, v in (("low", price.low), ("high", price.high)) if v is not None}
            currency = price_currency(text[price.start : price.end], text[price.end :])
            add("price", value, price.start, price.end, price.confidence, currency, **kw)
        for pattern, order, confidence in _SORT_PATTERNS:
            for m in pattern.finditer(text):
                if not any(m.start() < b and a < m.end() for a, b in taken):
                    add("sort", order, m.start(), m.end(), confidence)
        for pattern, confidence in _SIZE_PATTERNS:
            for m in pattern.finditer(text):
                if not any(m.start() < b and a < m.end() for a, b in taken):
                    add("size", m.group(1).upper(), m.start(), m.end(), confidence)
        return sorted(found, key=lambda f: f.span)

    def _thing_after(self, text: str, end: int) -> int | None:
        """Where the word after a colour ending at ``end`` ends (after the colours of a
        list it begins: ``no white or black cast``), when it names a thing that is not a
        kind of product the catalogue sells, nor another colour, gender or brand, nor a
        word that starts a price, size or anything else (``not red size 8``, ``no black
        under 50``, ``not white for men``): the colours are that thing's. ``None``
        otherwise."""
        if not self._kinds:
            return None
        colour = next(f.pattern for f in self._fields if f.name == "colour")
        while (joined := _LIST_JOIN.match(text, end)) and (
            listed := colour.match(text, joined.end())
        ):
            end = listed.end()
        after = _NEXT_WORD.match(text, end)
        if after is None or after.group(1) in _FUNCTION_WORDS:
            return None
        at = after.start(1)
        if any(f.pattern.match(text, at) for f in self._fields):
            return None
        if any(p.match(text, at) for p, _ in _SIZE_PATTERNS):  # "no white xl"
            return None
        return None if set(search_terms(after.group(1))) & self._kinds else after.end(1)


def _fmt(value: float | None) -> str:
    """``2500000``, ``12.5``: never ``2.5e+06``."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")
