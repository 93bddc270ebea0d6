"""CLI: event data into the durable log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopsense.cli.common import DbOption, JsonOption, echo, emit_json, services
from shopsense.events.ingest import EventIngestSummary
from shopsense.events.loaders import FORMATS, LoadOptions, parse_timestamp

events_app = typer.Typer(help="Event data: views, carts, purchases.", no_args_is_help=True)

FormatOption = Annotated[
    str, typer.Option("--format", help=f"Event file format: {', '.join(FORMATS)}.")
]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="field=column for generic files, e.g. user_id=visitor (fields: user_id, item_id, "
        "type, timestamp, session_id, event_id, query)",
    ),
]


def load_options(fmt: str, mapping: list[str] | None, min_rating: float | None) -> LoadOptions:
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    return LoadOptions(format=fmt, mapping=tuple(mapping or ()), min_rating=min_rating)


def print_event_summary(summary: EventIngestSummary) -> None:
    echo(f"events ingested: {summary.file} ({summary.format})")
    echo(
        f"  rows read {summary.rows_read} = accepted {summary.accepted} "
        f"+ quarantined {summary.quarantined}"
    )
    echo(f"  accepted: {summary.inserted} new, {summary.duplicates} already in the log")
    for reason, n in sorted(summary.reasons.items()):
        echo(f"  quarantined {reason}: {n}")


@events_app.command("ingest")
def events_ingest(
    file: Annotated[Path, typer.Argument(help="CSV/TSV/JSONL event file (also .gz).")],
    fmt: FormatOption = "generic",
    mapping: MapOption = None,
    min_rating: Annotated[
        float | None, typer.Option(help="MovieLens: keep only ratings at or above this.")
    ] = None,
    window_start: Annotated[
        str | None,
        typer.Option(help="Quarantine events before this time (ISO 8601 or Unix seconds)."),
    ] = None,
    window_end: Annotated[
        str | None,
        typer.Option(help="Quarantine events after this time (ISO 8601 or Unix seconds)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Append events to the durable log; bad rows and events outside the expected time
    window (these options, else the quality config's [events] start/end) are quarantined
    with a reason."""
    options = load_options(fmt, mapping, min_rating)
    window = None
    if window_start or window_end:
        try:
            start = parse_timestamp(window_start) if window_start else None
            end = parse_timestamp(window_end) if window_end else None
        except ValueError as exc:
            raise typer.BadParameter(f"window: {exc}") from exc
        window = (start, end)
    with services(db) as svc:
        summary = svc.ingest_events(file, options, window)
    if as_json:
        emit_json(summary.to_dict())
    else:
        print_event_summary(summary)
