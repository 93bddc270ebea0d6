"""The demo runs end to end on the shipped sample catalogue."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_ingests_the_sample_and_reports_the_bad_rows(tmp_path: Path) -> None:
    env = dict(os.environ, SHOPSENSE_DB=str(tmp_path / "demo.db"))
    result = subprocess.run(
        [sys.executable, "-m", "shopsense.cli.main", "demo"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    out = result.stdout
    assert "rows read 328 = accepted 324 + quarantined 4" in out
    assert "quarantined line 324: negative_price" in out
    assert "flagged duplicate_id_in_file: 1" in out
    assert "rows read 5720 = accepted 5720 + quarantined 0" in out
    assert "recommendations: hybrid fitted on 5720 events, 60 users" in out
    for_you = out.split("for you: U001")[1].split("for you: U031")[0]
    assert for_you.count("because you") >= 3  # explained by the shopper's own history
    assert "running shoes" in for_you.lower()  # U001 is a runner
    assert "popular in" in out.split("for you: a new visitor")[1]
    together = out.split("bought together with P0001")[1]
    assert "often bought with" in together and "Sports Socks" in together


def test_demo_is_idempotent_on_events(tmp_path: Path) -> None:
    env = dict(os.environ, SHOPSENSE_DB=str(tmp_path / "demo.db"))
    args = [sys.executable, "-m", "shopsense.cli.main", "demo"]
    subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd=tmp_path)
    again = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd=tmp_path)
    assert "accepted: 0 new, 5720 already in the log" in again.stdout
