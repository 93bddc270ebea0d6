"""CLI: the ``shopsense eval …`` group (each area registers its command in main.py)."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Evaluate shopsense on real data, side by side.", no_args_is_help=True)
