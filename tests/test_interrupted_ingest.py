"""An ingest killed half-way leaves a consistent store that a re-run completes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, select

from shopsense.catalog.ingest import ingest_file
from shopsense.catalog.store import ProductStore
from shopsense.storage.schema import ingest_runs

ROWS = 60_000  # large enough that a signal sent after the first batch lands mid-run


def write_big(tmp_path: Path) -> Path:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,title,price\n")
        for i in range(ROWS):
            fh.write(f"P{i:06d},Product number {i},{i % 500}.99\n")
    return path


def test_killed_ingest_is_consistent_and_rerunnable(
    engine: Engine, store_url: str, tmp_path: Path
) -> None:
    path = write_big(tmp_path)
    env = dict(os.environ, SHOPSENSE_DB=store_url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "shopsense.cli.main", "ingest", str(path), "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = ProductStore(engine)
    deadline = time.monotonic() + 60
    while store.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = store.count()
    assert 0 < partial < ROWS, "the kill should land mid-ingest"
    assert partial % 2000 == 0, "only whole batches are ever committed"
    with engine.connect() as conn:
        run = conn.execute(select(ingest_runs)).mappings().one()
    assert run["status"] == "running" and run["accepted"] == partial

    summary = ingest_file(engine, path)
    assert summary.conserved and summary.accepted == ROWS
    assert (summary.inserted, summary.unchanged) == (ROWS - partial, partial)
    assert store.count() == ROWS


def test_ctrl_c_marks_the_run_interrupted(sqlite_engine: Engine, tmp_path: Path) -> None:
    path = write_big(tmp_path)
    db = sqlite_engine.url.database
    assert db is not None
    proc = subprocess.Popen(
        [sys.executable, "-m", "shopsense.cli.main", "ingest", str(path), "--db", db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    store = ProductStore(sqlite_engine)
    deadline = time.monotonic() + 60
    while store.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    # Hold SQLite's write lock so the ingest cannot finish however fast the machine is:
    # its next commit waits (busy timeout) while Ctrl-C arrives; then let it go.
    lock = sqlite3.connect(db, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    partial = store.count()
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    lock.execute("ROLLBACK")
    lock.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "run the same command again" in err
    with sqlite_engine.connect() as conn:
        run = conn.execute(select(ingest_runs)).mappings().one()
    assert run["status"] == "interrupted"
    assert run["accepted"] == store.count() < ROWS
    assert 0 < partial <= store.count() <= partial + 2000  # at most the batch in flight
