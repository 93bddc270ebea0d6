"""The HTTP API on the real app and a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api_helpers import Api, running_api
from shopsense.events.log import EventLog
from shopsense.storage.engine import open_store


@pytest.fixture
def api(store_url: str) -> Iterator[Api]:
    with running_api(store_url) as a:
        yield a


def _error(response_json: dict[str, object]) -> tuple[str, str]:
    err = response_json["error"]
    assert isinstance(err, dict)
    assert err["message"], "every error carries a message for a person"
    return str(err["code"]), str(err["message"])


def test_product_lifecycle_put_get_delete(api: Api) -> None:
    h = api.headers("ingest")
    body = {"id": "N1", "title": "Trail running shoe", "brand": "Acme", "price": 80.0}
    first = api.client.put("/products/N1", json=body, headers=h)
    assert (first.status_code, first.json()) == (201, {"id": "N1", "status": "inserted"})
    again = api.client.put("/products/N1", json=body, headers=h)
    assert (again.status_code, again.json()["status"]) == (200, "unchanged")
    changed = api.client.put("/products/N1", json={**body, "price": 70.0}, headers=h)
    assert changed.json()["status"] == "updated"
    got = api.client.get("/products/N1", headers=api.headers("search")).json()
    assert (got["title"], got["price"]) == ("Trail running shoe", 70.0)
    assert api.client.delete("/products/N1", headers=h).status_code == 204
    missing = api.client.get("/products/N1", headers=h)
    assert missing.status_code == 404
    assert _error(missing.json())[0] == "not_found"


def test_put_with_a_different_id_in_the_body_is_refused(api: Api) -> None:
    r = api.client.put("/products/A", json={"id": "B", "title": "x"}, headers=api.headers("ingest"))
    assert r.status_code == 400
    assert _error(r.json())[0] == "id_mismatch"


def test_bulk_upsert_reports_each_item_and_bad_items_do_not_block_good_ones(api: Api) -> None:
    items = [
        {"id": "B1", "title": "good one"},
        {"id": "B2"},  # no title
        42,  # not an object
        {"id": "B3", "title": "negative", "price": -5},
        {"id": "P0001", "title": "Nike renamed"},  # exists in the demo store
        {"id": "B1", "title": "good one"},  # repeat within the batch
        {"id": "B4", "title": "Gold-plated yacht", "price": 5_000_000},  # the gate's price range
        {"id": "B5", "title": "<b>Bold</b>&nbsp;kettle", "price": 30},  # cleaned by the gate
    ]
    r = api.client.post("/products/bulk", json={"products": items}, headers=api.headers("admin"))
    assert r.status_code == 200
    out = r.json()
    assert [i["status"] for i in out["items"]] == [
        "inserted",
        "error",
        "error",
        "error",
        "updated",
        "unchanged",
        "error",
        "inserted",
    ]
    assert (out["inserted"], out["updated"], out["unchanged"], out["errors"]) == (2, 1, 1, 4)
    assert (out["quarantined"], out["repaired"]) == (4, 1)
    assert "title" in out["items"][1]["message"]
    assert "price" in out["items"][3]["message"]
    codes = [i["code"] for i in out["items"]]
    assert codes[1:4] + codes[6:7] == ["invalid_product"] * 3 + ["price_out_of_range"]
    assert api.services.products.get("B5").title == "Bold kettle"
    kept = api.services.quarantine.page(source="api:bulk", limit=10)
    assert sorted((q.line_no, q.reason) for q in kept) == [
        (1, "invalid_product"),
        (2, "invalid_product"),
        (3, "invalid_product"),
        (6, "price_out_of_range"),
    ]
    assert "Gold-plated yacht" in next(q.raw for q in kept if q.line_no == 6)
    assert api.services.products.get("P0001").title == "Nike renamed"
    with pytest.raises(Exception, match="no product"):
        api.services.products.get("B3")


def test_list_products_pages_within_the_documented_limits(api: Api) -> None:
    h = api.headers("search")
    page = api.client.get("/products?limit=5&offset=10", headers=h).json()
    assert page["total"] == api.services.products.count()
    assert len(page["products"]) == 5
    too_big = api.client.get("/products?limit=101", headers=h)
    assert too_big.status_code == 422
    too_deep = api.client.get("/products?limit=100&offset=9950", headers=h)
    assert too_deep.status_code == 400
    assert _error(too_deep.json())[0] == "limit_exceeded"


def test_ids_are_limited_to_256_bytes(api: Api) -> None:
    h = api.headers("admin")
    chinese = "鞋" * 100  # 100 characters, 300 bytes
    r = api.client.get(f"/products/{chinese}", headers=h)
    assert r.status_code == 400
    assert "256 bytes" in _error(r.json())[1]
    long_event = {
        "user_id": "u" * 257,
        "item_id": "i",
        "type": "view",
        "timestamp": "2026-01-01T00:00:00Z",
    }
    assert api.client.post("/events", json=long_event, headers=h).status_code == 422


def test_events_are_committed_once_and_repeats_say_duplicate(api: Api) -> None:
    h = api.headers("ingest")
    ev = {
        "user_id": "U1",
        "item_id": "P0001",
        "type": "view",
        "timestamp": "2026-11-01T10:00:00Z",
        "event_id": "ev-1",
    }
    first = api.client.post("/events", json=ev, headers=h)
    assert (first.status_code, first.json()) == (201, {"event_id": "ev-1", "duplicate": False})
    repeat = api.client.post("/events", json=ev, headers=h)
    assert (repeat.status_code, repeat.json()) == (200, {"event_id": "ev-1", "duplicate": True})
    batch = [dict(ev, event_id=f"ev-{i}") for i in range(1, 6)]
    r = api.client.post("/events", json={"events": batch}, headers=h)
    assert r.status_code == 201
    assert (r.json()["stored"], r.json()["duplicates"]) == (4, 1)
    fresh = open_store(api.services.settings.db)  # another connection pool: committed data only
    try:
        keys = [le.event.event_id for le in EventLog(fresh).iter()]
    finally:
        fresh.dispose()
    assert sorted(keys) == [f"ev-{i}" for i in range(1, 6)]


def test_a_batch_with_one_bad_event_stores_nothing_and_names_it(api: Api) -> None:
    h = api.headers("ingest")
    good = {"user_id": "U1", "item_id": "P1", "type": "view", "timestamp": "2026-11-01T10:00:00Z"}
    bad = dict(good, type="Not A Type")
    r = api.client.post("/events", json={"events": [good, bad]}, headers=h)
    assert r.status_code == 422
    code, message = _error(r.json())
    assert code == "invalid_input" and message.startswith("events.1.type")
    assert api.services.events.count() == 0


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/events", b"{not json", 422, "invalid_input"),
        ("POST", "/events", b"[]", 422, "invalid_input"),
        ("POST", "/products/bulk", b'{"products": "x"}', 422, "invalid_input"),
        (
            "PUT",
            "/products/X",
            b'{"id": "X", "title": "t", "price": "cheap"}',
            422,
            "invalid_input",
        ),
        ("GET", "/nowhere", b"", 404, "not_found"),
        ("DELETE", "/events", b"", 405, "method_not_allowed"),
    ],
)
def test_bad_input_gets_a_4xx_with_a_code_and_a_message(
    api: Api, method: str, path: str, body: bytes, status: int, code: str
) -> None:
    headers = {**api.headers("admin"), "content-type": "application/json"}
    r = api.client.request(method, path, content=body, headers=headers)
    assert r.status_code == status
    assert _error(r.json())[0] == code
    assert "Traceback" not in r.text


def test_bodies_over_16_mb_are_refused_with_413(api: Api) -> None:
    big = b'{"events": [' + b" " * (16 * 1024 * 1024) + b"]}"
    r = api.client.post(
        "/events",
        content=big,
        headers={**api.headers("admin"), "content-type": "application/json"},
    )
    assert r.status_code == 413
    assert _error(r.json())[0] == "body_too_large"


def test_health_metrics_and_schema(api: Api) -> None:
    assert api.client.get("/health").json()["status"] == "ok"
    api.client.get("/products/P0001", headers=api.headers("search"))
    text = api.client.get("/metrics", headers=api.headers("admin")).text
    assert 'route="/products/{product_id}",status="200"' in text
    schema = api.client.get("/openapi.json").json()
    assert {"/products/{product_id}", "/products/bulk", "/events", "/health"} <= set(
        schema["paths"]
    )


def test_quarantine_endpoint_filters_by_reason(api: Api) -> None:
    r = api.client.get("/quarantine?reason=negative_price", headers=api.headers("admin"))
    rows = r.json()["rows"]
    assert [row["reason"] for row in rows] == ["negative_price"]
    assert r.json()["total"] == sum(r.json()["reasons"].values())


def test_suggest_completes_from_the_catalogue(api: Api) -> None:
    r = api.client.get("/suggest", params={"q": "nik"}, headers=api.headers("search"))
    first = r.json()["suggestions"][0]
    assert (first["text"], first["kind"]) == ("Nike", "brand")
    zh = api.client.get("/suggest", params={"q": "耐克"}, headers=api.headers("search")).json()
    assert zh["suggestions"] and all("耐克" in s["text"] for s in zh["suggestions"])
    assert api.client.get("/suggest", headers=api.headers("search")).status_code == 422
