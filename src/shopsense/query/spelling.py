"""Spelling correction from a vocabulary of catalogue titles and query logs.

- English words are matched against the vocabulary by edit distance with adjacent
  transpositions counted as one edit (optimal string alignment, rapidfuzz: ``tshrit`` is
  one edit from ``tshirt``), at most one edit per 5 letters (none for 4-letter words, 2
  from 10 letters), and never on the first letter (as Elasticsearch's ``prefix_length:
  1``); the nearest, then most frequent, word wins. Known words and their plurals, short
  words and words with digits (model numbers) are never touched. Measured on the 999
  real Best Buy queries against the Walmart/Amazon vocabulary, these limits took the
  changed queries from 55 (18 right by hand) to 20 (17 right).
- Chinese has no spaces and typos are mostly wrong characters of the same sound, so a
  character that no known word covers is tried as a one-character substitution
  inside the 3- and 2-character windows around it (SymSpell-style deletion keys);
  the window is replaced when a frequent word comes out (``连衣群`` → ``连衣裙``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from shopsense.query.lexicon import normalise_with_offsets, source_span
from shopsense.query.types import Correction
from shopsense.text.singular import singular
from shopsense.text.tokenize import tokenize

_WORD = re.compile(r"(?<![0-9a-z'])[a-z]{4,}(?![0-9a-z'])")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def vocabulary(texts: Iterable[str]) -> Counter[str]:
    """Term counts of ``texts`` with the shared tokenizer (stopwords kept)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(tokenize(text, keep_stopwords=True))
    return counts


