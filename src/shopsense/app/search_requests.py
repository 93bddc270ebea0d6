"""Search requests from shell parameters (HTTP query strings, page forms), one way for all."""

from __future__ import annotations

from collections.abc import Sequence

from shopsense.app.search import SearchRequest
from shopsense.app.settings import Settings
from shopsense.retrieval.filters import SearchFilters, parse_attribute_filters


def search_request(
    settings: Settings,
    q: str,
    *,
    brand: Sequence[str] = (),
    category: str | None = None,
    min_price: float | None = None,
    max_price: float | None = None,
    currency: str | None = None,
    in_stock: bool = False,
    attr: Sequence[str] = (),
    sort: str = "relevance",
    page: int = 1,
    size: int = 10,
    mode: str | None = None,
    explain: bool = False,
    understand: bool = False,
) -> SearchRequest:
    """A validated :class:`SearchRequest` (``InputError`` names what is wrong)."""
    filters = SearchFilters(
        brands=tuple(b for b in brand if b),
        category=category or None,
        min_price=min_price,
        max_price=max_price,
        currency=currency or None,
        in_stock=in_stock,
        attributes=parse_attribute_filters(list(attr)),
    )
    return SearchRequest(
        query=q,
        filters=filters,
        sort=sort,
        page=page,
        size=size,
        mode=mode or settings.search_mode,
        explain=explain,
        understand=understand,
    )
