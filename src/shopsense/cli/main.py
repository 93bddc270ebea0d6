"""The ``shopsense`` command: a thin shell that parses input, calls the app, translates errors."""

from __future__ import annotations

import sys

import typer

from shopsense.cli import (
    catalog,
    demo,
    events,
    images,
    keys,
    quality,
    query,
    recommend,
    search,
    search_eval,
    serve,
)
from shopsense.cli.evaluate import eval_app
from shopsense.cli.train import train_app
from shopsense.core.errors import InputError, NotFoundError, ShopsenseError

app = typer.Typer(
    name="shopsense",
    help="E-commerce search and recommendation engine with a data-quality gate.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("ingest")(catalog.ingest)
app.add_typer(catalog.products_app, name="products")
app.add_typer(catalog.quarantine_app, name="quarantine")
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.add_typer(keys.keys_app, name="keys")
app.add_typer(search.index_app, name="index")
app.command("search")(search.search)
app.add_typer(events.events_app, name="events")
app.command("recommend")(recommend.recommend)
app.add_typer(eval_app, name="eval")
eval_app.command("search")(search_eval.eval_search)
app.command("parse")(query.parse)
app.add_typer(train_app, name="train")
train_app.command("intent")(query.train_intent)
eval_app.command("intent")(query.eval_intent)
eval_app.command("recs")(recommend.eval_recs)
app.add_typer(quality.quality_app, name="quality")
eval_app.command("dedup")(quality.eval_dedup)
train_app.command("dedup")(quality.train_dedup)
app.add_typer(images.images_app, name="images")
app.command("similar")(images.similar)
eval_app.command("images")(images.eval_images)


def main() -> None:
    """Entry point: run the CLI, turning shopsense errors into a message and an exit code."""
    try:
        app()
    except ShopsenseError as exc:
        typer.echo(f"error ({exc.code}): {exc}", err=True)
        code = 2 if isinstance(exc, InputError) else 3 if isinstance(exc, NotFoundError) else 1
        sys.exit(code)


if __name__ == "__main__":
    main()
