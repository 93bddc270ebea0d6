"""Ingest the 44k-row Myntra catalogue (styles_full.csv.zip) into a fresh store, several times.

    .venv/bin/python benchmarks/ingest_myntra.py [--runs 3] [--no-postgres]

Prints rows/s (median of runs) for SQLite and PostgreSQL, first ingest and the
idempotent re-ingest.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from _common import postgres, report, shared_data
from shopsense.catalog.ingest import IngestOptions, ingest_file
from shopsense.storage.engine import normalise_url, open_store

MAPPING = ("title=productDisplayName", "category=masterCategory/subCategory/articleType")


def run_once(url: str, path: Path) -> tuple[float, float, int]:
    engine = open_store(url)
    first = ingest_file(engine, path, IngestOptions(mapping=MAPPING))
    again = ingest_file(engine, path, IngestOptions(mapping=MAPPING))
    engine.dispose()
    assert first.conserved and again.unchanged == first.accepted
    return first.seconds, again.seconds, first.rows_read


def bench(backend: str, make_url: object, path: Path, runs: int) -> dict[str, object]:
    firsts, agains, rows = [], [], 0
    for _ in range(runs):
        url = make_url()  # type: ignore[operator]
        first, again, rows = run_once(url, path)
        firsts.append(first)
        agains.append(again)
    return {
        "backend": backend,
        "rows": rows,
        "runs": runs,
        "first_s_median": statistics.median(firsts),
        "first_rows_per_s": rows / statistics.median(firsts),
        "reingest_s_median": statistics.median(agains),
        "reingest_rows_per_s": rows / statistics.median(agains),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    path = shared_data() / "myntra_fashion" / "styles_full.csv.zip"
    tmp = Path(tempfile.mkdtemp(prefix="shopsense-bench."))
    results = [bench("sqlite", lambda: str(tmp / f"{uuid.uuid4().hex}.db"), path, args.runs)]
    if not args.no_postgres:
        with postgres() as admin_url:
            admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")

            def fresh_pg() -> str:
                name = f"b_{uuid.uuid4().hex[:10]}"
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                return admin_url.rsplit("/", 1)[0] + "/" + name

            results.append(bench("postgresql", fresh_pg, path, args.runs))
            admin.dispose()
    report(
        "ingest styles_full.csv.zip (44,446 rows)",
        results,
        [
            "backend",
            "runs",
            "first_s_median",
            "first_rows_per_s",
            "reingest_s_median",
            "reingest_rows_per_s",
        ],
    )


if __name__ == "__main__":
    main()
