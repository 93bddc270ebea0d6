"""Cleaning at ingest: every change is a :class:`Repair` saying what changed and why.

- ``html_to_text``: markup removed (block tags become line breaks), entities decoded.
- ``unicode_nfkc``: full-width → half-width, compatibility forms folded (NFKC).
- ``whitespace``: runs of spaces collapsed, ends trimmed.
- ``price_sentinel``: a price equal to a configured sentinel (``0.0``) means "missing".
- ``unit_normalised``: an attribute holding a size, weight or dimensions gets a
  canonical twin ``<key>_norm`` (cm, g, ml; S/M/L/XL).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from shopsense.catalog.quality.units import normalise_size, parse_quantity
from shopsense.catalog.schema import Product
from shopsense.catalog.sources import Repair

_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_BLOCK = frozenset("br p div li ul ol tr h1 h2 h3 h4 h5 h6 table".split())
_SPACES = re.compile(r"[ \t\f\v\u00a0\u3000]+")
_NEWLINES = re.compile(r"\s*\n\s*")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(text: str) -> str:
    """Markup → plain text; block tags become line breaks, entities are decoded."""
    if _TAG.search(text):
        parser = _TextExtractor()
        parser.feed(text)
        parser.close()
        return "".join(parser.parts)
    return html.unescape(text) if _ENTITY.search(text) else text


def squeeze(text: str, *, keep_lines: bool) -> str:
    """Collapse whitespace; ``keep_lines`` keeps single line breaks between paragraphs."""
    flat = _SPACES.sub(" ", text)
    if keep_lines:
        return _NEWLINES.sub("\n", flat).strip()
    return " ".join(flat.split())


@dataclass(frozen=True)
class CleaningRules:
    """What the cleaner does; built from a catalogue's quality configuration."""

    price_sentinels: tuple[float, ...] = (0.0,)
    normalise_units: bool = True


@dataclass
class _Cleaner:
    rules: CleaningRules
    repairs: list[Repair] = field(default_factory=list)

    def text(self, name: str, value: str | None, *, keep_lines: bool = False) -> str | None:
        if value is None:
            return None
        current = value
        for code, step in (
            ("html_to_text", html_to_text),
            ("unicode_nfkc", lambda t: unicodedata.normalize("NFKC", t)),
            ("whitespace", lambda t: squeeze(t, keep_lines=keep_lines)),
        ):
            after = step(current)
            if after != current:
                self.repairs.append(Repair(name, code, _clip(current), _clip(after)))
                current = after
        return current or None

    def price(self, name: str, value: float | None) -> float | None:
        if value is not None and value in self.rules.price_sentinels:
            self.repairs.append(Repair(name, "price_sentinel", repr(value), None))
            return None
        return value

    def attributes(self, attrs: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in attrs.items():
            cleaned = self.text(f"attributes.{key}", value) or ""
            out[key] = cleaned
            if self.rules.normalise_units and cleaned and not key.endswith("_norm"):
                canonical = _canonical_unit(cleaned)
                if canonical is not None and canonical != cleaned:
                    out[f"{key}_norm"] = canonical
                    self.repairs.append(
                        Repair(f"attributes.{key}", "unit_normalised", cleaned, canonical)
                    )
        return {k: v for k, v in out.items() if v}


def _canonical_unit(text: str) -> str | None:
    quantity = parse_quantity(text)
    if quantity is not None:
        return quantity.render()
    return normalise_size(text)


def _clip(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_product(product: Product, rules: CleaningRules) -> tuple[Product, list[Repair]]:
    """The cleaned product and one repair per field and step that changed something."""
    c = _Cleaner(rules)
    data: dict[str, Any] = product.model_dump()
    data["title"] = c.text("title", product.title) or product.title
    data["description"] = c.text("description", product.description, keep_lines=True)
    data["brand"] = c.text("brand", product.brand)
    data["category"] = tuple(c.text("category", part) or part for part in product.category)
    data["price"] = c.price("price", product.price)
    data["sale_price"] = c.price("sale_price", product.sale_price)
    data["attributes"] = c.attributes(product.attributes)
    if not c.repairs:
        return product, []
    return Product.model_validate(data), c.repairs
