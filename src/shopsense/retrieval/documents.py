"""What a product looks like to the search indexes: tokenized fields and filter values.

Text goes through the one shared tokenizer with plural nouns folded
(``shopsense.text.singular.search_terms``) before it reaches any index; the query
side and the ranking features use the same function, so they always agree on terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shopsense.catalog.schema import CATEGORY_SEP, Product
from shopsense.catalog.values import currency_code
from shopsense.text.normalize import normalize
from shopsense.text.singular import search_terms

#: Searchable text fields, in the order features and explanations list them.
TEXT_FIELDS = ("title", "brand", "category", "attributes", "description")


@dataclass(frozen=True)
class FieldWeights:
    """BM25 boost of each text field (the lexical score is the weighted sum)."""

    title: float = 3.0
    brand: float = 2.0
    category: float = 1.5
    attributes: float = 1.0
    description: float = 0.5

    def of(self, name: str) -> float:
        value: float = getattr(self, name)
        return value

    def as_dict(self) -> dict[str, float]:
        return {name: self.of(name) for name in TEXT_FIELDS}


@dataclass(frozen=True)
class IndexDoc:
    """One product as the lexical index stores it (``key`` is the index's integer id)."""

    key: int
    terms: dict[str, list[str]]
    brand: str | None
    category_prefixes: tuple[str, ...]
    attribute_pairs: tuple[str, ...]
    availability: str
    price: float | None
    updated_at: float | None = None
    currency: str | None = None  # upper case, as ``SearchFilters.currency_term``


def category_prefixes(category: tuple[str, ...]) -> tuple[str, ...]:
    """``(A, B, C)`` → ``("a", "a > b", "a > b > c")``, normalised, for prefix filters."""
    parts = [normalize(c) for c in category]
    return tuple(CATEGORY_SEP.join(parts[: i + 1]) for i in range(len(parts)))


def category_prefix_set(categories: Iterable[Sequence[str]]) -> frozenset[str]:
    """Every prefix of every category path in ``categories`` (:func:`category_prefixes`)."""
    return frozenset(p for c in set(map(tuple, categories)) for p in category_prefixes(c))


def attribute_pair(key: str, value: str) -> str:
    """The filter term of one attribute: ``"colour=red"`` (normalised)."""
    return f"{normalize(key)}={normalize(value)}"


def product_text(product: Product) -> str:
    """One string for the sentence encoder: title, brand, category, then description."""
    parts = [product.title, product.brand or "", " ".join(product.category)]
    if product.description:
        parts.append(product.description[:300])
    return " | ".join(p for p in parts if p)


def to_index_doc(key: int, product: Product) -> IndexDoc:
    """Tokenize every searchable field of ``product``."""
    attrs = " ".join(f"{k} {v}" for k, v in product.attributes.items())
    terms = {
        "title": search_terms(product.title),
        "brand": search_terms(product.brand or ""),
        "category": search_terms(" ".join(product.category)),
        "attributes": search_terms(attrs),
        "description": search_terms(product.description or ""),
    }
    updated = product.updated_at.timestamp() if product.updated_at else None
    return IndexDoc(
        key=key,
        terms=terms,
        brand=normalize(product.brand) if product.brand else None,
        category_prefixes=category_prefixes(product.category),
        attribute_pairs=tuple(attribute_pair(k, v) for k, v in product.attributes.items()),
        availability=product.availability.value,
        price=product.effective_price,
        currency=currency_code(product.currency),
        updated_at=updated,
    )
