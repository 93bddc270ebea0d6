"""CLI: the end-to-end demo on the sample catalogue shipped with shopsense."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from shopsense.app.demo import (
    DEMO_ITEM,
    DEMO_SIMILAR_SEED,
    DEMO_USER,
    DEMO_USERS,
    ingest_demo_catalog,
    ingest_demo_events,
    search_demo_queries,
    train_demo_intent,
)
from shopsense.app.services import Services
from shopsense.cli.catalog import print_summary
from shopsense.cli.common import DbOption, echo, services, settings_for
from shopsense.cli.events import print_event_summary
from shopsense.cli.images import print_embed
from shopsense.cli.query import describe
from shopsense.cli.recommend import print_suggestions
from shopsense.cli.search import understood_line
from shopsense.cli.serve import run_server

if TYPE_CHECKING:
    from shopsense.app.search import Explanation


def short_why(why: Explanation) -> str:
    """One line: fields matched, the two biggest contributions, what the parse added."""
    matched = ", ".join(f"{f}={'+'.join(t)}" for f, t in why.matched.items()) or "no exact terms"
    top = sorted(why.contributions.items(), key=lambda kv: -abs(kv[1]))[:2]
    weights = ", ".join(f"{f} {v:+.2f}" for f, v in top)
    parse = ", ".join(f"{k} {v:+.2f}" for k, v in why.parse.items())
    return f"matched {matched}; {weights}" + (f"; parse: {parse}" if parse else "")


def demo(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="Results shown per query.")] = 5,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the demo store on 127.0.0.1 until Ctrl-C.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for --serve.", min=1, max=65535)] = 8000,
) -> None:
    """Build a store from the shipped sample catalogue, then show what shopsense does with it."""
    store = db or ".shopsense/demo.db"
    with services(store) as svc:
        show_catalogue(svc, limit)
        echo("== 3. ingest the demo events (views, carts, purchases of 60 shoppers)")
        print_event_summary(ingest_demo_events(svc))
        echo()
        show_search(svc)
        show_recommendations(svc, limit)
        show_images(svc, limit)
    if serve:
        echo()
        echo("== the storefront and admin pages on the demo store (open access, loopback only)")
        demo_settings = settings_for(store).model_copy(
            update={"open_access": True, "demo_user": DEMO_USER}
        )
        run_server(demo_settings, "127.0.0.1", port)


def show_catalogue(svc: Services, limit: int) -> None:
    echo("== 1. ingest the sample catalogue (bad rows are quarantined, not lost)")
    print_summary(ingest_demo_catalog(svc))
    for row in svc.quarantine.page(limit=10):
        echo(f"  quarantined line {row.line_no}: {row.reason} ({row.detail})")
    echo()
    echo(f"== 2. the store holds {svc.products.count()} products, e.g.:")
    for p in svc.products.page(limit=limit):
        echo(f"  {p.id}  {p.title}  [{p.category_path}]")
    echo()


def show_search(svc: Services) -> None:
    version = train_demo_intent(svc)
    echo(
        f"== 4. intent model v{version}: trained on weak labels (the catalogue's titles "
        "→ their own category); queries are parsed before search, and the index is built "
        "(BM25 per field + multilingual embeddings)"
    )
    results = search_demo_queries(svc, size=3)
    report = svc.index_report()
    echo(
        f"  {report.products} products indexed; embeddings {report.encoded} encoded, "
        f"{report.reused} reused"
    )
    echo()
    echo("== 5. search (hybrid: BM25 + semantic, ranked; why = what matched and weighed)")
    for result in results:
        typed = result.parsed.text if result.parsed is not None else result.query
        echo(f"search {typed!r}: {result.total} results")
        if result.query != typed:
            echo(f"  searched for the words {result.query!r}")
        if result.parsed is not None:
            for line in describe(result.parsed):
                echo(f"  parsed: {line}")
        for use in result.understood:  # what search did with each part of the parse
            echo(f"  understood: {understood_line(use)}")
        for hit in result.hits:
            echo(f"  {hit.rank}. {hit.product.title}")
            if hit.explanation is not None:
                echo(f"     why: {short_why(hit.explanation)}")
    echo()


def show_recommendations(svc: Services, limit: int) -> None:
    rec = svc.recommendations
    info = rec.info
    weights = ", ".join(f"{name} {w:g}" for name, w in info.weights.items())
    echo(
        f"== 6. recommendations: {info.model} fitted on {info.events} events, {info.users} users, "
        f"{info.items} items in {info.seconds:.1f} s (blend: {weights})"
    )
    titles = {p.id: p.title for p in svc.products.iter_all()}
    for user in DEMO_USERS:
        print_suggestions(f"for you: {user}", rec.for_you(user, limit), titles)
    print_suggestions("for you: a new visitor", rec.for_you("new-visitor", 3), titles)
    print_suggestions(
        f"bought together with {DEMO_ITEM} {titles.get(DEMO_ITEM, '')}",
        rec.bought_together(DEMO_ITEM, 3),
        titles,
    )


def show_images(svc: Services, limit: int) -> None:
    echo()
    echo("== 7. embed product images (EfficientNet-Lite0 via onnxruntime) and titles")
    print_embed(svc.multimodal.embed())
    seed = svc.products.get(DEMO_SIMILAR_SEED)
    echo()
    echo(f"== 8. looks similar to {seed.id} {seed.title} (title + image + colour):")
    for item in svc.multimodal.similar(seed.id, limit):
        echo(f"  {item.score:.3f}  {item.product.id}  {item.product.title}")
