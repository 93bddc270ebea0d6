"""Plural nouns folded to their singular for search (the only lemminflect importer).

A shopper types ``running shoe`` and the title says ``Running Shoes``; without folding
the two never meet in the lexical index, and the ranking features count the word as
missing. Search folds both sides the same way (:func:`search_terms`, used by the index,
the query and the ranking features); the rest of shopsense (spelling, suggestions,
intent features, matching) keeps the words as written.

Only English words of letters ending in ``s`` (four letters or more) are folded, to
their noun lemma as lemminflect gives it (``getLemma(word, "NOUN")``): from its
dictionary (``batteries`` → ``battery``, ``knives`` → ``knife``, ``glasses`` → ``glass``;
``news``, ``series`` stay), or by its rules for a word the dictionary lacks
(``ultraboosts`` → ``ultraboost``). Model numbers (with digits) and Chinese are never
touched. Lighter than a stemmer on purpose: ``running`` stays ``running`` and
``leggings`` becomes ``legging``, not ``leg``.

lemminflect's own lookup holds every word form of every part of speech (40 MB in each
process); this module keeps only the noun forms ending in ``s`` (17.5k folds, 1.8k
words kept as they are), read from the same dictionary and overrides files.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib.metadata import version

from lemminflect import config, getAllLemmasOOV

from shopsense.text.tokenize import tokenize

#: bump when the folding changes: stored lexical indexes are rebuilt (so are they when
#: lemminflect's or OpenCC's version changes, see :func:`terms_version`); 4: traditional
#: Chinese folds to simplified (``text.chinese_script``)
FOLDING_VERSION = 4
_FOLDABLE = re.compile(r"[a-z]{3,}s")
#: plurals whose singular is another word in a shop: ``shorts`` are no ``short``
#: sleeve, ``glasses`` no drinking ``glass``, ``flats`` no ``flat``, ``Vans`` no ``van``
KEEP_PLURAL = frozenset(
    "shorts glasses eyeglasses flats goods windows vans briefs trunks pumps sweats scrubs "
    "overalls drawers specs arms blues greens always does".split()
)
#: singulars in ``-ie`` whose ``-ies`` plural lemminflect folds to ``-y`` (it lacks the word,
#: or knows only the ``-y`` spelling): ``hoodies`` must meet ``hoodie``, not ``hoody``
IE_SINGULAR = frozenset(
    "hoodie beanie onesie selfie smoothie calorie veggie techie foodie newbie indie kiddie "
    "auntie undie".split()
)


@lru_cache(maxsize=1)
def _noun_table() -> dict[str, str]:
    """Noun forms ending in ``s`` → their first lemma (itself for ``news``), overrides applied."""
    table: dict[str, str] = {}
    with gzip.open(config.lemma_lu_fn, "rt", encoding="utf-8") as fh:
        for line in fh.read().splitlines():
            word, category, forms = line.split(",")
            if category == "noun" and word.endswith("s"):
                table[word] = forms.split("/", 1)[0]
    with open(config.lemma_overrides_fn, encoding="utf-8") as fh:
        for line in fh:
            fields = line.strip().split(",")
            if len(fields) == 3 and fields[1] == "NOUN" and fields[0].endswith("s"):
                table[fields[0]] = fields[2]
    return table


@lru_cache(maxsize=131072)
def singular(term: str) -> str:
    """The singular of ``term`` when it is an English plural noun, else ``term``."""
    if not _FOLDABLE.fullmatch(term) or term in KEEP_PLURAL:
        return term
    if term.endswith("ies") and term[:-1] in IE_SINGULAR:
        return term[:-1]
    lemma = _noun_table().get(term)
    if lemma is None:
        lemma = getAllLemmasOOV(term, "NOUN").get("NOUN", (term,))[0]
    return lemma if len(lemma) >= 3 and lemma.isalpha() else term


def terms_version() -> str:
    """What a stored lexical index's terms depend on: this folding and lemminflect's data."""
    return f"{FOLDING_VERSION}:lemminflect {version('lemminflect')}:opencc {version('opencc')}"


def search_terms(text: str) -> list[str]:
    """The tokenizer's terms of ``text`` with plurals folded: what search indexes and matches."""
    return [singular(t) for t in tokenize(text)]
