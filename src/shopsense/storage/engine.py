"""Open a store by URL and bring its schema to the newest migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError

from shopsense.core.errors import StorageError

_MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and plain file paths as well as SQLAlchemy URLs."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _parse(url: str) -> URL:
    try:
        return make_url(normalise_url(url))
    except ArgumentError as exc:
        raise StorageError(f"cannot parse database URL {url!r}: {exc}") from exc


def _file_of(parsed: URL) -> Path | None:
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite store URL or path (None for PostgreSQL or in-memory)."""
    return _file_of(_parse(url))


def open_engine(url: str) -> Engine:
    """Create an engine for ``url`` (SQLite file path, sqlite:// or postgresql:// URL)."""
    full = normalise_url(url)
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        db = _file_of(parsed)
        if db is not None:
            db.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(full)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(full, pool_pre_ping=True)


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Upgrade the store behind ``engine`` to the newest revision (idempotent)."""
    cfg = _alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except DatabaseError as exc:  # unreachable, locked, or not a database at all
        raise StorageError(f"cannot open or migrate the store at {engine.url!r}: {exc}") from exc


def current_revision(engine: Engine) -> str | None:
    """The migration revision the store is at, or None for an empty store."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest migration revision shipped with this version of shopsense."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def open_store(url: str) -> Engine:
    """Open ``url`` and migrate it: the one call every service uses to get a store."""
    engine = open_engine(url)
    migrate(engine)
    return engine
