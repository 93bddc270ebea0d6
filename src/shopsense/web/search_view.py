"""Storefront view of a search result: facet links, sort choices and "why this result"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from shopsense.app.search import Explanation, SearchResult

SORTS = [
    ("relevance", "Relevance"),
    ("price_asc", "Price: low to high"),
    ("price_desc", "Price: high to low"),
    ("newest", "Newest"),
]


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int
    href: str
    active: bool


@dataclass(frozen=True)
class FacetView:
    name: str
    field: str
    values: list[FacetValue]


def href(base: str, params: dict[str, Any]) -> str:
    pairs = []
    for key, value in params.items():
        if value in (None, "", False, 0):
            continue
        for v in value if isinstance(value, list) else [value]:
            pairs.append((key, v))
    return f"{base}/?{urlencode(pairs)}" if pairs else f"{base}/"


def why_lines(why: Explanation | None) -> list[str]:
    """An explanation in words: fields matched, the features that weighed most, what the
    query's parse added."""
    if why is None:
        return []
    lines = [f"{field} matched: {', '.join(terms)}" for field, terms in why.matched.items()]
    top = sorted(why.contributions.items(), key=lambda kv: -abs(kv[1]))[:4]
    lines += [f"{name}: {gain:+.3f} to the ranker's score" for name, gain in top]
    for reason, gain in why.parse.items():
        kind, _, value = reason.partition(" ")
        said = "predicted for" if kind == "category" else "named in"
        lines.append(f"{kind} {value}, {said} your query: {gain:+.2f}")
    lines += why.notes
    lines.append(f"ranked by {why.ranker}")
    return lines


def facet_views(result: SearchResult, base: str, params: dict[str, Any]) -> list[FacetView]:
    out = []
    brands = list(params.get("brand") or [])
    values = []
    for name, n in result.facets.brand.items():
        chosen = name in brands
        nxt = [b for b in brands if b != name] if chosen else [*brands, name]
        values.append(FacetValue(name, n, href(base, {**params, "brand": nxt, "page": 1}), chosen))
    if values:
        out.append(FacetView("Brand", "brand", values))
    current = params.get("category") or ""
    depth = current.count(">") + 1 if current else 0
    levels = result.facets.category
    if depth < len(levels) or current:
        level = levels[min(depth, len(levels) - 1)] if levels else {}
        values = [
            FacetValue(
                path.split(" > ")[-1],
                n,
                href(base, {**params, "category": path, "page": 1}),
                path == current,
            )
            for path, n in level.items()
        ]
        if current:
            values.insert(
                0,
                FacetValue(
                    "← all categories",
                    result.total,
                    href(base, {**params, "category": None, "page": 1}),
                    False,
                ),
            )
        out.append(FacetView("Category", "category", values))
    in_stock = bool(params.get("in_stock"))
    avail = result.facets.availability
    if avail:
        out.append(
            FacetView(
                "Availability",
                "in_stock",
                [
                    FacetValue(
                        "in stock only",
                        avail.get("in_stock", 0),
                        href(base, {**params, "in_stock": not in_stock, "page": 1}),
                        in_stock,
                    )
                ],
            )
        )
    return out


def understood_lines(result: SearchResult) -> list[str]:
    """What the search read in the query and did with it, one line per part used."""
    out = []
    for use in result.understood:
        said = f"“{use.text}” → " if use.text else ""
        if use.use != "unused":
            out.append(f"{said}{use.field} {use.value}: {use.note}")
    return out
