"""CLI: recommendations for a user, an item or a session, and their evaluation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from shopsense.cli.common import DbOption, JsonOption, echo, emit_json, services
from shopsense.cli.events import FormatOption, MapOption, load_options
from shopsense.core.errors import NotFoundError
from shopsense.evaluation.rec_runner import evaluate_file
from shopsense.evaluation.splits import Protocol
from shopsense.recommend.engine import Controls, Suggestion


def print_suggestions(
    title: str, items: list[Suggestion], titles: Mapping[str, str] | None = None
) -> None:
    echo(title)
    names = titles or {}
    for rank, s in enumerate(items, start=1):
        name = f"  {names[s.item_id]}" if s.item_id in names else ""
        echo(f"  {rank:2}. {s.item_id}{name}  ({s.score:.3f})  {s.reason}")
    if not items:
        echo("  (none)")


def recommend(
    user: Annotated[str | None, typer.Option("--user", help="For you: a user id.")] = None,
    item: Annotated[
        str | None, typer.Option("--item", help="Similar items and bought together.")
    ] = None,
    session: Annotated[
        str | None, typer.Option("--session", help="Continue a session: its id.")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=200, help="How many.")] = 10,
    in_stock: Annotated[
        bool, typer.Option("--in-stock", help="Only items in stock now (no preorders).")
    ] = False,
    include_sold_out: Annotated[
        bool, typer.Option("--include-sold-out", help="Also suggest sold-out items.")
    ] = False,
    cold_start: Annotated[
        bool,
        typer.Option(
            "--cold-start", help="A --user without events gets the popular items (else an error)."
        ),
    ] = False,
    category: Annotated[str | None, typer.Option(help="Only this category prefix.")] = None,
    price_min: Annotated[float | None, typer.Option(help="Lowest price.")] = None,
    price_max: Annotated[float | None, typer.Option(help="Highest price.")] = None,
    diversity: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="0 = off, up to 1: spread categories (MMR).")
    ] = 0.0,
    popularity_penalty: Annotated[
        float, typer.Option(min=0.0, help="β ≥ 0: push down popular items.")
    ] = 0.0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recommend with a reason for each item: for a user, like an item, or next in a session.

    Sold-out items are left out unless --include-sold-out. A --user with no events is
    an error (a mistyped id would otherwise get the popular list) unless --cold-start.
    """
    if sum(x is not None for x in (user, item, session)) != 1:
        raise typer.BadParameter("give exactly one of --user, --item, --session")
    controls = Controls(
        in_stock=in_stock,
        include_sold_out=include_sold_out,
        category_prefix=category,
        price_min=price_min,
        price_max=price_max,
        diversity=diversity,
        popularity_penalty=popularity_penalty,
    )
    out: dict[str, list[Suggestion]] = {}
    with services(db, existing=True) as svc:
        rec = svc.recommendations
        if user is not None:
            if not cold_start and not rec.knows(user):
                raise NotFoundError(
                    f"no events for user {user!r}: a new shopper gets the popular items "
                    "(--cold-start shows them)"
                )
            out["for_you"] = rec.for_you(user, k, controls)
        elif item is not None:
            out["similar"] = rec.similar(item, k, controls)
            out["bought_together"] = rec.bought_together(item, min(k, 5), controls)
        elif session is not None:
            out["continue_session"] = rec.continue_session(session, k, controls)
        ids = [s.item_id for items in out.values() for s in items]
        titles = {i: p.title for i, p in svc.products.get_many(ids).items()}
    if as_json:
        emit_json(
            {
                name: [asdict(s) | {"title": titles.get(s.item_id)} for s in items]
                for name, items in out.items()
            }
        )
        return
    for name, items in out.items():
        print_suggestions(name.replace("_", " "), items, titles)


def eval_recs(
    events: Annotated[Path, typer.Option("--events", help="Event file to split and evaluate.")],
    fmt: FormatOption = "generic",
    mapping: MapOption = None,
    protocol: Annotated[
        str, typer.Option(help="leave-last-out or temporal (last 20% of time).")
    ] = "leave-last-out",
    k: Annotated[int, typer.Option("--k", min=1, max=100)] = 10,
    models: Annotated[
        list[str] | None, typer.Option("--model", help="Only these models (repeatable).")
    ] = None,
    ease_items: Annotated[
        int, typer.Option(min=10, help="EASE keeps this many most popular items.")
    ] = 4000,
    min_rating: Annotated[float | None, typer.Option(help="MovieLens rating cut-off.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every recommender on one split: HR, NDCG, Recall@20, coverage, novelty, speed."""
    if protocol not in ("leave-last-out", "temporal"):
        raise typer.BadParameter("--protocol must be leave-last-out or temporal")
    chosen: Protocol = "temporal" if protocol == "temporal" else "leave-last-out"
    result = evaluate_file(
        events,
        load_options(fmt, mapping, min_rating),
        chosen,
        k=k,
        models=tuple(models or ()),
        ease_items=ease_items,
    )
    if as_json:
        emit_json(result.to_dict())
        return
    echo(
        f"{result.file}: {result.rows_read} rows ({result.rejected} rejected), {result.users} "
        f"users, {result.items} items; {result.protocol}, {result.test_users} test users"
    )
    echo(f"{'model':22} HR@{k:<4} NDCG@{k:<3} R@20   MRR@20 cover  novel  gini   fit s  p99 ms")
    for r in result.rows:
        echo(
            f"{r.model:22} {r.hr_at_k:.4f} {r.ndcg_at_k:.4f}  {r.recall_at_20:.4f} "
            f"{r.mrr_at_20:.4f} {r.coverage:.3f}  {r.novelty:5.2f}  {r.gini:.3f}  "
            f"{r.fit_s:6.1f} {r.p99_ms:6.1f}"
        )
