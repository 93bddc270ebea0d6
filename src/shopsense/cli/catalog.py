"""CLI: ingest, products, quarantine."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from shopsense.catalog.ingest import IngestOptions, IngestSummary
from shopsense.cli.common import DbOption, JsonOption, echo, emit_json, services, unescape_sep

products_app = typer.Typer(help="Look at products in the store.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Look at rows kept out of the store.", no_args_is_help=True)


def print_summary(summary: IngestSummary) -> None:
    echo(f"ingest {summary.status}: {summary.file}")
    echo(
        f"  rows read {summary.rows_read} = accepted {summary.accepted} "
        f"+ quarantined {summary.quarantined}"
    )
    echo(
        f"  accepted: {summary.inserted} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged"
        + (f", {summary.superseded} superseded by a later row" if summary.superseded else "")
        + f"; {summary.repaired} repaired"
    )
    for reason, n in sorted(summary.reasons.items()):
        echo(f"  quarantined {reason}: {n}")
    for code, n in sorted(summary.repair_codes.items()):
        verb = "flagged" if code == "duplicate_id_in_file" else "repaired"
        echo(f"  {verb} {code}: {n}")
    echo(f"  {summary.seconds:.1f} s, run {summary.run_id}")


def ingest(
    file: Annotated[Path, typer.Argument(help="CSV/TSV/JSONL/Parquet file, also .zip or .gz")],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="field=column, e.g. title=productDisplayName or category=a/b/c (repeatable)",
        ),
    ] = None,
    sep: Annotated[str | None, typer.Option("--sep", help="Field separator (CSV/TSV).")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, tsv, jsonl or parquet (default: by name)")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Source/shop label stored on each product.")
    ] = None,
    no_repair: Annotated[
        bool,
        typer.Option(
            "--no-repair", help="Quarantine rows with extra separators instead of merging."
        ),
    ] = False,
    no_gate: Annotated[
        bool,
        typer.Option("--no-gate", help="Skip the quality gate (cleaning and `fail` checks)."),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest a catalogue file: valid rows are upserted, bad rows quarantined with a reason."""
    options = IngestOptions(
        mapping=tuple(mapping or ()),
        sep=unescape_sep(sep),
        format=fmt,
        source=source,
        merge_extra_fields=not no_repair,
    )
    with services(db) as svc, _interrupt_note():
        if sys.stderr.isatty() and not as_json:
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                transient=True,
            ) as bar:
                task = bar.add_task(f"ingesting {file.name}", total=None)

                def tick(done: int, total: int | None) -> None:
                    bar.update(task, completed=done, total=total)

                summary = svc.ingest(file, options, progress=tick, gate=not no_gate)
        else:
            summary = svc.ingest(file, options, gate=not no_gate)
    if as_json:
        emit_json(summary.to_dict())
    else:
        print_summary(summary)


@contextmanager
def _interrupt_note() -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        typer.echo(
            "interrupted: every committed batch is in the store; run the same command again",
            err=True,
        )
        raise typer.Exit(130) from None


@products_app.command("list")
def products_list(
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    brand: Annotated[str | None, typer.Option(help="Only this brand.")] = None,
    category: Annotated[
        str | None, typer.Option(help="Category path prefix, e.g. 'Apparel > Topwear'.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List products in id order."""
    with services(db, existing=True) as svc:
        items = svc.products.page(limit=limit, offset=offset, brand=brand, category_prefix=category)
        total = svc.products.count()
    if as_json:
        emit_json({"total": total, "items": [p.model_dump(mode="json") for p in items]})
        return
    for p in items:
        price = (
            f"{p.effective_price:g} {p.currency or ''}".strip()
            if p.effective_price is not None
            else "-"
        )
        echo(f"{p.id}\t{p.title}\t{p.brand or '-'}\t{p.category_path or '-'}\t{price}")
    echo(f"({len(items)} of {total})")


@products_app.command("show")
def products_show(
    product_id: Annotated[str, typer.Argument(help="Product id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one product with every field."""
    with services(db, existing=True) as svc:
        product = svc.products.get(product_id)
    if as_json:
        emit_json(product.model_dump(mode="json"))
        return
    for key, value in product.model_dump(mode="json").items():
        echo(f"{key:13} {value}")


@quarantine_app.command("list")
def quarantine_list(
    reason: Annotated[str | None, typer.Option(help="Only this reason code.")] = None,
    source: Annotated[str | None, typer.Option(help="Only sources containing this text.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List quarantined rows with file, line, reason and raw content."""
    with services(db, existing=True) as svc:
        rows = svc.quarantine.page(reason=reason, source=source, limit=limit, offset=offset)
        reasons = svc.quarantine.reasons()
    if as_json:
        emit_json({"reasons": reasons, "items": rows})
        return
    for r in rows:
        echo(f"{Path(r.source).name}:{r.line_no}\t{r.reason}\t{r.detail}")
        echo(f"    {r.raw.strip()[:200]}")
    echo(f"({len(rows)} shown; by reason: {reasons or 'none'})")
