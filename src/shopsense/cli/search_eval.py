"""CLI: ``shopsense eval search`` — modes side by side on judged queries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopsense.catalog.ingest import IngestOptions
from shopsense.cli.catalog import print_summary
from shopsense.cli.common import JsonOption, echo, emit_json, unescape_sep
from shopsense.core.errors import InputError
from shopsense.evaluation.datasets import SearchSet, read_qrels, read_queries

COLUMNS = ("mode", "queries", "ndcg@10", "mrr@10", "recall@10", "recall@100", "p50_ms", "p99_ms")


def eval_search(
    catalog: Annotated[Path, typer.Option(help="Catalogue file (any format ingest reads).")],
    queries: Annotated[Path, typer.Option(help="query_id<TAB>text per line.")],
    qrels: Annotated[Path, typer.Option(help="TREC qrels: query_id 0 product_id grade.")],
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="field=column for the catalogue (repeatable).")
    ] = None,
    sep: Annotated[str | None, typer.Option("--sep", help="Catalogue field separator.")] = None,
    mode: Annotated[str, typer.Option(help="bm25, dense, hybrid, ltr or all.")] = "all",
    train_queries: Annotated[
        Path | None,
        typer.Option(help="Training queries for ltr (default: --queries; needs --train-qrels)."),
    ] = None,
    train_qrels: Annotated[
        Path | None, typer.Option(help="Training qrels for ltr (default: 2-fold by query).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Score search modes on judged queries: NDCG@10, MRR@10, Recall@10/@100, latency."""
    from shopsense.app.search_eval import evaluate_search

    if train_queries is not None and train_qrels is None:
        raise typer.BadParameter(
            "--train-queries needs --train-qrels (without them ltr is 2-fold by query)"
        )
    if catalog.is_dir():
        raise InputError(f"{catalog} is a directory, not a file")
    data = SearchSet(read_queries(queries), read_qrels(qrels))
    train = None
    if train_qrels is not None:
        train = SearchSet(read_queries(train_queries or queries), read_qrels(train_qrels))
    options = IngestOptions(mapping=tuple(mapping or ()), sep=unescape_sep(sep), source="eval")
    modes = list(dict.fromkeys(m.strip() for m in mode.split(",")))
    result = evaluate_search(catalog, options, data, modes, train=train)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if as_json:
        emit_json(
            {
                "ingest": result.ingest.to_dict(),
                "checks": result.checks,
                "warnings": result.warnings,
                "rows": result.rows,
            }
        )
        return
    print_summary(result.ingest)
    echo("  ".join(f"{c:>10}" for c in COLUMNS))
    for row in result.rows:
        echo("  ".join(_cell(row[c]) for c in COLUMNS))


def _cell(value: object) -> str:
    return f"{value:>10.3f}" if isinstance(value, float) else f"{value!s:>10}"