class SpellingCorrector:
    """Corrects query words towards a vocabulary of term counts."""

    def __init__(
        self,
        counts: Mapping[str, int],
        *,
        protected: Iterable[str] = (),
        min_count: int = 3,
        min_cjk_count: int = 100,
        min_known: int = 1,
        min_single: int = 20,
        chinese: bool = True,
    ) -> None:
        self._counts = dict(counts)
        self._protected = {p.casefold() for p in protected}
        self._min_count = min_count
        self._min_cjk = min_cjk_count
        self._min_known = min_known
        self._min_single = min_single
        self._chinese = chinese
        self._english = [
            w
            for w, c in self._counts.items()
            if c >= min_count and w.isalpha() and w.isascii() and len(w) >= 3
        ]
        # search folds plurals (text.singular), so ``earbud`` is no typo of ``earbuds``
        self._folded = frozenset(singular(w) for w in self._english)
        self._keys: dict[str, list[str]] = {}
        for word, count in self._counts.items():
            if 2 <= len(word) <= 4 and count >= min_cjk_count and _CJK_RUN.fullmatch(word):
                for i in range(len(word)):
                    self._keys.setdefault(word[:i] + "?" + word[i + 1 :], []).append(word)

    def correct(self, query: str) -> tuple[str, tuple[Correction, ...]]:
        """The corrected query and each correction with its span in ``query``."""
        text, offsets = normalise_with_offsets(query)
        edits: list[tuple[int, int, str]] = []
        for m in _WORD.finditer(text):
            fixed = self._english_word(m.group(0))
            if fixed is not None:
                edits.append((m.start(), m.end(), fixed))
        for m in _CJK_RUN.finditer(text if self._chinese else ""):
            edits.extend((m.start() + a, m.start() + b, w) for a, b, w in self._cjk_run(m.group(0)))
        if not edits:
            return query, ()
        out, corrections, last = [], [], 0
        for start, end, word in sorted(edits):
            span = source_span(offsets, start, end, len(query))
            out.append(query[last : span[0]])
            out.append(word)
            corrections.append(Correction(query[span[0] : span[1]], word, span))
            last = span[1]
        out.append(query[last:])
        return "".join(out), tuple(corrections)

    def _is_word(self, word: str) -> bool:
        return word in self._protected or self._counts.get(word, 0) >= self._min_count

    def _english_word(self, word: str) -> str | None:
        if self._is_word(word) or any(self._is_word(s) for s in _singulars(word)):
            return None  # a known word, or the plural of one (``modems``, ``cleaners``)
        if singular(word) in self._folded:
            return None  # the singular of a known plural (``earbud``: search finds ``earbuds``)
        best = self._nearest(word)
        if best and word[-1] == "s" != best[0][-1] and not word.endswith("ss"):
            # the correction dropped the plural's ``s`` (the plural is rarer in the
            # vocabulary than its singular): ``controlers`` → ``controllers``, not ``controller``
            stem = self._nearest(word[:-1])
            if stem and stem[0][-1] != "s" and stem[1] <= best[1]:
                return stem[0] + "s"
        return best[0] if best else None

    def _nearest(self, word: str) -> tuple[str, int] | None:
        """The nearest, then most frequent, vocabulary word within the edit budget."""
        max_edits = min(2, len(word) // 5)  # an edit per 5 letters: neyo, inno stay
        # ... but two letters swapped in a four-letter word are a typo (nkie, smoe)
        swapped = not max_edits and len(word) == 4
        if not max_edits and not swapped:
            return None
        hits = [
            h
            for h in process.extract(
                word, self._english, scorer=OSA.distance, score_cutoff=max_edits or 1, limit=20
            )
            if h[0][0] == word[0]  # shoppers rarely miss the first letter: freezer ≠ breeze
            and (not swapped or sorted(h[0]) == sorted(word))
        ]
        if not hits:
            return None
        best = min(hits, key=lambda h: (h[1], -self._counts[h[0]], h[0]))
        return str(best[0]), int(best[1])

    def _known(self, word: str) -> bool:
        return self._counts.get(word, 0) >= self._min_known

    def _cjk_run(self, run: str) -> list[tuple[int, int, str]]:
        covered = [False] * len(run)
        for size in (4, 3, 2):
            for i in range(len(run) - size + 1):
                if self._known(run[i : i + size]):
                    covered[i : i + size] = [True] * size
        for i, char in enumerate(run):  # a character often typed on its own is a word
            covered[i] = covered[i] or self._counts.get(char, 0) >= self._min_single
        edits: list[tuple[int, int, str]] = []
        for start, end in _stretches(covered):
            if end - start > 2:
                continue  # a long unknown stretch is a name, not a typo
            best = self._substitute(run, start, end)
            if best is not None:
                edits.append(best)
        return edits

    def _substitute(self, run: str, start: int, end: int) -> tuple[int, int, str] | None:
        """The most frequent known word made by changing one rare character of
        ``run[start:end]`` inside a window of 2-4 characters around it."""
        best: tuple[int, int, str] | None = None
        best_count = 0
        for size in (4, 3, 2):  # the widest context that yields a word wins
            for a in range(max(0, end - size), min(start, len(run) - size) + 1):
                window = run[a : a + size]
                for p in range(start, end):
                    key = window[: p - a] + "?" + window[p - a + 1 :]
                    for cand in self._keys.get(key, ()):
                        if self._counts[cand] > best_count:
                            best, best_count = (a, a + size, cand), self._counts[cand]
            if best is not None:
                return best
        return None


def _singulars(word: str) -> tuple[str, ...]:
    """What ``word`` may be the plural of: ``boxes`` → ``boxe``, ``box``; ``cams`` → ``cam``;
    ``batteries`` → ``batterie``, ``battery``."""
    if not word.endswith("s") or word.endswith("ss"):
        return ()
    out = [word[:-1]]
    if re.search(r"(?:[sxzo]|ch|sh)es$", word):  # boxes, watches: not phonees, shoees
        out.append(word[:-2])
    if word.endswith("ies"):
        out.append(word[:-3] + "y")
    return tuple(out)


def _stretches(covered: list[bool]) -> list[tuple[int, int]]:
    """``[start, end)`` runs of ``False`` in ``covered``."""
    out, start = [], None
    for i, ok in enumerate([*covered, True]):
        if not ok and start is None:
            start = i
        elif ok and start is not None:
            out.append((start, i))
            start = None
    return out
