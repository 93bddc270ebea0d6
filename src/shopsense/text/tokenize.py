"""The one tokenizer of shopsense, shared by the lexical index and the query side.

- English: NFKC + case folding; words of letters and digits.
- Model numbers: a token joined by ``-``/``/``/``.`` is kept whole *and* split
  into its parts, and adjacent short tokens where one carries a digit are also
  emitted joined, so ``PS-LX350H``, ``PSLX350H`` and ``ps lx350h`` all produce
  the term ``pslx350h``.
- Chinese: jieba in search mode (overlapping words, e.g. 智能手机 → 智能, 手机, 智能手机).
- Mixed text is split into runs and each run handled by its own rule.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

import jieba

from shopsense.text.normalize import normalize

jieba.setLogLevel(logging.WARNING)

_RUN = re.compile(
    r"(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
    r"|(?P<word>[0-9a-z\u00c0-\u024f]+(?:[-/.][0-9a-z\u00c0-\u024f]+)*)"
)
_SPLIT_INNER = re.compile(r"[-/.]")
_HAS_DIGIT = re.compile(r"\d")
_MAX_JOIN = 16

# Words too common to help ranking in either language.
STOPWORDS = frozenset(
    "a an and are as at be by for from in is it of on or the to with 的 了 和 与 及 是 在".split()
)


@lru_cache(maxsize=65536)
def _cjk_words(run: str) -> tuple[str, ...]:
    return tuple(w for w in jieba.cut_for_search(run) if w.strip())


def _word_terms(word: str) -> list[str]:
    if not _SPLIT_INNER.search(word):
        return [word]
    parts = [p for p in _SPLIT_INNER.split(word) if p]
    joined = "".join(parts)
    if _HAS_DIGIT.search(word) or len(parts) <= 3:
        # model numbers and short compounds: whole, joined and parts
        return [joined, *parts] if joined != word else [word, *parts]
    return parts


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Terms of ``text`` for indexing or querying (same function on both sides)."""
    out: list[str] = []
    previous: str | None = None
    for match in _RUN.finditer(normalize(text)):
        if match.group("cjk"):
            out.extend(_cjk_words(match.group("cjk")))
            previous = None
            continue
        word = match.group("word")
        terms = _word_terms(word)
        out.extend(terms)
        base = terms[0]
        if (
            previous is not None
            and (_HAS_DIGIT.search(previous) or _HAS_DIGIT.search(base))
            and len(previous) + len(base) <= _MAX_JOIN
        ):
            out.append(previous + base)
        previous = base
    if keep_stopwords:
        return out
    return [t for t in out if t not in STOPWORDS]


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    return [tokenize(t) for t in texts]
