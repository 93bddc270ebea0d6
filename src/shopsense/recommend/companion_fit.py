"""Whether an accessory fits an item, from the model their titles name.

A title's *model* is the run of words that names one product of the item's category:
``iPhone 16 Pro``, ``Galaxy S25 Ultra``, ``Redmi Note 13``, ``Mate 70 Pro``. It starts
at the first word of the category's vocabulary that is not a brand (``Apple``, ``小米``)
and runs through the words after it — numbers included — up to a capacity or spec
(``256GB``, ``5G``, ``20W``), a colour, a generic word (``smartphone``, ``双卡``), a Chinese
word, a bracket or a separator. Joined and split forms read the same (``iPhone15`` is
``iphone 15``, ``16Pro`` is ``16 pro``, ``小米15`` is ``小米 15``); a single letter stays with
its number (``S25``, ``A56``).

An accessory names a model by its fits clause (``Case for iPhone 16 Pro``, ``适用iPhone 16``:
:mod:`shopsense.text.fits`) — every word of the clause but brands, specs and colours — or,
without one, by a run of two words or more in its own title (``Samsung Galaxy S25 Ultra
Silicone Case``). Then it fits only when its model and the item's are the *same words*
both ways: iPhone 16 ≠ iPhone 15, iPhone 16 ≠ iPhone 16 Pro ≠ iPhone 16 Plus, Galaxy
S25 ≠ Galaxy S25 Ultra. Any other named model is left out.

An accessory naming one such word or a brand (``Nike … Socks``, ``Redmi Buds``) shares it
with the item or not: the same brand comes first, nothing is left out. One naming none
(a charger, most socks) is neutral.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from shopsense.text.fits import fits_clauses, names_item
from shopsense.text.singular import search_terms

#: preference within a companion category (another model: < 0, left out)
FITS, SAME_BRAND, NEUTRAL = 1.0, 0.95, 0.9

#: words of product titles that name no model: kinds of product, network and SIM features
GENERIC = frozenset(
    """smartphone phone mobile cellphone unlocked dual sim esim with and the new edition
    version international global 手机 智能手机 支持 移动 联通 电信 双卡 双待 全网通""".split()
)
_SPEC = re.compile(
    r"^[\d.,+]*\d(?:gb|tb|mb|g|w|mah|mm|cm|m|hz|khz|v|in|inch|k|p)"
    r"(?:\+[\d.,]*\d(?:gb|tb|mb))*$",
    re.IGNORECASE,
)
_STOP = re.compile(r"^[\W_]+$|[(（)）\[【\]】]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(f"{_CJK.pattern}+")
_PIECES = re.compile(r"[^\W\d_]+|\d+")


class Fit(NamedTuple):
    preference: float  # higher first; < 0: names another product (leave it out)
    named: str  # what the companion's title names, for the reason ("" when nothing)


def _own_words(title: str) -> str:
    """A title without its variant tail (``… - Black``)."""
    return title.split(" - ")[0]


def _colour(word: str) -> bool:
    return len(word) > 1 and word.endswith("色")


def _words(text: str) -> list[tuple[str, list[str]]]:
    """Each word of ``text`` with its model pieces (``iPhone15`` → ``iphone``, ``15``;
    ``S25`` → ``s25``); a spec, colour, bracket or punctuation has none."""
    out: list[tuple[str, list[str]]] = []
    for word in re.split(r"[\s,，/|;；]+", text):
        if not word:
            continue
        if _SPEC.match(word) or _STOP.search(word) or _colour(word):
            out.append((word, []))
            continue
        raw = [p.casefold() for p in _PIECES.findall(word)]
        pieces: list[str] = []
        for p in raw:
            if pieces and len(pieces[-1]) == 1 and pieces[-1].isalpha() and p.isdigit():
                pieces[-1] += p  # s + 25 → s25
            else:
                pieces.append(p)
        out.append((word, pieces))
    return out


class CategoryWords:
    """What names products of one category: its brands and its vocabulary (the words of
    its titles' models, less brands, specs, colours and generic words)."""

    def __init__(self, titles_and_brands: Iterable[tuple[str, str | None]]) -> None:
        pairs = list(titles_and_brands)
        self.brands: set[str] = set()
        for title, brand in pairs:
            first = title.split()[0] if title.split() else ""
            self.brands |= set(search_terms(brand or ""))
            self.brands |= {p for _, ps in _words(f"{brand or ''} {first}") for p in ps[:1]}
        self.words: set[str] = set()
        makers: dict[str, set[str]] = {}
        for title, brand in pairs:
            for word, ps in _words(_own_words(title)):
                for p in self._latin(word, ps, first=True):
                    self.words.add(p)
                    makers.setdefault(p, set()).add((brand or title.split()[0]).casefold())
        #: words of one brand's titles only (``galaxy``, ``redmi``): a product line, named
        #: like a brand; ``pro`` or ``16``, which several brands use, name no line
        self.lines = {w for w, b in makers.items() if len(b) < 2 and not w.isdigit()}

    def _latin(self, word: str, pieces: list[str], *, first: bool) -> list[str]:
        """The model pieces of one word: none from a Chinese word, but the number after a
        Chinese brand (``小米15``) when ``first`` (the model may start there)."""
        latin = [p for p in pieces if p not in self.brands and p not in GENERIC]
        if not _CJK.search(word):
            return latin
        head = _CJK_RUN.match(word)
        if not (first and head and pieces and pieces[0] in self.brands):
            return []
        tail = word[head.end() :]
        return [] if _SPEC.match(tail) or _CJK.search(tail) else latin

    def model(self, text: str, *, whole: bool = False) -> tuple[list[str], str]:
        """The model ``text`` names (its pieces) and its words as written. ``whole``: every
        word counts (a fits clause names nothing else); else the run starts at the first
        word of the vocabulary and holds only its words and numbers."""
        pieces: list[str] = []
        shown: list[str] = []
        for word, ps in _words(text):
            latin = self._latin(word, ps, first=not pieces)
            if not latin:  # a spec, colour, brand, generic or Chinese word: the model ends
                if pieces:
                    break
                continue
            if not whole:
                if not pieces and latin[0] not in self.words:
                    continue
                if pieces and not all(p in self.words or p.isdigit() for p in latin):
                    break
            pieces += latin
            shown.append(word)
        return pieces, " ".join(shown)


def companion_fit(item_text: str, title: str, category: str, words: CategoryWords) -> Fit:
    """How a companion of ``category`` titled ``title`` fits the item (``item_text``: its
    title and brand). A model is named by a fits clause or a run of two words or more of
    the item category's vocabulary (one, ``Redmi Buds``, names a line as a brand does)."""
    clauses = [c for c in fits_clauses(title) if not names_item(c, category.split(" > ")[-1])]
    item_title, _, item_brand = (
        item_text.rpartition(" - ") if " - " in item_text else (item_text, "", "")
    )
    mine, _ = words.model(_own_words(item_title))
    if clauses:
        named, shown = words.model(clauses[0].name, whole=True)
        shown = clauses[0].name
    else:
        named, shown = words.model(_own_words(title))
    if not clauses and len(named) < 2:
        own = {p for _, ps in _words(_own_words(title)) for p in ps}
        item = {p for _, ps in _words(f"{_own_words(item_title)} {item_brand}") for p in ps}
        shared = own & (words.brands | words.lines) & item
        if shared:
            return Fit(SAME_BRAND, _in_title_order(shared, _own_words(title)))
        return Fit(NEUTRAL, "")
    if not named:
        return Fit(NEUTRAL, "")
    return Fit(FITS if sorted(named) == sorted(mine) else -1.0, shown)


def _in_title_order(named: set[str], text: str) -> str:
    """The words of ``text`` that hold ``named`` (``Redmi`` of ``Redmi Buds 5``)."""
    return " ".join(w for w, ps in _words(text) if set(ps) & named)
