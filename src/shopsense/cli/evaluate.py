"""The ``shopsense eval …`` group: evaluation commands register on it in main.py."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Evaluate shopsense on labelled data.", no_args_is_help=True)
