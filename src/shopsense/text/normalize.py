"""Text normalisation shared by index and query: NFKC, case folding, traditional Chinese
to simplified, whitespace."""

from __future__ import annotations

import re
import unicodedata

from shopsense.text.chinese_script import simplified

_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), case-folded, traditional Chinese written in
    simplified (``手機`` → ``手机``), whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", simplified(folded)).strip()


def has_cjk(text: str) -> bool:
    """Whether ``text`` contains Chinese characters."""
    return _CJK.search(text) is not None


def has_terms(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit (of any script, CJK included)."""
    return any(ch.isalnum() for ch in text)
