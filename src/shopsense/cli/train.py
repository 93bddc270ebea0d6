"""CLI: the ``shopsense train …`` group."""

from __future__ import annotations

import typer

train_app = typer.Typer(
    help="Train models and store them, versioned, in the store.", no_args_is_help=True
)
