"""Which of a catalogue's brands are common words: read off the catalogue's own titles.

A dirty catalogue names brands ``Digital``, ``Sound``, ``Galaxy`` or ``iPhone``; taken as a
brand filter, ``digital picture frame`` would hide every frame of every real brand. A brand
name whose words turn up mostly in the titles of *other* brands' products (``Canon Digital
Camera``, ``Samsung Galaxy Tab``, ``Case for iPhone``) is a common word there, and a query
naming it is only a soft brand guess: it neither lifts that brand's products nor uses up its
words (``between 50 and 100`` with a brand ``AND``). A brand named mostly in its own titles
(``Samsung``, ``Logitech``) stays a confident one. In a catalogue whose titles mostly leave
brands out, only a brand whose own titles do name it can be judged.

Real makers named mostly in other products' titles are judged generic too (in the 22k
Amazon offers: ``Apple``, ``HTC``, ``Intel``, named by cases and laptops), so a query naming
them gets no brand lift; their own products still match the query's words.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from shopsense.query.attributes import brand_aliases
from shopsense.query.lexicon import aliases, norm
from shopsense.text.normalize import has_cjk, normalize

#: A brand named after these words is what another product fits (``Case for iPhone``), not
#: a use of the brand's name as a word: such mentions are not counted.
_FITS = frozenset({"for", "with", "fits", "fit", "compatible", "to", "replaces", "replacement"})
#: A brand is a common word when fewer than this share of the titles that name it are its own
GENERIC_SHARE = 0.5
#: ... and at least this many titles name it (fewer is too little to judge).
MIN_TITLES = 5
#: A Chinese brand name that is a common word too (苹果 apple, 博士 doctor) is taken for
#: the brand when at least this many of the catalogue's titles hold it, all the brand's own.
CONFIRM_TITLES = 2


def generic_brands(products: Iterable[tuple[str, str | None]]) -> frozenset[str]:
    """The brands, of ``(title, brand)`` pairs, whose names are common words in the titles."""
    rows = [(title, brand) for title, brand in products]
    products_of = Counter(norm(b) for _, b in rows if b)
    spelled: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for alias in brand_aliases({b for _, b in rows if b}):
        spelled[tuple(alias.alias.split())].add(alias.value)
    longest = max((len(words) for words in spelled), default=0)
    naming: Counter[str] = Counter()  # brand -> titles that name it
    own: Counter[str] = Counter()  # brand -> its own titles among those
    key = {value: norm(value) for values in spelled.values() for value in values}
    for title, brand in rows:
        own_key = norm(brand) if brand else None
        words = norm(title).split()
        named = {
            value
            for n in range(1, longest + 1)
            for i in range(len(words) - n + 1)
            if i == 0 or words[i - 1] not in _FITS
            for value in spelled.get(tuple(words[i : i + n]), ())
        }
        for value in named:
            naming[value] += 1
            own[value] += key[value] == own_key
    branded = sum(products_of.values())
    # do this catalogue's titles carry their brands? Then every brand is judged by who names
    # it; if not, only a brand whose own titles do name it (else there is no evidence)
    titles_carry = branded > 0 and sum(own.values()) >= GENERIC_SHARE * branded
    return frozenset(
        b
        for b, n in naming.items()
        if n >= MIN_TITLES
        and own[b] / n < GENERIC_SHARE
        and (titles_carry or own[b] >= GENERIC_SHARE * products_of[norm(b)])
    )


def confirmed_names(products: Iterable[tuple[str, str | None]]) -> frozenset[str]:
    """The Chinese brand names of ``data/brands_zh.csv`` that are only guesses in general
    (``苹果``: the fruit or Apple) but that this catalogue's titles, ``(title, brand)``
    pairs, use for the brand alone: at least ``CONFIRM_TITLES`` titles hold the name and
    every one of them is the brand's (an electronics shop's 苹果 is Apple; a grocer's is
    not). English names stay as they are: a query's ``keep warm`` is a verb whatever the
    titles say."""
    pairs = list(products)
    sold = {norm(brand) for _, brand in pairs if brand}
    # only titles in Chinese can hold a Chinese name (a 44k English catalogue: none)
    rows = [(normalize(t), norm(b) if b else None) for t, b in pairs if has_cjk(t)]
    out = set()
    for a in aliases("brands_zh"):
        if a.confidence >= 1.0 or not has_cjk(a.alias) or norm(a.value) not in sold:
            continue
        holders = [brand for title, brand in rows if a.alias in title]
        if len(holders) >= CONFIRM_TITLES and all(b == norm(a.value) for b in holders):
            out.add(a.alias)
    return frozenset(out)
