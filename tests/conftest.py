"""Fixtures shared by the suite: real stores (SQLite file and PostgreSQL), the shared data."""

from __future__ import annotations

import os

# implicit (ALS/BPR) wants single-threaded BLAS; the shell sets it, here the test run
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from shopsense.events.interactions import Interactions, build_interactions
from shopsense.events.loaders import load_events
from shopsense.storage.engine import normalise_url, open_store

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``../shared/data`` beside the checkout (or $SHOPSENSE_SHARED_DATA)."""
    env = os.environ.get("SHOPSENSE_SHARED_DATA")
    path = Path(env) if env else ROOT.parent / "shared" / "data"
    if not path.is_dir():
        raise RuntimeError(
            f"real test data not found at {path}: check out the repository beside ../shared "
            "or set SHOPSENSE_SHARED_DATA"
        )
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return shared_data_dir()


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """The PostgreSQL cluster of this run: the one `make test` started, or one we start."""
    url = os.environ.get("SHOPSENSE_TEST_PG_URL")
    if url:
        yield url
        return
    # not under pytest's tmp dir: the postgres user must be able to reach it
    pgdir = Path(tempfile.mkdtemp(prefix="shopsense-pg."))
    script = ROOT / "scripts" / "pg-cluster.sh"
    out = subprocess.run(
        [str(script), "start", str(pgdir)], check=True, capture_output=True, text=True
    )
    try:
        yield out.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(script), "stop", str(pgdir)], check=False)


def _fresh_pg_database(admin_url: str) -> tuple[str, Engine, str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}", admin, name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
        return
    admin_url: str = request.getfixturevalue("pg_admin_url")
    url, admin, name = _fresh_pg_database(admin_url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    eng = open_store(store_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = open_store(str(tmp_path / "store.db"))
    try:
        yield eng
    finally:
        eng.dispose()


DEMO_DATA = ROOT / "src" / "shopsense" / "app" / "demo_data"


@pytest.fixture(scope="session")
def demo_catalog_rows() -> list[dict[str, str]]:
    """The valid rows of the shipped demo catalogue (the 6 bad rows at the end left out)."""
    import csv

    with (DEMO_DATA / "catalog.csv").open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r.get("id", "") <= "P0322" and r.get("title")][
            :322
        ]


@pytest.fixture(scope="session")
def demo_interactions(demo_catalog_rows: list[dict[str, str]]) -> Interactions:
    """The demo shop's 5,720 real events over all 322 catalogue items, with categories."""
    loaded = load_events(DEMO_DATA / "events.csv")
    return build_interactions(
        loaded.events,
        items=[r["id"] for r in demo_catalog_rows],
        item_category={r["id"]: r["category"] for r in demo_catalog_rows},
    )
