"""Where an in-process bm25 search spends its time: main's facet counting and store reads
per hit, side by side with this branch's one-pass facets and per-index product cache.

    .venv/bin/python benchmarks/search_request_cost.py --old-facets /tmp/facets_main.py

Same store, indexes and queries as ``load_api.py`` (the 44k Myntra catalogue cached in
/tmp/shopsense-load); the variants alternate query by query so machine noise hits
them alike. ``--old-facets`` is main's ``retrieval/facets.py`` saved to a file
(``git show main:src/shopsense/retrieval/facets.py > FILE``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from typing import Any

from _common import report
from load_api import CACHE, build_store, search_queries, zipf_mix
from shopsense.app.search_requests import search_request
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.catalog.store import ProductStore
from shopsense.storage.engine import open_store


class _OldFacets:
    """Main's ``facet_counts`` where the service counts facets."""

    def __init__(self, module: Any, table: Any) -> None:
        self.module, self.table = module, table

    def counts(self, rows: list[int]) -> Any:
        return self.module.facet_counts(self.table, rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--old-facets", required=True)
    ap.add_argument("--queries", type=int, default=400)
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("facets_main", args.old_facets)
    assert spec is not None and spec.loader is not None
    old = importlib.util.module_from_spec(spec)
    sys.modules["facets_main"] = old  # dataclasses look their module up while defining
    spec.loader.exec_module(old)
    db = build_store()
    engine = open_store(db)
    titles = [p.title for p in ProductStore(engine).iter_all()]
    engine.dispose()
    pool = search_queries(titles, 2000)[:1500]
    mixes = {"cold": pool[: args.queries], "zipf": zipf_mix(pool, args.queries)}
    settings = Settings(db=db, data_dir=CACHE / "data")
    svc = Services.from_settings(settings)
    service = svc.search()
    new_facets = service._facet_table()
    old_facets = _OldFacets(old, service.pipeline.index.table)
    rows: list[dict[str, Any]] = []
    try:
        for mix, queries in mixes.items():
            lat: dict[str, list[float]] = {"main": [], "branch": []}
            service._shown.clear()
            for q in queries:
                req = search_request(settings, q, size=10, mode="bm25")
                for name in ("main", "branch"):
                    cached = dict(service._shown)
                    if name == "main":  # main: old facets, every hit read from the store
                        service._facets = old_facets  # type: ignore[assignment]
                        service._shown.clear()
                    t = time.perf_counter()
                    service.search(req)
                    lat[name].append((time.perf_counter() - t) * 1000)
                    service._facets = new_facets
                    if name == "main":  # the branch's cache as it was before main ran
                        service._shown.clear()
                        service._shown.update(cached)
            for name, ms in lat.items():
                ms.sort()
                rows.append(
                    {
                        "name": f"{name}: bm25 search in-process, {mix} mix",
                        "p50_ms": statistics.median(ms),
                        "p99_ms": ms[int(0.99 * len(ms))],
                        "mean_ms": statistics.fmean(ms),
                        "loadavg_1m": os.getloadavg()[0],
                    }
                )
    finally:
        svc.close()
    report("search_request_cost", rows, ["name", "p50_ms", "p99_ms", "mean_ms", "loadavg_1m"])


if __name__ == "__main__":
    main()
