"""The ``shopsense`` command: a thin shell that parses input, calls the app, translates errors."""

from __future__ import annotations

import sys
import zipfile

import typer
from pydantic import ValidationError

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


_NAMED_WRONGLY = (FileNotFoundError, IsADirectoryError, NotADirectoryError)


def input_problem(exc: BaseException) -> str | None:
    """A one-line message for an exception that is the input's fault, not a defect of ours:
    a file that is missing, a directory, unreadable, not UTF-8 or not a zip, or a bad
    ``SHOPSENSE_*`` setting. None for anything else (a traceback is then the honest answer)."""
    if isinstance(exc, OSError):
        if not exc.filename:
            return None  # no file named: not a problem we can describe as the input's
        if isinstance(exc, FileNotFoundError):
            return f"no such file: {exc.filename}"
        if isinstance(exc, IsADirectoryError):
            return f"{exc.filename} is a directory, not a file"
        return f"{exc.filename}: {exc.strerror}"  # permission denied, disk full, read-only
    if isinstance(exc, UnicodeDecodeError):
        bad = exc.object[exc.start : exc.start + 1].hex()
        return f"a file is not UTF-8 text (byte 0x{bad} at offset {exc.start}); save it as UTF-8"
    if isinstance(exc, zipfile.BadZipFile):
        return f"not a valid zip file: {exc}"
    if isinstance(exc, ValidationError) and exc.title == "Settings":
        return "; ".join(
            f"setting SHOPSENSE_{'_'.join(map(str, e['loc'])).upper()}={e['input']!r}: {e['msg']}"
            for e in exc.errors()
        )
    return None


def main() -> None:
    """Entry point: run the CLI, turning shopsense errors and bad input (missing or
    unreadable files, bad settings) into a message and an exit code."""
    try:
        app()
    except ShopsenseError as exc:
        typer.echo(f"error ({exc.code}): {exc}", err=True)
        code = 2 if isinstance(exc, InputError) else 3 if isinstance(exc, NotFoundError) else 1
        sys.exit(code)
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile, ValidationError) as exc:
        message = input_problem(exc)
        if message is None:
            raise
        # a file named wrongly is the input's fault (2); permissions or a full disk are
        # the system's (1)
        given = not isinstance(exc, OSError) or isinstance(exc, _NAMED_WRONGLY)
        typer.echo(f"error ({'invalid_input' if given else 'os_error'}): {message}", err=True)
        sys.exit(2 if given else 1)


if __name__ == "__main__":
    main()
