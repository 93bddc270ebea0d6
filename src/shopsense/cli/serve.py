"""CLI: ``shopsense serve`` runs the HTTP API and the pages with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.cli.common import DbOption, echo
from shopsense.storage.engine import open_store

#: requests in flight above which a worker of several asks clients to reconnect
#: (``Settings.rebalance_above``; a fair share of 32 clients over 2 workers is 16)
REBALANCE_ABOVE = 8


def _announce(settings: Settings, host: str, port: int, workers: int) -> None:
    mode = "OPEN ACCESS (no keys needed)" if settings.open_access else "API keys required"
    extra = f", {workers} worker processes" if workers > 1 else ""
    echo(f"shopsense serving {settings.db} at http://{host}:{port}/  [{mode}{extra}]")
    echo(
        f"  storefront http://{host}:{port}/  admin http://{host}:{port}/admin  "
        f"API docs http://{host}:{port}/docs"
    )


def run_server(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve ``settings``' store on host:port until interrupted.

    With ``workers`` > 1, that many processes (supervised by uvicorn, each listening on
    its own ``SO_REUSEPORT`` socket: :mod:`shopsense.cli.serve_workers`) each open their
    own services (and search indexes) from the same settings, passed down as SHOPSENSE_*.
    """
    # imported here so every other command starts without loading the web stack
    import uvicorn

    from shopsense.api.server import create_app
    from shopsense.cli.serve_workers import run_workers

    if workers > 1:
        # create / migrate the store once, here: workers migrating a new store at the same
        # time race (SQLite: "table alembic_version already exists" in one of them)
        open_store(settings.db).dispose()
        # bring the search indexes up to date once, here too: workers that open a changed
        # (or, after an upgrade, an older) index at the same moment contend for tantivy's
        # writer lock, and all but one fail with LockBusy
        prepared = Services.from_settings(settings)
        try:
            prepared.search()
        finally:
            prepared.close()
        os.environ["SHOPSENSE_DB"] = settings.db
        os.environ["SHOPSENSE_OPEN_ACCESS"] = "true" if settings.open_access else "false"
        os.environ["SHOPSENSE_DATA_DIR"] = str(settings.data_dir)
        # several workers shed connections unless told otherwise (0 turns it off)
        os.environ.setdefault("SHOPSENSE_REBALANCE_ABOVE", str(REBALANCE_ABOVE))
        _announce(settings, host, port, workers)
        run_workers(
            "shopsense.api.server:app_from_environment",
            host,
            port,
            workers,
            log_level="warning",
        )
        return
    svc = Services.from_settings(settings)
    try:
        _announce(settings, host, port, workers)
        uvicorn.run(create_app(svc, settle_heap=True), host=host, port=port, log_level="warning")
    finally:
        svc.close()


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    open_access: Annotated[
        bool,
        typer.Option(
            "--open-access",
            help="No API keys needed (local demos only; also SHOPSENSE_OPEN_ACCESS=true).",
        ),
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=16, help="Server processes (each opens its own indexes).")
    ] = 1,
) -> None:
    """Serve the HTTP API, the storefront and the admin pages."""
    settings = Settings()
    updates: dict[str, object] = {}
    if db:
        updates["db"] = db
    if open_access:
        updates["open_access"] = True
    run_server(settings.model_copy(update=updates), host, port, workers)
