"""Text normalisation shared by index and query: NFKC, case folding, whitespace."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), case-folded, whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def has_cjk(text: str) -> bool:
    """Whether ``text`` contains Chinese characters."""
    return _CJK.search(text) is not None


def has_terms(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit (of any script, CJK included)."""
    return any(ch.isalnum() for ch in text)
