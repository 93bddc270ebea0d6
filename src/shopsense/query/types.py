"""The result types of query understanding: filters with spans, intents, the parse."""

from __future__ import annotations

from dataclasses import dataclass, field

#: A half-open character range ``[start, end)`` of the query as the shopper typed it.
Span = tuple[int, int]


@dataclass(frozen=True)
class AttributeFilter:
    """One structured constraint read from the query.

    ``field`` is ``price``, ``colour``, ``gender``, ``brand``, ``size``, ``sort`` or
    ``lacks`` (negated: what the product should not have, ``no white cast``). Categorical
    filters carry ``value``; a price carries ``low``/``high`` (either may be open) and
    ``value`` spells the range. ``text`` is the query text of ``span``.
    """

    field: str
    value: str
    span: Span
    text: str
    confidence: float
    low: float | None = None
    high: float | None = None
    currency: str | None = None  # a price's, when the query names it (``300元``: CNY)
    #: the query says not this brand or colour (``without nike``, ``不要红色``); the span
    #: then covers the negating words too
    negated: bool = False


@dataclass(frozen=True)
class Correction:
    """A spelling correction: ``original`` at ``span`` was replaced by ``corrected``."""

    original: str
    corrected: str
    span: Span


@dataclass(frozen=True)
class CategoryGuess:
    category: str
    probability: float


@dataclass(frozen=True)
class Intent:
    """Top-k categories with calibrated probabilities; ``category`` is ``unknown`` on abstain."""

    category: str
    probability: float
    top: tuple[CategoryGuess, ...]
    abstained: bool
    model: str


@dataclass(frozen=True)
class ParsedQuery:
    """What a query means: for search (filters, category), display and explanation."""

    text: str
    corrected: str
    corrections: tuple[Correction, ...] = ()
    filters: tuple[AttributeFilter, ...] = ()
    remainder: str = ""
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    intent: Intent | None = None

    def confident_filters(self, threshold: float = 0.8) -> tuple[AttributeFilter, ...]:
        """Filters a search engine may apply as hard constraints."""
        return tuple(f for f in self.filters if f.confidence >= threshold)
