"""What one catalogue change costs a running server: ``Services.refresh_search`` on the
44k Myntra catalogue (``styles_full.csv.zip``), after a price change and after a title
change of one product, with the search service warm and the query parser in use (as
under the storefront). CPU seconds (``time.process_time``) and wall seconds per refresh,
median of ``--rounds`` changes of each kind. Lexical search only (``semantic=False``):
the semantic index takes a change as an exact delta of one vector (README), and leaving
it out keeps the first open from encoding 44k titles.

    .venv/bin/python benchmarks/search_refresh.py [--rounds 5]

Every run ingests into a fresh temporary store (the gate and an index build included),
so two versions of the code can be compared with the same command.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from _common import report, shared_data
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.catalog.ingest import IngestOptions

COLUMNS = ["change", "rounds", "cpu_s_median", "cpu_s_max", "wall_s_median"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="shopsense-bench-refresh-"))
    settings = Settings(db=str(root / "store.db"), data_dir=root / "data", semantic=False)
    svc = Services.from_settings(settings)
    path = shared_data() / "myntra_fashion" / "styles_full.csv.zip"
    mapping = ("title=productDisplayName", "category=masterCategory/subCategory/articleType")
    svc.ingest(path, IngestOptions(mapping=mapping, source="myntra"))
    t = time.perf_counter()
    svc.search().warm()
    svc.query.parse("red shirt")  # a parser in use
    opened = time.perf_counter() - t
    products = list(svc.products.iter_all())
    rng = random.Random(0)
    took: dict[str, list[tuple[float, float]]] = {"price": [], "title": []}
    for i in range(args.rounds):
        for change in ("price", "title"):
            p = rng.choice(products)
            new = (
                {"price": round((p.price or 10.0) * 0.9, 2)}
                if change == "price"
                else {"title": f"{p.title} v{i}"}
            )
            svc.products.upsert([p.model_copy(update=new)])
            c, w = time.process_time(), time.perf_counter()
            svc.refresh_search()
            took[change].append((time.process_time() - c, time.perf_counter() - w))
    svc.close()
    rows = [
        {
            "change": f"one product's {change}",
            "rounds": len(times),
            "cpu_s_median": statistics.median(c for c, _ in times),
            "cpu_s_max": max(c for c, _ in times),
            "wall_s_median": statistics.median(w for _, w in times),
            "products": len(products),
            "first_open_and_warm_s": opened,
        }
        for change, times in took.items()
    ]
    report("search-refresh", rows, COLUMNS)


if __name__ == "__main__":
    main()
