"""Bits shared by the benchmark scripts: data location, a throwaway PostgreSQL, output."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    env = os.environ.get("SHOPSENSE_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


@contextmanager
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (scripts/pg-cluster.sh), stopped afterwards."""
    pgdir = tempfile.mkdtemp(prefix="shopsense-bench-pg.")
    script = str(ROOT / "scripts" / "pg-cluster.sh")
    out = subprocess.run([script, "start", pgdir], check=True, capture_output=True, text=True)
    try:
        yield out.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([script, "stop", pgdir], check=False)


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def report(name: str, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """Print the JSON record, then a short table."""
    payload = {
        "benchmark": name,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "rows": list(rows),
    }
    print(json.dumps(payload, indent=2, ensure_ascii=False))
    # the latest record of each benchmark, plotted on the admin page (`/admin`)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / f"{name}.json").write_text(
        json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    widths = [max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns]
    print()
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in rows:
        print("  ".join(_fmt(r.get(c)).ljust(w) for c, w in zip(columns, widths, strict=True)))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)
