"""The CLI as a user meets it: real commands, a real store, JSON for programs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import typer.main

from shopsense.cli.main import app, input_problem
from shopsense.storage.engine import sqlite_file

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SHOPSENSE_DB=str(db))
    return subprocess.run(
        [sys.executable, "-m", "shopsense.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


def command_paths() -> list[str]:
    root = typer.main.get_command(app)
    paths: list[str] = []

    def walk(cmd: Any, prefix: str) -> None:
        if hasattr(cmd, "commands"):  # a group (typer bundles its own click)
            for name, sub in cmd.commands.items():
                walk(sub, f"{prefix} {name}")
        else:
            paths.append(prefix)

    walk(root, "shopsense")
    return paths


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = command_paths()
    assert "shopsense products list" in paths and "shopsense ingest" in paths
    missing = [p for p in paths if f"`{p}" not in readme]
    assert not missing, f"commands missing from README.md: {missing}"


def test_ingest_list_show_quarantine_json(tmp_path: Path) -> None:
    feed = tmp_path / "feed.tsv"
    feed.write_text("sku\tname\tprice\nS1\t蓝牙耳机\t199元\nS2\tBroken\t-1\n", encoding="utf-8")
    db = tmp_path / "cli.db"
    out = run("ingest", str(feed), "--map", "id=sku", "--json", db=db)
    summary = json.loads(out.stdout)
    assert summary["rows_read"] == 2 and summary["conserved"] is True
    assert summary["reasons"] == {"negative_price": 1}

    listed = json.loads(run("products", "list", "--json", db=db).stdout)
    assert listed["total"] == 1 and listed["items"][0]["title"] == "蓝牙耳机"
    shown = json.loads(run("products", "show", "S1", "--json", db=db).stdout)
    assert (shown["price"], shown["currency"]) == (199.0, "CNY")
    quarantined = json.loads(run("quarantine", "list", "--json", db=db).stdout)
    assert quarantined["reasons"] == {"negative_price": 1}
    assert quarantined["items"][0]["line_no"] == 3

    human = run("ingest", str(feed), "--map", "id=sku", db=db).stdout
    assert "rows read 2 = accepted 1 + quarantined 1" in human
    assert "1 unchanged" in human


def test_errors_are_messages_with_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    bad_map = tmp_path / "f.csv"
    bad_map.write_text("a,b\n1,2\n")
    result = run("ingest", str(bad_map), db=db, check=False)
    assert result.returncode == 2 and "--map id=COLUMN" in result.stderr
    assert "Traceback" not in result.stderr
    missing = run("products", "show", "nope", db=db, check=False)  # the store is there now
    assert missing.returncode == 3 and "no product with id 'nope'" in missing.stderr


def test_bad_files_stores_and_settings_are_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    gone = run(
        "index", "train-ranker", "--queries", "nope.tsv", "--qrels", "q.txt", db=db, check=False
    )
    assert gone.returncode == 2 and "no such file: nope.tsv" in gone.stderr
    not_a_store = tmp_path / "notes.db"
    not_a_store.write_text("these are my notes, not a database\n" * 100)
    opened = run("search", "shoes", "--db", str(not_a_store), db=db, check=False)
    assert opened.returncode == 1 and "error (storage_error)" in opened.stderr
    assert "file is not a database" in opened.stderr
    env = dict(os.environ, SHOPSENSE_DB=str(db), SHOPSENSE_INTENT_THRESHOLD="abc")
    bad = subprocess.run(
        [sys.executable, "-m", "shopsense.cli.main", "parse", "nike"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "SHOPSENSE_INTENT_THRESHOLD='abc'" in bad.stderr
    for result in (gone, opened, bad):
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) <= 2


def test_reading_commands_refuse_a_store_that_is_not_there(tmp_path: Path) -> None:
    typo = tmp_path / "nodir" / "x.db"
    for args in (["search", "shoes"], ["parse", "nike"], ["products", "list"]):
        result = run(*args, "--db", str(typo), db=tmp_path / "cli.db", check=False)
        assert result.returncode == 2 and f"no store at {typo}" in result.stderr, args
    assert not typo.parent.exists()  # nothing was created
    assert sqlite_file("postgresql://u@h/db") is None and sqlite_file("a/b.db") == Path("a/b.db")


def test_input_problems_get_messages_and_defects_do_not() -> None:
    latin1 = UnicodeDecodeError("utf-8", b"caf\xe9", 3, 4, "invalid continuation byte")
    assert input_problem(latin1) == (
        "a file is not UTF-8 text (byte 0xe9 at offset 3); save it as UTF-8"
    )
    folder = IsADirectoryError(21, "Is a directory", "/tmp")
    assert input_problem(folder) == "/tmp is a directory, not a file"
    assert input_problem(zipfile.BadZipFile("File is not a zip file")) == (
        "not a valid zip file: File is not a zip file"
    )
    assert input_problem(ValueError("a bug of ours")) is None
    assert input_problem(OSError("no file involved")) is None
    assert input_problem(FileNotFoundError("no name")) is None
    full = OSError(28, "No space left on device", "/tmp/out.db")
    assert input_problem(full) == "/tmp/out.db: No space left on device"  # not "cannot read"
    denied = PermissionError(13, "Permission denied", "/etc/shadow")
    assert input_problem(denied) == "/etc/shadow: Permission denied"


def test_help_for_every_command(tmp_path: Path) -> None:
    for path in command_paths():
        args = path.split()[1:]
        result = run(*args, "--help", db=tmp_path / "x.db")
        assert "Usage" in result.stdout, path
