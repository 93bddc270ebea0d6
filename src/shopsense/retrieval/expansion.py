"""Query terms for the lexical index: the query's own terms, synonyms, typo corrections
and words the shopper split (``blue tooth`` also looks up ``bluetooth``).

Split words: two adjacent words of letters whose concatenation (plural folded, five
letters or more) is a term of the index are also looked up joined, at full weight:
``desk top`` finds ``Desktop``, ``ear buds`` finds ``Earbuds``, ``otter box`` finds
``OtterBox``. The words stay terms of their own as well.

Model numbers typed short: an unknown term of letters and digits (4 or more) matches
the indexed terms it begins, at ``PREFIX_WEIGHT`` (``ga2100`` finds ``GA-2100-4A``).

Typo tolerance: a query term the index does not know, of at least
``FUZZY_MIN_LEN`` letters (no digits, not Chinese), is matched within edit
distance 1, or 2 from ``FUZZY2_MIN_LEN`` letters. Model numbers are never fuzzed:
``x100`` must not match ``x200``.

Synonyms (the built-in English/Chinese groups, and a catalogue's own): the terms a
phrase's synonyms bring share ``SYNONYM_WEIGHT`` between them. Per catalogue, in a TOML
file::

    # equivalent: every phrase of a group finds the others
    groups = [["tv", "television"], ["手机", "mobile phone"]]
    # one way: the key also finds the values, not the reverse
    [one_way]
    sneakers = ["running shoes", "trainers"]
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from shopsense.core.errors import ConfigError
from shopsense.text.normalize import has_cjk
from shopsense.text.singular import search_terms, singular
from shopsense.text.tokenize import STOPWORDS, tokenize

FUZZY_MIN_LEN = 5
FUZZY2_MIN_LEN = 9
SYNONYM_WEIGHT = 0.7
FUZZY_WEIGHT = 0.6
JOINED_WEIGHT = 1.0
JOINED_MIN_LEN = 5
PREFIX_WEIGHT = 0.8
#: An unknown query term of letters and digits (both, 4 characters or more) is also looked
#: up as the start of indexed terms: ``ga2100`` finds ``GA-2100-4A`` (``ga21004a``),
#: ``bes870`` finds ``BES870XL``.
_CODE_START = re.compile(r"(?=[a-z0-9]*[a-z])(?=[a-z0-9]*[0-9])[a-z0-9]{4,}")
_LETTERS = re.compile(r"^[a-z\u00c0-\u024f]+$")


@dataclass(frozen=True)
class QueryTerm:
    """One term the lexical index looks up, with its boost and how it got there."""

    text: str
    weight: float = 1.0
    fuzzy: int = 0
    source: str = "query"  # query | synonym | fuzzy | joined | prefix
    typed: str = ""  # the word as the query has it, when folding changed it (``shoes``)
    prefix: bool = False  # also every indexed term it begins (a model number typed short)

    @property
    def shown(self) -> str:
        """The term as the shopper wrote it."""
        return self.typed or self.text


class SynonymConfig(BaseModel):
    """The typed synonym file of one catalogue."""

    model_config = ConfigDict(extra="forbid")

    groups: list[list[str]] = []
    one_way: dict[str, list[str]] = {}

    @classmethod
    def load(cls, path: Path) -> SynonymConfig:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            return cls.model_validate(raw)
        except FileNotFoundError as exc:
            raise ConfigError(f"synonym file {path} does not exist") from exc
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            raise ConfigError(f"synonym file {path} is not valid: {exc}") from exc


class Synonyms:
    """Phrase → phrases, matched on token sequences of the shared tokenizer."""

    def __init__(self, config: SynonymConfig | None = None) -> None:
        self._rules: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        config = config or SynonymConfig()
        for group in config.groups:
            phrases = [tuple(search_terms(p)) for p in group]
            for a in phrases:
                self._rules.extend((a, b) for b in phrases if b != a and a and b)
        for key, values in config.one_way.items():
            k = tuple(search_terms(key))
            self._rules.extend((k, tuple(search_terms(v))) for v in values if k)
        self._starting: dict[str, list[int]] = {}  # first token → its rules, in order
        for n, (source, _) in enumerate(self._rules):
            self._starting.setdefault(source[0], []).append(n)

    def __len__(self) -> int:
        return len(self._rules)

    def expand(self, tokens: list[str]) -> list[str]:
        """Terms of every phrase whose source phrase occurs in ``tokens``."""
        return [t for terms in self.by_source(tokens).values() for t in terms]

    def by_source(self, tokens: list[str]) -> dict[tuple[str, ...], list[str]]:
        """For each source phrase that occurs in ``tokens``, the new terms its synonyms
        bring (each term once, under the first source that brings it)."""
        found = {  # the rules whose source starts at some token, in the rules' order
            n
            for i, token in enumerate(tokens)
            for n in self._starting.get(token, ())
            if tuple(tokens[i : i + len(self._rules[n][0])]) == self._rules[n][0]
        }
        out: dict[tuple[str, ...], list[str]] = {}
        seen = set(tokens)
        for n in sorted(found):
            source, target = self._rules[n]
            new = [t for t in dict.fromkeys(target) if t not in seen]
            seen.update(new)
            if new:
                out.setdefault(source, []).extend(new)
        return out


def fuzzy_distance(term: str) -> int:
    """Edit distance allowed for an unknown term: 0, 1 or 2 (letters-only words only)."""
    if has_cjk(term) or not _LETTERS.match(term) or len(term) < FUZZY_MIN_LEN:
        return 0
    return 2 if len(term) >= FUZZY2_MIN_LEN else 1


def query_terms(
    text: str,
    *,
    synonyms: Synonyms | None = None,
    known: Callable[[str], bool] | None = None,
    typo_tolerance: bool = True,
) -> list[QueryTerm]:
    """The weighted terms of ``text``: its tokens, their synonyms, fuzzy forms of unknown ones."""
    written = tokenize(text, keep_stopwords=True)  # once: the joins read the stopwords
    words = [w for w in written if w not in STOPWORDS]  # = tokenize(text)
    tokens = [singular(w) for w in words]
    counts: dict[str, int] = {}
    typed: dict[str, str] = {}
    for w, t in zip(words, tokens, strict=True):
        counts[t] = counts.get(t, 0) + 1
        typed.setdefault(t, w if w != t else "")
    # words as typed, separators dropped (``GA-2100`` → ``ga2100``): the tokenizer's joins
    # of two words (``studiomdr7506``) are no model number typed short
    typed_words = {re.sub(r"[^0-9a-z]", "", w) for w in text.casefold().split()}
    terms: list[QueryTerm] = []
    for t, n in counts.items():
        # the edit budget of the word as typed (``hedphones`` has 9 letters: 2 edits)
        typo = typed[t] or t
        distance = fuzzy_distance(typo) if typo_tolerance and known and not known(t) else 0
        if distance:
            terms.append(QueryTerm(t, FUZZY_WEIGHT, distance, "fuzzy", typed[t]))
        elif known and t in typed_words and _CODE_START.fullmatch(t) and not known(t):
            # a model number typed short: ``ga2100`` is the start of ``ga21004a``
            terms.append(QueryTerm(t, PREFIX_WEIGHT, 0, "prefix", typed[t], prefix=True))
        else:
            terms.append(QueryTerm(t, float(n), typed=typed[t]))
    if known is not None:
        terms.extend(_joined(written, known, set(counts)))
    if synonyms is not None:
        # a word's synonyms share its weight: ``headphones`` brings ``headset``, ``耳机``,
        # ``头戴``, ``头戴式`` at 0.7 / 4 each, so a title holding several of them does not
        # outrank one holding the word itself; a synonym no product holds (``索尼`` in a
        # catalogue of English titles) is left out: it would find nothing, and only shift
        # the ranking features that count the query's terms
        for added in synonyms.by_source(tokens).values():
            held = [s for s in added if known is None or known(s)]
            share = SYNONYM_WEIGHT / len(held) if held else 0.0
            terms.extend(QueryTerm(s, share, 0, "synonym") for s in held)
    return terms


def _joined(words: list[str], known: Callable[[str], bool], have: set[str]) -> list[QueryTerm]:
    """Adjacent words of letters that the index knows as one word (``blue tooth``)."""
    out: list[QueryTerm] = []
    for a, b in zip(words, words[1:], strict=False):
        if not (_LETTERS.match(a) and _LETTERS.match(b)) or {a, b} & STOPWORDS:
            continue  # "watch for men" is no "watchmen"
        joined = singular(a + b)
        if len(joined) >= JOINED_MIN_LEN and joined not in have and known(joined):
            have.add(joined)
            out.append(QueryTerm(joined, JOINED_WEIGHT, 0, "joined", f"{a} {b}"))
    return out
