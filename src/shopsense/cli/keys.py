"""CLI: ``shopsense keys create|list|revoke`` for scoped API keys."""

from __future__ import annotations

from typing import Annotated

import typer

from shopsense.app.keys import KeyInfo
from shopsense.cli.common import DbOption, JsonOption, echo, emit_json, services

keys_app = typer.Typer(help="Scoped API keys (admin, ingest, search).", no_args_is_help=True)


def _row(info: KeyInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "prefix": info.prefix,
        "scope": info.scope.value,
        "name": info.name,
        "created_at": info.created_at,
        "revoked_at": info.revoked_at,
    }


@keys_app.command("create")
def create(
    scope: Annotated[str, typer.Option("--scope", help="admin, ingest or search")],
    name: Annotated[str, typer.Option("--name", help="A label to recognise the key by.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a key and print it: this is the only time it is shown (only its hash is kept)."""
    with services(db) as svc:
        new = svc.keys.create(scope, name)
    if as_json:
        emit_json({**_row(new.info), "key": new.secret})
        return
    echo(new.secret)
    typer.echo(
        f"created {new.info.scope.value} key {new.info.id} ({new.info.prefix}…); "
        "store it now, it cannot be shown again",
        err=True,
    )


@keys_app.command("list")
def list_keys(
    db: DbOption = None,
    revoked: Annotated[bool, typer.Option("--revoked", help="Include revoked keys.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List keys by id, prefix, scope and name (never the keys themselves)."""
    with services(db) as svc:
        rows = svc.keys.list(include_revoked=revoked)
    if as_json:
        emit_json([_row(r) for r in rows])
        return
    for r in rows:
        state = f"revoked {r.revoked_at:%Y-%m-%d}" if r.revoked_at else "live"
        echo(f"{r.id:>4}  {r.prefix}…  {r.scope.value:<6}  {state:<18}  {r.name}")


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[int, typer.Argument(help="The key's id, from `shopsense keys list`.")],
    db: DbOption = None,
) -> None:
    """Revoke a key: it stops working within 5 seconds on running servers."""
    with services(db) as svc:
        svc.keys.revoke(key_id)
    echo(f"revoked key {key_id}")
