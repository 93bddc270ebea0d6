"""What a search request costs on its first page, and on a page past the ranked head;
and whether paging lists each result once under one total.

    .venv/bin/python benchmarks/search_paging.py --db /tmp/rev15/demo.db \\
        --data-dir /tmp/rev15/.shopsense [--queries 200] [--runs 5] [--deep]

Queries are 1–4 leading words of random catalogue titles (as ``search_latency.py``),
each searched as ``SearchService.search`` does for ``shopsense search`` (hybrid, page 1
of 10; also parsed, and also sorted by price), after one untimed pass (query vectors and
postings cached, so the rows time what a page costs beyond encoding). Rows are medians
over ``--runs`` passes; ``cpu_ms`` is process CPU per request. ``--deep`` adds page 11
and a check of every page of the first 20 queries. Runs against any checkout
(``PYTHONPATH=…/src``): it only calls ``SearchService.search``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from _common import report
from search_latency import queries_for
from shopsense.app.search import SearchRequest, SearchService
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.evaluation.metrics import percentile


def timed(search: SearchService, requests: list[SearchRequest]) -> tuple[float, float]:
    """p50 wall ms and mean CPU ms per request."""
    times, c0 = [], time.process_time()
    for r in requests:
        t0 = time.perf_counter()
        search.search(r)
        times.append((time.perf_counter() - t0) * 1000)
    return percentile(times, 50), (time.process_time() - c0) * 1000 / len(requests)


def paged_once(search: SearchService, query: str) -> bool:
    """Whether every page of 10 of ``query`` has one total and one facet count and the
    pages list ``min(total, 1000)`` products, each once."""
    first = search.search(SearchRequest(query, size=10))
    ids, same, page = [h.product.id for h in first.hits], True, 2
    while (page - 1) * 10 < min(first.total, 1000):
        r = search.search(SearchRequest(query, size=10, page=page))
        same &= r.total == first.total and r.facets == first.facets
        ids += [h.product.id for h in r.hits]
        page += 1
    return same and len(ids) == len(set(ids)) == min(first.total, 1000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--deep", action="store_true")
    args = ap.parse_args()
    svc = Services.from_settings(Settings(db=args.db, data_dir=args.data_dir))
    search = svc.search()
    search.understand = svc.query.parse
    qs = queries_for(search.pipeline.index.table.titles, args.queries)
    name = f"{Path(args.db).name} ({len(search.pipeline.index.table)} products)"
    variants = {
        "page 1": [SearchRequest(q, size=10) for q in qs],
        "page 1, understand": [SearchRequest(q, size=10, understand=True) for q in qs],
        "page 1, by price": [SearchRequest(q, size=10, sort="price_asc") for q in qs],
    }
    if args.deep:
        variants["page 11"] = [SearchRequest(q, size=10, page=11) for q in qs]
    rows: list[dict[str, object]] = []
    for label, requests in variants.items():
        timed(search, requests)  # untimed pass: query vectors, postings, parses cached
        runs = [timed(search, requests) for _ in range(args.runs)]
        totals = [search.search(r).total for r in requests]
        rows.append(
            {
                "catalogue": name,
                "code": args.label,
                "request": label,
                "p50_ms": statistics.median(r[0] for r in runs),
                "cpu_ms": statistics.median(r[1] for r in runs),
                "cpu_runs": [round(r[1], 2) for r in runs],
                "total_median": statistics.median(totals),
                "over_100": sum(t > 100 for t in totals),
                "load": round(os.getloadavg()[0], 1),
            }
        )
    if args.deep:
        ok = sum(paged_once(search, q) for q in qs[:20])
        rows.append({"catalogue": name, "code": args.label, "request": f"paged once: {ok}/20"})
    svc.close()
    report(
        f"search_paging {args.label}".strip(),
        rows,
        ["catalogue", "code", "request", "p50_ms", "cpu_ms", "cpu_runs", "total_median", "load"],
    )


if __name__ == "__main__":
    main()
