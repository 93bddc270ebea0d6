"""CLI: the ``shopsense eval …`` group."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Offline evaluation.", no_args_is_help=True)
