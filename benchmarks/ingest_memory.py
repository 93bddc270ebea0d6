"""Peak memory of `shopsense ingest` on 100k- and 1M-row generated files: does it stay flat?

    .venv/bin/python benchmarks/ingest_memory.py [--rows 100000 1000000]

Each ingest runs in its own process; peak RSS is read from getrusage(RUSAGE_CHILDREN)
of a fresh wrapper process so runs do not mask each other.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import report

WRAPPER = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def write_feed(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,title,brand,category,price,colour,description\n")
        for i in range(rows):
            fh.write(
                f"P{i:08d},Product {i} running shoe,Brand{i % 300},Footwear > Shoes,"
                f"{(i % 997) + 0.99},Colour{i % 17},A plain description of product {i}\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="shopsense-mem."))
    results = []
    for rows in args.rows:
        feed = tmp / f"feed_{rows}.csv"
        write_feed(feed, rows)
        db = tmp / f"store_{rows}.db"
        cmd = [
            sys.executable,
            "-m",
            "shopsense.cli.main",
            "ingest",
            str(feed),
            "--db",
            str(db),
            "--json",
        ]
        out = subprocess.run(
            [sys.executable, "-c", WRAPPER, *cmd], check=True, capture_output=True, text=True
        )
        peak_mb = int(out.stdout.strip().splitlines()[-1]) / 1024
        results.append(
            {"rows": rows, "file_mb": feed.stat().st_size / 2**20, "peak_rss_mb": peak_mb}
        )
    report("ingest peak memory", results, ["rows", "file_mb", "peak_rss_mb"])


if __name__ == "__main__":
    main()
