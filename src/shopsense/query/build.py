"""Build a :class:`QueryUnderstanding` for a catalogue: its brands, its vocabulary, a query log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from shopsense.models.minilm_checkpoint import vocabulary_words
from shopsense.query.attributes import AttributeParser, brand_aliases
from shopsense.query.brand_evidence import confirmed_names, generic_brands
from shopsense.query.english_words import common_english_words
from shopsense.query.lexicon import aliases
from shopsense.query.spelling import SpellingCorrector, vocabulary
from shopsense.query.understanding import IntentPredictor, QueryUnderstanding


class Titled(Protocol):
    """What the parser reads of a product (a ``Product`` or a ``ProductText``)."""

    @property
    def title(self) -> str: ...
    @property
    def brand(self) -> str | None: ...
    @property
    def category(self) -> Sequence[str]: ...


def understanding_for(
    products: Iterable[Titled],
    *,
    query_log: Iterable[str] = (),
    intent: IntentPredictor | None = None,
    spell_chinese: bool = False,
) -> QueryUnderstanding:
    """Attribute parser over the catalogue's brands (those whose names are common words in
    its titles only soft guesses); spelling from titles, brands,
    category names and ``query_log``; brand, colour and gender words and common English
    words (``bleach``) are never corrected."""
    brands: set[str] = set()
    kinds: set[str] = set()
    texts: list[str] = []
    titled: list[tuple[str, str | None]] = []
    for p in products:
        if p.brand:
            brands.add(p.brand)
        texts.append(" ".join([p.title, p.brand or "", *p.category]))
        titled.append((p.title, p.brand))
        kinds.update(p.category)
    counts = vocabulary([*texts, *query_log])
    protected = [*vocabulary_words(), *common_english_words()]
    protected += [a.alias for a in brand_aliases(brands)]
    protected += [a.alias for name in ("colours", "genders") for a in aliases(name)]
    return QueryUnderstanding(
        attributes=AttributeParser(brands, generic_brands(titled), confirmed_names(titled), kinds),
        spelling=SpellingCorrector(counts, protected=protected, chinese=spell_chinese),
        intent=intent,
    )
