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
    # the demo builds the search index and prints ranked hits with a reason
    assert "search 'sony headphones':" in out
    sony = out.split("search 'sony headphones':")[1].split("search ")[0]
    assert "1. Sony" in sony and "why: matched title=sony+headphones" in sony
    zh = out.split("search '小米手机':")[1].split("search ")[0]
    assert "1. 小米" in zh and "why: matched title=小米+手机" in zh
    # queries are parsed first: attribute filters with spans and the predicted intent
    assert "intent model v1: trained on weak labels" in out
    assert "parsed: filter brand=Sony from 'sony' (0, 4)" in sony
    assert "parsed: intent: Electronics > Audio > Headphones" in sony
    backpack = out.split("search 'backpack under 50':")[1]
    assert "parsed: filter price=-50 from 'under 50' (9, 17)" in backpack
