"""``QueryUnderstanding.parse(text) -> ParsedQuery``: the query side of search.

Order: spelling correction (protected words — brands, colours, sizes — are never
"corrected"), attribute filters with spans on the corrected text, synonyms, then the
intent model on the corrected text. Spans of filters refer to ``ParsedQuery.corrected``;
corrections carry their spans in the original text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from shopsense.core.errors import InputError
from shopsense.query.attributes import AttributeParser
from shopsense.query.spelling import SpellingCorrector
from shopsense.query.synonyms import SynonymExpander
from shopsense.query.types import AttributeFilter, Intent, ParsedQuery
from shopsense.text.chinese_script import simplified

MAX_QUERY_CHARS = 512


class IntentPredictor(Protocol):
    """Anything that predicts the category intent of one query."""

    def predict(self, text: str) -> Intent: ...


def remainder(text: str, filters: Sequence[AttributeFilter], fields: set[str]) -> str:
    """``text`` without the spans of filters of ``fields`` (what is left to match as words),
    nor the 的 that tied one to the rest (``1000元以下的耳机`` → ``耳机``)."""
    keep, last = [], 0
    for f in sorted(filters, key=lambda f: f.span):
        if f.field in fields:
            keep.append(text[last : f.span[0]])
            last = f.span[1] + (text.startswith("的", f.span[1]))
    keep.append(text[last:])
    return re.sub(r"\s+", " ", "".join(keep)).strip()


_ALL_FIELDS = {"brand", "colour", "gender", "size", "price", "sort", "lacks"}


def _not_the_item(filters: Sequence[AttributeFilter]) -> list[AttributeFilter]:
    """The parts of a parse that do not name the item: an order asked for, and what the
    shopper says not to show (however sure)."""
    return [f for f in filters if f.field == "sort" or f.negated]


class QueryUnderstanding:
    """Parses queries. Every part is optional, so it runs without a trained model."""

    def __init__(
        self,
        attributes: AttributeParser | None = None,
        spelling: SpellingCorrector | None = None,
        synonyms: SynonymExpander | None = None,
        intent: IntentPredictor | None = None,
    ) -> None:
        self.attributes = attributes or AttributeParser()
        self.spelling = spelling
        self.synonyms = synonyms or SynonymExpander()
        self.intent = intent

    def _intent(self, corrected: str) -> Intent | None:
        """The intent of ``corrected``, read with each phrase's synonym group name added:
        a model trained on titles that say ``socks`` reads ``adidas 袜子`` as socks, and
        ``sun cream`` as sunscreen, not as a moisturiser's cream; in simplified Chinese, as
        the model was trained (``手機`` is ``手机``)."""
        if self.intent is None or not corrected.strip():
            return None
        return self.intent.predict(self.synonyms.named(simplified(corrected)))

    def parse(self, text: str) -> ParsedQuery:
        """The parse of ``text`` (``InputError`` beyond ``MAX_QUERY_CHARS``, as search)."""
        if len(text) > MAX_QUERY_CHARS:
            raise InputError(f"query is longer than {MAX_QUERY_CHARS} characters")
        corrected, corrections = self.spelling.correct(text) if self.spelling else (text, ())
        filters = tuple(self.attributes.parse(corrected))
        rest = remainder(corrected, filters, {"price", "size"})
        return ParsedQuery(
            text=text,
            corrected=corrected,
            corrections=corrections,
            filters=filters,
            remainder=rest,
            synonyms=self.synonyms.expand(corrected),
            # the intent reads what names the item: not "cheapest", which asks for an order,
            # nor "不要红色", which names what the shopper does not want
            intent=self._intent(remainder(corrected, _not_the_item(filters), _ALL_FIELDS)),
        )
