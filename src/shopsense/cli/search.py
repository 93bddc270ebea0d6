"""CLI: build the search indexes, search the catalogue."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shopsense.cli.common import DbOption, JsonOption, echo, emit_json, services

if TYPE_CHECKING:  # the search stack is imported when a search command runs
    from shopsense.app.search import SearchResult
    from shopsense.app.search_parse import ParseUse

MAX_PAGE_SIZE = 100  # shopsense.app.search.MAX_PAGE_SIZE

index_app = typer.Typer(help="Build and inspect the search indexes.", no_args_is_help=True)


@index_app.command("build")
def index_build(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Bring the search indexes up to date with the store (only changed products are redone)."""

    def tick(stage: str, done: int, total: int) -> None:
        if not as_json:
            typer.echo(f"  {stage}: {done}/{total}", err=True)

    with services(db) as svc:
        search = svc.search(progress=tick)
    report = search.pipeline.index.report
    if as_json:
        emit_json(asdict(report) | {"ranker": search.ranker})
        return
    echo(
        f"index up to date: {report.products} products; {report.indexed} (re)indexed, "
        f"{report.deleted} deleted; embeddings {report.encoded} encoded, "
        f"{report.reused} reused; {report.seconds:.1f} s"
    )
    echo(f"ranker: {search.ranker}")


@index_app.command("train-ranker")
def index_train_ranker(
    queries: Annotated[
        Path | None, typer.Option(help="query_id<TAB>text per line (default: click logs).")
    ] = None,
    qrels: Annotated[Path | None, typer.Option(help="TREC qrels: query_id 0 product_id grade.")] = (
        None
    ),
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train the learning-to-rank model (from qrels or click logs) and store a new version."""
    from shopsense.evaluation.datasets import read_qrels, read_queries

    if (queries is None) != (qrels is None):
        raise typer.BadParameter("give both --queries and --qrels, or neither (click logs)")
    with services(db) as svc:
        version = svc.train_search_ranker(
            read_queries(queries) if queries else None, read_qrels(qrels) if qrels else None
        )
    if as_json:
        emit_json({"model": "search-ltr", "version": version})
    else:
        echo(f"stored search-ltr version {version}; `--mode ltr` uses it")


def understood_line(use: ParseUse) -> str:
    """How the search used one part of the parse: ``'under 50' → price -50: filter, …``."""
    said = f"{use.text!r} → " if use.text else ""
    return f"{said}{use.field} {use.value}: {use.use}, {use.note}"


def print_result(result: SearchResult, *, explain: bool) -> None:
    typed = result.parsed.text if result.parsed is not None else result.query
    echo(
        f"{result.total} results for {typed!r} ({result.mode}, {result.sort}), "
        f"page {result.page}, {result.took_ms:.0f} ms"
    )
    if result.query != typed:  # the parse took words out as filters or guesses
        searched = f"searched for the words {result.query!r}" if result.query else "browsed"
        echo(f"  {searched}")
    for notice in result.notices:
        echo(f"  note: {notice}")
    for use in result.understood:
        echo(f"  understood: {understood_line(use)}")
    for hit in result.hits:
        p = hit.product
        price = f"{p.effective_price:g} {p.currency or ''}".strip() if p.effective_price else "-"
        echo(f"{hit.rank:3}. {p.title}  [{p.brand or '-'} | {p.category_path or '-'} | {price}]")
        if explain and hit.explanation is not None:
            why = hit.explanation
            matched = "; ".join(f"{f}: {' '.join(t)}" for f, t in why.matched.items()) or "-"
            top = sorted(why.contributions.items(), key=lambda kv: -abs(kv[1]))[:4]
            echo(f"     matched {matched}")
            if top:  # a browse ranks by no feature
                echo(f"     {why.ranker}: " + ", ".join(f"{f} {v:+.3f}" for f, v in top))
            if why.parse:
                echo("     parse: " + ", ".join(f"{k} {v:+.2f}" for k, v in why.parse.items()))
            for note in why.notes:
                echo(f"     {note}")
    f = result.facets
    if f.brand:
        echo("brands: " + ", ".join(f"{k} ({v})" for k, v in list(f.brand.items())[:8]))
    if f.price:
        echo("prices: " + ", ".join(f"{k} ({v})" for k, v in f.price.items()))


def search(
    query: Annotated[str, typer.Argument(help="What the shopper typed (English or Chinese).")],
    brand: Annotated[list[str] | None, typer.Option(help="Only these brands (repeatable).")] = None,
    category: Annotated[
        str | None, typer.Option(help="Category path prefix, e.g. 'Apparel > Topwear'.")
    ] = None,
    min_price: Annotated[float | None, typer.Option(min=0)] = None,
    max_price: Annotated[float | None, typer.Option(min=0)] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            help="Only products priced in this currency (USD, CNY, ¥, …); prices are never"
            " converted, so price bounds in a catalogue of several currencies need it."
        ),
    ] = None,
    in_stock: Annotated[bool, typer.Option("--in-stock", help="Only products in stock.")] = False,
    attr: Annotated[
        list[str] | None,
        typer.Option(
            help="Attribute filter key=value (repeatable: one value of each key, so"
            " colour=Red colour=Black is red or black)."
        ),
    ] = None,
    sort: Annotated[str, typer.Option(help="relevance, price_asc, price_desc or newest.")] = (
        "relevance"
    ),
    page: Annotated[int, typer.Option(min=1)] = 1,
    size: Annotated[int, typer.Option(min=1, max=MAX_PAGE_SIZE)] = 10,
    mode: Annotated[
        str | None, typer.Option(help="bm25, dense, hybrid or ltr (default: settings).")
    ] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Say why each hit ranks.")] = False,
    understand: Annotated[
        bool,
        typer.Option(
            "--understand",
            help=(
                "Parse the query first: spelling; a confident price and category filter;"
                " brand, colour, gender and intent re-rank."
            ),
        ),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search the catalogue: ranked hits, facets and, with --explain, why each hit ranks."""
    from shopsense.app.search import SearchRequest
    from shopsense.retrieval.filters import SearchFilters, parse_attribute_filters

    filters = SearchFilters(
        brands=tuple(brand or ()),
        category=category,
        min_price=min_price,
        max_price=max_price,
        currency=currency,
        in_stock=in_stock,
        attributes=parse_attribute_filters(attr or []),
    )
    with services(db, existing=True) as svc:
        request = SearchRequest(
            query=query,
            filters=filters,
            sort=sort,
            page=page,
            size=size,
            mode=mode or svc.settings.search_mode,
            explain=explain or as_json,
            understand=understand,
        )
        result = svc.search().search(request)
    if as_json:
        emit_json(result)
    else:
        print_result(result, explain=explain)
