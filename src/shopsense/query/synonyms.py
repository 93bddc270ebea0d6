"""Synonym expansion across English and Chinese (``data/synonyms.csv``)."""

from __future__ import annotations

import re

from shopsense.query.lexicon import norm, synonym_groups


class SynonymExpander:
    """Maps each phrase of a query that belongs to a synonym group to the group's other terms."""

    def __init__(self, groups: tuple[tuple[str, ...], ...] | None = None) -> None:
        self._groups = groups if groups is not None else synonym_groups()
        self._of: dict[str, tuple[str, ...]] = {}
        self._head: dict[str, str] = {}  # each term's group's first term (its English name)
        for group in self._groups:
            for term in group:
                self._of[term] = tuple(t for t in group if t != term)
                self._head[term] = group[0]
        parts = []
        for term in sorted(self._of, key=len, reverse=True):
            body = re.escape(term)
            parts.append(rf"(?<![0-9a-z]){body}(?![0-9a-z])" if term.isascii() else body)
        self._pattern = re.compile("|".join(parts) or r"(?!x)x")

    def expand(self, query: str) -> dict[str, tuple[str, ...]]:
        """``{phrase in the query: its synonyms}``, longest phrases first, no overlaps."""
        return {m.group(0): self._of[m.group(0)] for m in self._pattern.finditer(norm(query))}

    def named(self, query: str) -> str:
        """``query`` followed by the group name of each of its phrases spelled otherwise
        (``adidas 袜子`` → ``adidas 袜子 socks``, ``sun cream`` → ``sun cream sunscreen``):
        what a model trained on one spelling reads best."""
        text = norm(query)
        heads = {self._head[m.group(0)] for m in self._pattern.finditer(text)}
        extra = [h for h in sorted(heads) if h not in text]
        return " ".join([query, *extra]) if extra else query
