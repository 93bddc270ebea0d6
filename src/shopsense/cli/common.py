"""Options and output helpers shared by the CLI commands."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Annotated, Any

import typer
from pydantic import BaseModel

from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.core.errors import InputError
from shopsense.storage.engine import sqlite_file

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="SHOPSENSE_DB",
        help="Store: a SQLite file path or a postgresql:// URL (default: ./shopsense.db).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for programs.")]


def unescape_sep(sep: str | None) -> str | None:
    """A ``--sep`` value as typed on a shell (``\\t``, ``tab``) → the separator itself."""
    if sep is None:
        return None
    return {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(sep, sep)


def settings_for(db: str | None) -> Settings:
    return Settings(db=db) if db else Settings()


@contextmanager
def services(db: str | None, *, existing: bool = False) -> Iterator[Services]:
    """The services over store ``db`` (the settings' by default). ``existing``: a command
    that only reads refuses a SQLite store that is not there, instead of creating an empty
    one and answering from it (a mistyped ``--db``)."""
    settings = settings_for(db)
    path = sqlite_file(settings.db) if existing else None
    if path is not None and not path.is_file():
        raise InputError(
            f"no store at {path}: check --db / SHOPSENSE_DB, or create one with "
            "`shopsense ingest FILE`"
        )
    svc = Services.from_settings(settings)
    try:
        yield svc
    finally:
        svc.close()


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _finite(value: Any) -> Any:
    """``value`` with every NaN or ±infinity float (in nested dicts and lists) as None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def emit_json(payload: Any) -> None:
    """``payload`` as JSON on stdout; a non-finite float is written as null (JSON has no NaN)."""
    text = json.dumps(
        _finite(payload),
        ensure_ascii=False,
        indent=2,
        default=lambda v: _finite(_default(v)),
        allow_nan=False,
    )
    sys.stdout.write(text + "\n")


def echo(text: str = "") -> None:
    typer.echo(text)
