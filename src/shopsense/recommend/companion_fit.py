"""Whether an accessory fits an item, from what their titles name.

A companion (a phone case, a charger) *names a model* when its fits clause
(``Case for iPhone 16 Pro``, ``适用iPhone 16``: :mod:`shopsense.text.fits`) or, without
one, two words or more of its title name products of the item's category: the words
of that category's titles, less brand names, bare numbers, Chinese colour words and
words several brands share (``pro``, ``128gb``), which name no one product. Then:

- it fits when every such word is in the item's title (an iPhone 16 case, an iPhone 16);
- it is *partly* named when at least half are (a case for iPhone 16 *Pro*, an iPhone 16):
  kept after the others, and the reason says to check the fit;
- it names another model when fewer are (a Galaxy case, an iPhone): left out.

A companion naming one such word or a brand (``Nike … Socks``, ``Redmi Buds``) shares
it with the item or not: the same brand comes first, nothing is left out. One naming
none (a charger, most socks) is neutral.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from shopsense.text.fits import fits_clauses, names_item
from shopsense.text.singular import search_terms

#: preference within a companion category (partly named: 0.25–0.5, another model: < 0)
FITS, SAME_BRAND, NEUTRAL = 1.0, 0.95, 0.9


class Fit(NamedTuple):
    preference: float  # higher first; < 0: names another product (leave it out)
    named: str  # what the companion's title names, for the reason ("" when nothing)


def _own_words(title: str) -> str:
    """A title without its variant tail (``… - Black``)."""
    return title.split(" - ")[0]


def _terms(text: str) -> set[str]:
    """The search terms of ``text`` less Chinese colour words (``黑色``), which name no product."""
    return {t for t in search_terms(text) if not (len(t) > 1 and t.endswith("色"))}


class CategoryWords:
    """The words that name products of one category, apart from brand names."""

    def __init__(self, titles_and_brands: Iterable[tuple[str, str | None]]) -> None:
        brands_of: dict[str, set[str]] = {}
        self.brands: set[str] = set()
        for title, brand in titles_and_brands:
            terms = _terms(_own_words(title))
            first = search_terms(title.split()[0]) if title.split() else []
            self.brands |= _terms(brand or "") | set(first[:1])
            for term in terms:
                brands_of.setdefault(term, set()).add((brand or title.split()[0]).casefold())
        self.words = {
            t for t, b in brands_of.items() if len(b) < 2 and not t.isdigit()
        } - self.brands

    def naming(self, text: str) -> set[str]:
        """The model words (not brands) ``text`` holds."""
        return _terms(text) & self.words


def companion_fit(item_text: str, title: str, category: str, words: CategoryWords) -> Fit:
    """How a companion of ``category`` titled ``title`` fits the item (``item_text``: its
    title and brand). A model is named by a fits clause or two model words or more (one,
    ``Redmi Buds``, names a product line as a brand does)."""
    clauses = [c for c in fits_clauses(title) if not names_item(c, category.split(" > ")[-1])]
    named_text = " ".join(c.name for c in clauses) if clauses else _own_words(title)
    named = words.naming(named_text)
    item = _terms(_own_words(item_text)) | _terms(item_text.split(" - ")[-1])
    if not clauses and len(named) < 2:
        brand = (_terms(named_text) & (words.brands | words.words)) & item
        return Fit(SAME_BRAND, _in_title_order(brand, named_text)) if brand else Fit(NEUTRAL, "")
    if not named:
        return Fit(NEUTRAL, "")
    share = len(named & item) / len(named)
    shown = clauses[0].name if clauses else _in_title_order(named, named_text)
    if share == 1.0:
        return Fit(FITS, shown)
    if share >= 0.5:
        return Fit(share / 2, shown)
    return Fit(-1.0, shown)


def _in_title_order(named: set[str], text: str) -> str:
    """The words of ``text`` that name ``named`` (``iPhone 16`` for iphone, iphone16)."""
    out: list[str] = []
    previous = ""
    for word in text.split():
        if set(search_terms(word)) & named or (previous + word).casefold() in named:
            out.append(word)
            previous = word
        else:
            previous = ""
    return " ".join(out)
