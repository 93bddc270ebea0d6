"""CLI: the `shopsense eval …` group (each evaluation registers its command in main.py)."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Measure shopsense on labelled data.", no_args_is_help=True)
