"""Pictographs in a query, read as the words they picture: ``👟`` → ``athletic shoe``.

Shoppers on phones type emoji; the tokenizer drops them and the sentence encoder has
no meaning for most of them, so a query of ``👟`` found nothing related to shoes. Each
pictograph (the emoji blocks, dingbats and miscellaneous symbols; not ™, ©, arrows or
box drawing) is replaced by the words of its Unicode name, without the typographic
words (``HEAVY BLACK HEART`` → ``heart``: *black* there is the glyph's fill, not a
colour). Faces, hands, persons, marks, arrows, card suits and skin-tone modifiers
picture no product and are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: a pictograph, with the variation selector or joiner that may follow it
_PICTOGRAPH = re.compile(
    "([\u231a-\u23ff\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff])[\ufe0e\ufe0f\u200d]*"
)
#: words of a Unicode name that describe the glyph rather than the thing pictured
_GLYPH_WORDS = frozenset(
    "black white heavy light medium small large sign symbol emoji modifier ornament".split()
)
#: a pictograph whose name has one of these pictures a feeling, a sign or a person, not
#: a product (``❗``, ``✅``, ``♥`` *heart suit*, ``➡``, ``❶``, ``🙏``, ``🤣``)
_DROPPED = frozenset(
    "face fitzpatrick hand hands gesture thumbs person people suit mark arrow arrows "
    "dingbat digit keycap squared circled laughing smiling grinning crying".split()
)


@dataclass(frozen=True)
class Reading:
    symbol: str
    words: str  # "" when the pictograph names nothing a shop sells (a face, a skin tone)


def _words(symbol: str) -> str:
    name = unicodedata.name(symbol, "").casefold().replace("-", " ")
    words = [w for w in name.split() if w not in _GLYPH_WORDS]
    if not words or _DROPPED.intersection(words):
        return ""
    return " ".join(words)


def read_pictographs(text: str) -> tuple[str, tuple[Reading, ...]]:
    """``text`` with each pictograph replaced by its words, and what was read (each
    distinct pictograph once, in order)."""
    if _PICTOGRAPH.search(text) is None:
        return text, ()
    readings: dict[str, Reading] = {}

    def read(m: re.Match[str]) -> str:
        symbol = m.group(1)
        reading = readings.setdefault(symbol, Reading(symbol, _words(symbol)))
        return f" {reading.words} " if reading.words else " "

    read_text = re.sub(r"\s+", " ", _PICTOGRAPH.sub(read, text)).strip()
    return read_text, tuple(readings.values())
