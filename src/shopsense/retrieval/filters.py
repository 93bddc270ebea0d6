"""Search filters: one typed spec, applied inside the lexical index."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shopsense.catalog.schema import CATEGORY_SEP
from shopsense.catalog.values import currency_code
from shopsense.core.errors import InputError
from shopsense.text.normalize import normalize

_ISO_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class SearchFilters:
    """Conjunction of constraints; an empty spec matches everything.

    - ``brands``: any of these brands (case-insensitive).
    - ``exclude_brands``: none of these brands (``running shoes without nike``).
    - ``category``: a category path prefix, whole levels (``"Apparel > Topwear"``).
    - ``min_price`` / ``max_price``: inclusive bounds on the price the shopper pays;
      a product without a price never passes a price bound.
    - ``in_stock``: only products whose availability is ``in_stock``.
    - ``attributes``: ``key=value`` pairs (case-insensitive): a product must hold one of
      each key's values (``colour=red``, ``colour=black``, ``size=m``: red or black, in M).
    - ``currency``: only products priced in this currency (ISO code, any case); prices
      are never converted, so a price bound in a catalogue of several currencies needs it.
    """

    brands: tuple[str, ...] = ()
    category: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    in_stock: bool = False
    attributes: tuple[tuple[str, str], ...] = field(default=())
    currency: str | None = None
    exclude_brands: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # one spelling per currency (``rmb``, ``¥`` → ``CNY``), so equal filters hash alike
        given = self.currency
        object.__setattr__(self, "currency", currency_code(given))
        if self.currency is not None and not _ISO_CODE.fullmatch(self.currency):
            raise InputError(f"currency {given!r} is no currency code (USD, CNY, EUR, …) or sign")
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            raise InputError(f"min price {self.min_price} is above max price {self.max_price}")

    @property
    def empty(self) -> bool:
        return not (
            self.brands
            or self.category
            or self.min_price is not None
            or self.max_price is not None
            or self.in_stock
            or self.attributes
            or self.currency
            or self.exclude_brands
        )

    @property
    def category_prefix(self) -> str | None:
        """The category filter in the index's form (normalised levels joined by ``' > '``)."""
        if not self.category:
            return None
        levels = [normalize(p) for p in self.category.split(">") if p.strip()]
        return CATEGORY_SEP.join(levels) or None

    @property
    def currency_term(self) -> str | None:
        """The currency filter in the index's form (an ISO code), or None."""
        return self.currency

    @property
    def brand_terms(self) -> tuple[str, ...]:
        return tuple(normalize(b) for b in self.brands)

    @property
    def excluded_brand_terms(self) -> tuple[str, ...]:
        return tuple(normalize(b) for b in self.exclude_brands)

    @property
    def attribute_terms(self) -> tuple[tuple[str, ...], ...]:
        """The attribute filter in the index's form, one group per key: a product passes
        with any value of each group (``colour=red``, ``colour=black``: red or black)."""
        groups: dict[str, list[str]] = {}
        for k, v in self.attributes:
            groups.setdefault(normalize(k), []).append(f"{normalize(k)}={normalize(v)}")
        return tuple(tuple(g) for g in groups.values())


def parse_attribute_filters(specs: list[str] | tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``["colour=red"]`` → ``(("colour", "red"),)``; raises InputError on a malformed spec."""
    out: list[tuple[str, str]] = []
    for spec in specs:
        key, sep, value = spec.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"attribute filter {spec!r} is not key=value")
        out.append((key.strip(), value.strip()))
    return tuple(out)
