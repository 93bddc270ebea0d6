"""CLI: ``shopsense serve`` runs the HTTP API and the pages with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.cli.common import DbOption, echo


def run_server(settings: Settings, host: str, port: int) -> None:
    """Serve ``settings``' store on host:port until interrupted."""
    # imported here so every other command starts without loading the web stack
    import uvicorn

    from shopsense.api.server import create_app

    svc = Services.from_settings(settings)
    try:
        mode = "OPEN ACCESS (no keys needed)" if settings.open_access else "API keys required"
        echo(f"shopsense serving {settings.db} at http://{host}:{port}/  [{mode}]")
        echo(
            f"  storefront http://{host}:{port}/  admin http://{host}:{port}/admin  "
            f"API docs http://{host}:{port}/docs"
        )
        uvicorn.run(create_app(svc), host=host, port=port, log_level="warning")
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
) -> None:
    """Serve the HTTP API, the storefront and the admin pages."""
    settings = Settings()
    updates: dict[str, object] = {}
    if db:
        updates["db"] = db
    if open_access:
        updates["open_access"] = True
    run_server(settings.model_copy(update=updates), host, port)
