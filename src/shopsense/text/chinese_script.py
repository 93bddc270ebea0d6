"""Traditional Chinese folded to simplified (OpenCC ``t2s``): the one adapter of ``opencc``.

Shoppers type either script (``手機``, ``運動鞋``, ``華為``) and catalogues are written in
one of them; folding both sides to simplified lets them meet, as case folding does for
Latin letters. OpenCC converts phrase by phrase (``頭髮`` → ``头发``, ``乾燥`` → ``干燥``).
"""

from __future__ import annotations

import re
from functools import cache

import opencc

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` with traditional Chinese characters written in simplified ones; text
    without Chinese characters is returned as it is, without a call into OpenCC."""
    if _CJK.search(text) is None:
        return text
    out: str = _converter().convert(text)
    return out


def simplified_same_length(text: str) -> str:
    """:func:`simplified`, character for character, so that offsets into ``text`` hold:
    the phrase conversion where it keeps the length (nearly always), else each character
    alone."""
    out = simplified(text)
    if len(out) == len(text):
        return out
    return "".join(c if len(s := simplified(c)) != 1 else s for c in text)
