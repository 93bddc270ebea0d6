"""The server under real conditions: admission control, and `shopsense serve` as a process."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from api_helpers import served
from shopsense.api.guard import Guard
from shopsense.api.metrics import Metrics


def test_requests_beyond_the_bound_get_503_with_retry_after_not_a_queue() -> None:
    release = asyncio.Event()
    entered = 0

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal entered
        entered += 1
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    metrics = Metrics()
    guard = Guard(slow_app, max_in_flight=2, metrics=metrics)

    async def call(path: str) -> tuple[int, dict[str, str]]:
        sent: list[Any] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Any) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "headers": []}
        await guard(scope, receive, send)
        start = sent[0]
        return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}

    async def scenario() -> list[tuple[int, dict[str, str]]]:
        held = [asyncio.create_task(call("/products")) for _ in range(2)]
        while entered < 2:
            await asyncio.sleep(0)
        extra = await call("/products")  # answered at once, never queued
        health = asyncio.create_task(call("/health"))  # health is never turned away
        while entered < 3:
            await asyncio.sleep(0)
        release.set()
        return [extra, *[await t for t in held], await health]

    extra, first, second, health = asyncio.run(scenario())
    assert extra[0] == 503 and extra[1]["retry-after"] == "1"
    assert (first[0], second[0], health[0]) == (200, 200, 200)
    assert metrics.rejections["overloaded"] == 1
    assert metrics.in_flight == 0


def test_shopsense_serve_answers_over_http_and_stops_cleanly(tmp_path: Path) -> None:
    with served(["serve"], {"SHOPSENSE_DB": str(tmp_path / "served.db")}) as (url, output):
        health = httpx.get(f"{url}/health", timeout=5)
        assert health.json() == {"status": "ok", "store": "sqlite"}
        closed = httpx.get(f"{url}/products", timeout=5)
        assert closed.status_code == 401  # keys are required unless open access is set
    assert f"{url}/" in output[0]
    assert "Traceback" not in output[0]


def test_demo_serve_builds_the_demo_store_then_serves_it_openly(tmp_path: Path) -> None:
    env = {"SHOPSENSE_DB": str(tmp_path / "demo.db"), "SHOPSENSE_DATA_DIR": str(tmp_path)}
    with served(["demo", "--serve"], env) as (url, output):
        page = httpx.get(f"{url}/", timeout=300)  # the first page fits the recommender
        assert page.status_code == 200 and "shopsense" in page.text
        assert httpx.get(f"{url}/admin", timeout=300).status_code == 200
    assert "rows read 328" in output[0]
    assert f"{url}/" in output[0]
