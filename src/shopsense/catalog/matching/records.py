"""What the matcher knows of a product: normalised title, brand, model numbers, price."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from shopsense.catalog.schema import Product
from shopsense.text.normalize import normalize
from shopsense.text.tokenize import tokenize

# attribute keys that carry a model number or a trade item number
CODE_KEYS = ("modelno", "model", "model_number", "mpn", "gtin", "ean", "upc", "isbn", "asin")
_WORD = re.compile(r"[0-9a-z][0-9a-z\-/.]*[0-9a-z]|[0-9a-z]")
_LETTER = re.compile(r"[a-z]")
_DIGIT = re.compile(r"\d")
_NON_ALNUM = re.compile(r"[^0-9a-z]")
# colour words: two offers naming different colours are variants, not duplicates
COLOURS = frozenset(
    "black white blue red pink green yellow grey gray brown navy purple orange silver gold "
    "beige maroon olive cream teal turquoise magenta violet khaki charcoal multi "
    "黑色 白色 红色 蓝色 粉色 绿色 黄色 灰色 棕色 紫色 橙色 银色 金色".split()
)
_COLOUR_KEYS = ("colour", "color", "basecolour", "basecolor", "颜色")


def squash(text: str) -> str:
    """``PS-LX350H`` → ``pslx350h``: case-folded, only letters and digits."""
    return _NON_ALNUM.sub("", normalize(text))


def model_codes(text: str) -> frozenset[str]:
    """Model-number-like words of ``text`` (letters and digits, ≥ 4 chars once squashed)."""
    out = set()
    for word in _WORD.findall(normalize(text)):
        code = _NON_ALNUM.sub("", word)
        if len(code) >= 4 and _DIGIT.search(code) and (_LETTER.search(code) or len(code) >= 5):
            out.add(code)
    return frozenset(out)


@dataclass(frozen=True)
class MatchRecord:
    id: str
    title: str
    brand: str
    codes: frozenset[str]  # model numbers / GTINs, squashed
    explicit: frozenset[str]  # the codes given in their own column (modelno, gtin, …)
    tokens: frozenset[str]
    numbers: frozenset[str]
    price: float | None
    squashed_text: str  # title + description + codes, squashed, for "code appears in text"
    colours: frozenset[str] = frozenset()

    @classmethod
    def of(cls, product: Product) -> MatchRecord:
        title = product.title
        explicit = [v for k, v in product.attributes.items() if k.casefold() in CODE_KEYS]
        given = frozenset(c for v in explicit if len(c := squash(v)) >= 4)
        codes = set(model_codes(title)) | given
        tokens = frozenset(tokenize(title))
        brand = squash(product.brand) if product.brand else squash(title.split()[0])
        text = " ".join([title, product.description or "", *explicit])
        named = [v for k, v in product.attributes.items() if k.casefold() in _COLOUR_KEYS]
        colours = (tokens | frozenset(tokenize(" ".join(named)))) & COLOURS
        return cls(
            id=product.id,
            title=title,
            brand=brand,
            codes=frozenset(codes),
            explicit=given,
            tokens=tokens,
            numbers=frozenset(t for t in tokens if t.isdigit()),
            price=product.effective_price if product.effective_price else None,
            squashed_text=squash(text),
            colours=colours,
        )


def match_records(products: Sequence[Product]) -> list[MatchRecord]:
    return [MatchRecord.of(p) for p in products]
