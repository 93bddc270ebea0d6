"""The quality commands as a user meets them, on real data slices."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopsense.evaluation.dedup import read_gold


def run(*args: str, db: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SHOPSENSE_DB=str(db), OMP_NUM_THREADS="1")
    return subprocess.run(
        [sys.executable, "-m", "shopsense.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )


def test_ingest_check_report(tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "id,title,price,description\n"
        "A1,Sony Turntable - PSLX350H,149,<p>Belt&nbsp;drive</p>\n"
        "A2,Sony PS-LX350H Belt Drive Turntable,139,\n"
        "A3,Gold plated garden hose,5000000,\n",
        encoding="utf-8",
    )
    db = tmp_path / "q.db"
    summary = json.loads(run("ingest", str(feed), "--json", db=db).stdout)
    assert summary["conserved"] and summary["reasons"] == {"price_out_of_range": 1}
    assert summary["repair_codes"]["html_to_text"] == 1
    check = json.loads(run("quality", "check", "--json", db=db).stdout)
    assert check["conserved"] and (check["rows_read"], check["clusters"]) == (2, 1)
    assert check["scorer"].startswith("rule scorer")
    figures = json.loads(run("quality", "report", "--json", db=db).stdout)
    assert figures["duplicate_totals"] == {"clusters": 1, "products": 2}
    out = tmp_path / "r.html"
    run("quality", "report", "--out", str(out), db=db)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    plain = json.loads(run("ingest", str(feed), "--no-gate", "--json", db=tmp_path / "p.db").stdout)
    assert "html_to_text" not in plain["repair_codes"]


def _slice(src: Path, dst: Path, keep: set[str]) -> None:
    lines = src.read_text(encoding="utf-8").splitlines()
    dst.write_text(
        "\n".join([lines[0], *(ln for ln in lines[1:] if ln.split("|")[0] in keep)]) + "\n",
        encoding="utf-8",
    )


@pytest.mark.slow
def test_eval_dedup_on_an_abt_buy_slice(shared_data: Path, tmp_path: Path) -> None:
    d2 = shared_data / "entity_matching" / "D2"
    gold = sorted(read_gold(d2 / "gt.csv", "|"))[:100]
    _slice(d2 / "abt.csv", tmp_path / "a.csv", {g[0] for g in gold})
    _slice(d2 / "buy.csv", tmp_path / "b.csv", {g[1] for g in gold})
    (tmp_path / "g.csv").write_text("D1|D2\n" + "".join(f"{a}|{b}\n" for a, b in gold))
    out = run(
        "eval",
        "dedup",
        "--left",
        str(tmp_path / "a.csv"),
        "--right",
        str(tmp_path / "b.csv"),
        "--gold",
        str(tmp_path / "g.csv"),
        "--sep",
        "|",
        "--folds",
        "3",
        "--json",
        db=tmp_path / "x.db",
    )
    result = json.loads(out.stdout)
    assert result["gold_pairs"] == 100 and result["left_rows"] == 100
    assert result["pair_completeness"] >= 0.95 and result["reduction_ratio"] >= 0.8
    assert result["rule"]["f1"] >= 0.85
    assert result["learned"]["f1"] >= 0.7
    assert result["seconds"]["total"] > 0


@pytest.mark.slow
def test_a_trained_scorer_is_stored_and_used_by_quality_check(
    shared_data: Path, tmp_path: Path
) -> None:
    d2 = shared_data / "entity_matching" / "D2"
    gold = sorted(read_gold(d2 / "gt.csv", "|"))[:120]
    _slice(d2 / "abt.csv", tmp_path / "a.csv", {g[0] for g in gold})
    _slice(d2 / "buy.csv", tmp_path / "b.csv", {g[1] for g in gold})
    (tmp_path / "g.csv").write_text("D1|D2\n" + "".join(f"{a}|{b}\n" for a, b in gold))
    db = tmp_path / "m.db"
    files = ["--left", str(tmp_path / "a.csv"), "--right", str(tmp_path / "b.csv")]
    args = [*files, "--gold", str(tmp_path / "g.csv"), "--sep", "|", "--folds", "3"]
    trained = json.loads(run("train", "dedup", *args, "--json", db=db).stdout)
    assert trained["version"] == 1 and 0.1 <= trained["threshold"] <= 0.9
    assert trained["meta"]["positives"] >= 114 and trained["meta"]["out_of_fold"]["f1"] >= 0.7
    assert json.loads(run("train", "dedup", *args, "--json", db=db).stdout)["version"] == 2
    run("ingest", str(tmp_path / "b.csv"), "--sep", "|", db=db)
    check = json.loads(run("quality", "check", "--json", db=db).stdout)
    assert check["scorer"] == "learned scorer v2" and check["conserved"]
