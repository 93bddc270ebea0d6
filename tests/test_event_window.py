"""Event ingestion quarantines events outside the expected time window, on real Taobao rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.events.loaders import LoadOptions

# the Taobao UserBehavior sample's documented span (its SOURCE.md): 2017-11-25 … 12-03
START = datetime(2017, 11, 25, tzinfo=UTC)
END = datetime(2017, 12, 3, 23, 59, 59, tzinfo=UTC)


def _head(shared_data: Path, folder: Path, rows: int) -> tuple[Path, int]:
    src = shared_data / "taobao_userbehavior" / "UserBehavior_head_clean.csv"
    lines = src.read_text(encoding="utf-8").splitlines()[: rows + 1]
    outside = sum(
        1 for ln in lines[1:] if not START.timestamp() <= int(ln.split(",")[4]) <= END.timestamp()
    )
    path = folder / "taobao.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, outside


def test_events_outside_the_window_are_quarantined_and_rows_conserved(
    shared_data: Path, tmp_path: Path
) -> None:
    path, outside = _head(shared_data, tmp_path, 3000)
    assert outside > 0, "the slice must hold events outside the window"
    settings = Settings(db=str(tmp_path / "e.db"), data_dir=tmp_path / "data")
    svc = Services.from_settings(settings)
    try:
        summary = svc.ingest_events(path, LoadOptions(format="taobao"), (START, END))
        stored = [logged.event for logged in svc.events.iter()]
        kept = svc.quarantine.page(reason="event_outside_window", limit=1000)
    finally:
        svc.close()
    assert summary.rows_read == 3000 == summary.accepted + summary.quarantined
    assert summary.reasons == {"event_outside_window": outside}
    assert summary.accepted == len(stored) == 3000 - outside
    assert all(START <= e.timestamp <= END for e in stored)
    assert len(kept) == outside and all("outside" in q.detail for q in kept)


def test_without_a_window_every_parsed_event_is_accepted(shared_data: Path, tmp_path: Path) -> None:
    path, _ = _head(shared_data, tmp_path, 200)
    svc = Services.from_settings(Settings(db=str(tmp_path / "e.db"), data_dir=tmp_path / "d"))
    try:
        summary = svc.ingest_events(path, LoadOptions(format="taobao"))
    finally:
        svc.close()
    assert (summary.rows_read, summary.accepted, summary.quarantined) == (200, 200, 0)


def test_the_window_from_the_command_line(shared_data: Path, tmp_path: Path) -> None:
    path, outside = _head(shared_data, tmp_path, 300)
    env = dict(os.environ, SHOPSENSE_DB=str(tmp_path / "c.db"), OMP_NUM_THREADS="1")
    window = ["--window-start", "2017-11-25T00:00:00Z", "--window-end", str(int(END.timestamp()))]
    out = subprocess.run(
        [sys.executable, "-m", "shopsense.cli.main", "events", "ingest", str(path)]
        + ["--format", "taobao", *window, "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(out.stdout)
    assert outside > 0 and summary["reasons"] == {"event_outside_window": outside}
    assert summary["rows_read"] == 300 == summary["accepted"] + summary["quarantined"]
