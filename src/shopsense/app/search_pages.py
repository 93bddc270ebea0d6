"""What a search lists, in what order, page after page.

A query's **result set** is every product passing the filters that holds a word of
the query (all of them, however many: the union of the lexical index's postings),
plus those that only the semantic index found among its best ``DEFAULT_POOL`` whose
cosine with the query is at least ``DENSE_FLOOR`` (``dense`` mode: those alone).
``total`` and the facets count it; neither depends on the page asked for. (A filter
narrows the semantic index's best to the products passing it, so a filtered search
can hold semantic-only products the unfiltered facet did not count; never a word match.)

It is listed in two runs of the pipeline, each the same whatever the page:

* the **head**, the run over the best ``DEFAULT_POOL`` candidates of each retriever,
  in the ranker's order: the first 100 results, what nearly every shopper sees, are
  what they were before one could page past them;
* the **tail**, run only for a page that reaches past the head: a run over the best
  ``min(total, MAX_RESULTS)`` lexical candidates (and the head's semantic ones), in
  its order, without the head's products.

The pages, one after the other, list each product of the result set once, up to
``MAX_RESULTS`` (a notice says when there are more). Sorted by price or date, a result
set larger than the head is listed from the deeper run alone, in that order: the first
page holds the cheapest product that holds a word of the query, wherever the ranker
put it (of the best ``MAX_RESULTS`` matches when there are more, and a notice says so).
Sorted, the result set leaves out the semantic-only products when some product holds
the words.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import numpy.typing as npt

from shopsense.ranking.features import FEATURES
from shopsense.ranking.pipeline import Ranked
from shopsense.retrieval.doctable import DocTable
from shopsense.text.normalize import has_cjk

MAX_RESULTS = 1000  # results reachable by paging
#: Least query cosine of a product only the semantic index found, to be a result (in
#: every mode). On the demo, cross-language neighbours (``降噪耳机`` → noise-cancelling
#: earbuds) are 0.25–0.32 and nonsense queries' best 0.06–0.12.
DENSE_FLOOR = 0.2
SORTED_BY = {"price_asc": "price", "price_desc": "price", "newest": "date"}

Rows = npt.NDArray[np.int64]


def result_set(ranked: Ranked) -> list[int]:
    """Every lexical candidate and the semantic-only ones at ``DENSE_FLOOR`` or above."""
    if ranked.lexical.all():
        return list(range(len(ranked.rows)))
    near = ranked.features[:, FEATURES.index("dense")] >= DENSE_FLOOR
    return [int(i) for i in np.flatnonzero(ranked.lexical | near)]


def sort_order(
    ranked: Ranked, sort: str, table: DocTable, first: str | None = None
) -> tuple[list[int], list[str]]:
    """``ranked``'s result set in ``sort`` order, and the currencies it was sorted apart by
    (prices are never converted: by price, each currency's products come together,
    currency ``first`` first, then the one with most of them; none when there is one)."""
    keep = result_set(ranked)
    if sort == "relevance":
        return keep, []
    # sorted, a product near in meaning only would rank by price among the ones that hold
    # the words (nike by price: the cheapest socks of other brands first); where some hold
    # them, only those are listed
    keep = [i for i in keep if ranked.lexical[i]] or keep
    rows = ranked.rows[keep]
    groups: list[str] = []
    group = [0] * len(keep)
    if sort == "newest":
        values, sign = table.updated[rows], -1.0
    else:
        values, sign = table.prices[rows], (1.0 if sort == "price_asc" else -1.0)
        held = [table.currencies[r] or "" for r in rows.tolist()]
        counts = Counter(c for c, v in zip(held, values, strict=True) if c and not math.isnan(v))
        if len(counts) > 1:  # a price without a currency comes after the named ones
            groups = sorted(counts, key=lambda c: (c != first, -counts[c], c))
            place = {c: n for n, c in enumerate(groups)}
            group = [place.get(c, len(groups)) for c in held]
    key = [
        (math.isnan(v), g, 0.0 if math.isnan(v) else sign * v, i)
        for i, g, v in zip(keep, group, values, strict=True)
    ]
    return [k[3] for k in sorted(key)], groups


def script_currencies(table: DocTable) -> dict[bool, str]:
    """The currency most of ``table``'s priced titles are in, for Chinese titles (``True``)
    and for the others (``False``): a price sort lists it first for a query in that
    script (ties: the first code alphabetically)."""
    held: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for title, currency in zip(table.titles, table.currencies, strict=True):
        if currency:
            held[has_cjk(title)][currency] += 1
    return {k: min(v, key=lambda c: (-v[c], c)) for k, v in held.items() if v}


def listed(head: Rows, matched: Rows, rows: int) -> Rows:
    """The rows of the result set, of a table of ``rows``: the head's (in its order), then
    the other ``matched`` rows in their order (facets count them in this order, the same
    on every page)."""
    shown = np.zeros(rows, dtype=bool)
    shown[head] = True
    return np.concatenate([head, matched[~shown[matched]]]).astype(np.int64)


def tail(head: Rows, results: Rows, deep: Ranked, order: list[int]) -> list[int]:
    """The candidates of ``deep`` (positions in ``order``, its sorted result set) that
    are results not in the head."""
    rows = deep.rows[order]
    keep = np.isin(rows, results) & ~np.isin(rows, head)
    return [i for i, k in zip(order, keep.tolist(), strict=True) if k]


def paging_notices(sort: str, total: int, head: int) -> list[str]:
    """What a shopper should know of the pages of a result set of ``total`` whose head
    holds ``head`` of them."""
    out = []
    if total > head and sort in SORTED_BY:
        out.append(f"sorted by {SORTED_BY[sort]} among the best {head} of {total} matches")
    if total > MAX_RESULTS:
        out.append(f"showing the first {MAX_RESULTS} of {total} results")
    return out
