"""Scoped API keys: every key type against every endpoint, revocation, open access, the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from api_helpers import Api, running_api
from shopsense.app.keys import ApiKeyStore, hash_key
from shopsense.storage.schema import api_keys
from test_cli import run

EVENT = {"user_id": "U1", "item_id": "P0001", "type": "view", "timestamp": "2026-11-01T10:00:00Z"}
PROMOTIONS = {"user_id": "U1", "promotions": [{"id": "p", "name": "P", "item_ids": ["P0001"]}]}
# (method, route) -> (access needed or None for public, example path, example body)
ENDPOINTS: dict[tuple[str, str], tuple[str | None, str, object]] = {
    ("GET", "/health"): (None, "/health", None),
    ("GET", "/products"): ("read", "/products?limit=2", None),
    ("GET", "/products/{product_id}"): ("read", "/products/P0001", None),
    ("PUT", "/products/{product_id}"): ("write", "/products/K1", {"id": "K1", "title": "k"}),
    ("DELETE", "/products/{product_id}"): ("write", "/products/nope", None),
    ("POST", "/products/bulk"): ("write", "/products/bulk", {"products": [{"id": "K2"}]}),
    ("POST", "/events"): ("write", "/events", EVENT),
    ("GET", "/suggest"): ("read", "/suggest?q=nik", None),
    ("GET", "/search"): ("read", "/search?q=shoes", None),
    ("GET", "/recommend/user/{user_id}"): ("read", "/recommend/user/U001", None),
    ("GET", "/recommend/item/{item_id}"): ("read", "/recommend/item/P0001", None),
    ("GET", "/recommend/item/{item_id}/bought-together"): (
        "read",
        "/recommend/item/P0001/bought-together",
        None,
    ),
    ("GET", "/recommend/session/{session_id}"): ("read", "/recommend/session/S1", None),
    ("POST", "/recommend/promotions"): ("read", "/recommend/promotions", PROMOTIONS),
    ("GET", "/quality"): ("admin", "/quality?clusters=2", None),
    ("GET", "/admin/quality"): ("admin", "/admin/quality", None),
    ("GET", "/metrics"): ("admin", "/metrics", None),
    ("GET", "/quarantine"): ("admin", "/quarantine", None),
    ("GET", "/static/style.css"): (None, "/static/style.css", None),
    ("GET", "/images/{product_id}/{index}"): ("read", "/images/P0001/0", None),
    ("GET", "/"): ("read", "/?q=shoes", None),
    ("GET", "/product/{product_id}"): ("read", "/product/P0001", None),
    ("GET", "/admin"): ("admin", "/admin", None),
}
GRANTED = {
    "admin": {"read", "write", "admin"},
    "ingest": {"read", "write"},
    "search": {"read"},
}
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    # BM25 only (no sentence encoder) keeps this store quick to index: the matrix is
    # about access, the search itself is tested in test_api_search
    store = str(tmp_path_factory.mktemp("keys") / "store.db")
    with running_api(store, semantic=False) as a:
        yield a


def _walk(routes: list[Any]) -> Iterator[Any]:
    """Every route, also inside included routers (newer FastAPI nests them)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from _walk(nested.routes)
        else:
            yield route


def test_the_matrix_lists_every_endpoint_of_the_app(api: Api) -> None:
    all_routes = list(_walk(api.app.routes))
    routes = {(m, r.path) for r in all_routes if isinstance(r, APIRoute) for m in r.methods}
    assert routes == set(ENDPOINTS)
    others = {getattr(r, "path", "") for r in all_routes} - {p for _, p in routes}
    assert others <= FRAMEWORK_ROUTES


@pytest.mark.parametrize("key", ["admin", "ingest", "search", "none", "unknown"])
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS), ids=lambda e: f"{e[0]} {e[1]}")
def test_key_scope_matrix(api: Api, key: str, endpoint: tuple[str, str]) -> None:
    need, path, body = ENDPOINTS[endpoint]
    headers = {}
    if key in GRANTED:
        headers = api.headers(key)
    elif key == "unknown":
        headers = {"X-API-Key": "ss_admin_not-a-real-key"}
    r = api.client.request(endpoint[0], path, json=body, headers=headers)
    if need is None or (key in GRANTED and need in GRANTED[key]):
        assert r.status_code not in (401, 403), r.text
        assert r.status_code < 500
    elif key in GRANTED:
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "insufficient_scope"
    else:
        assert r.status_code == 401
        assert r.json()["error"]["code"] in ("missing_api_key", "invalid_api_key")


def test_a_search_key_cannot_write_anything(api: Api) -> None:
    before = (api.services.products.count(), api.services.events.count())
    h = api.headers("search")
    api.client.put("/products/S1", json={"id": "S1", "title": "s"}, headers=h)
    api.client.post("/events", json=EVENT, headers=h)
    api.client.delete("/products/P0002", headers=h)
    api.client.post("/products/bulk", json={"products": [{"id": "S2", "title": "s"}]}, headers=h)
    assert (api.services.products.count(), api.services.events.count()) == before


def test_keys_are_stored_hashed_and_revocation_stops_them(api: Api) -> None:
    store: ApiKeyStore = api.services.keys
    new = store.create("search", "to revoke")
    with api.services.engine.connect() as conn:
        rows = list(conn.execute(api_keys.select()).mappings())
    assert all(new.secret not in json.dumps(dict(r), default=str) for r in rows)
    assert hash_key(new.secret) in {r["key_hash"] for r in rows}
    assert store.verify(new.secret) == "search"
    store.revoke(new.info.id)
    assert store.verify(new.secret) is None
    assert new.info.id not in {k.id for k in store.list()}


def test_open_access_is_off_unless_configured(tmp_path: Path) -> None:
    with running_api(str(tmp_path / "closed.db"), demo=False) as closed:
        assert closed.client.get("/products").status_code == 401
    with running_api(str(tmp_path / "open.db"), demo=False, open_access=True) as opened:
        assert opened.client.get("/products").status_code == 200
        assert opened.client.get("/metrics").status_code == 200


def test_keys_cli_prints_a_key_once_lists_and_revokes(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    created = run("keys", "create", "--scope", "ingest", "--name", "etl", db=db, check=False)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("ss_ingest_") and "cannot be shown again" in created.stderr
    listed = json.loads(run("keys", "list", "--json", db=db, check=False).stdout)
    assert [(k["scope"], k["name"]) for k in listed] == [("ingest", "etl")]
    assert secret not in json.dumps(listed)
    assert run("keys", "revoke", str(listed[0]["id"]), db=db, check=False).returncode == 0
    assert json.loads(run("keys", "list", "--json", db=db, check=False).stdout) == []
    bad = run("keys", "create", "--scope", "root", db=db, check=False)
    assert bad.returncode == 2 and "unknown scope" in bad.stderr
