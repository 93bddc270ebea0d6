"""The server under real conditions: admission control, and `shopsense serve` as a process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_shopsense_serve_answers_over_http_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(os.environ, SHOPSENSE_DB=str(tmp_path / "served.db"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "shopsense.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{url}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "server did not start in 60 s"
                time.sleep(0.3)
        assert health.json() == {"status": "ok", "store": "sqlite"}
        closed = httpx.get(f"{url}/products", timeout=5)
        assert closed.status_code == 401  # keys are required unless open access is set
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
    assert "Traceback" not in out
