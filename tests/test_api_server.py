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

from api_helpers import served
from shopsense.api.guard import REBALANCE_SECONDS, Guard
from shopsense.api.metrics import Metrics


async def _get(guard: Guard, path: str) -> dict[str, Any]:
    """The ``http.response.start`` message of a GET of ``path`` through ``guard``."""
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await guard({"type": "http", "method": "GET", "path": path, "headers": []}, receive, send)
    start: dict[str, Any] = sent[0]
    return start


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
        start = await _get(guard, path)
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


def test_a_busy_worker_asks_one_client_at_a_time_to_reconnect() -> None:
    """Above ``rebalance_above`` in flight, one answer per interval carries
    ``Connection: close`` (the client's new connection may land on another worker)."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    def closes(guard: Guard, others_in_flight: int, path: str = "/search") -> bool:
        guard.metrics.in_flight = others_in_flight  # requests of other clients, waiting
        return (b"connection", b"close") in asyncio.run(_get(guard, path))["headers"]

    busy = Guard(app, max_in_flight=64, metrics=Metrics(), rebalance_above=4)
    assert not closes(busy, 3)  # 4 in flight with this one: not above the bound
    assert closes(busy, 4)  # 5 in flight: this client is asked to reconnect
    assert not closes(busy, 10)  # at most one per REBALANCE_SECONDS
    busy._last_shed -= REBALANCE_SECONDS
    assert not closes(busy, 10, "/health")  # health checks are never shed
    assert closes(busy, 10)
    never = Guard(app, max_in_flight=64, metrics=Metrics())  # one process: off by default
    assert not closes(never, 50)


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


def _established_by_process(parent: int, port: int) -> dict[int, int]:
    """Established connections to ``port`` held by each child process of ``parent``."""
    local = f":{port:04X}"
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cols = line.split()
        if cols[1].endswith(local) and cols[3] == "01":  # 01: ESTABLISHED
            inodes.add(cols[9])
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != parent:
                continue
            links = [os.readlink(fd) for fd in (stat.parent / "fd").iterdir()]
        except OSError:
            continue
        out[int(stat.parent.name)] = sum(1 for x in links if x[8:-1] in inodes)
    return out


def _listening_sockets(port: int) -> int:
    rows = [ln.split() for ln in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return sum(1 for cols in rows if cols[1].endswith(f":{port:04X}") and cols[3] == "0A")


def test_serve_workers_each_take_a_share_of_connections_opened_together(tmp_path: Path) -> None:
    env = {"SHOPSENSE_DB": str(tmp_path / "w.db"), "SHOPSENSE_DATA_DIR": str(tmp_path)}
    with served(["serve", "--workers", "2"], env) as (url, output):
        port = int(url.rsplit(":", 1)[1])
        deadline = time.monotonic() + 120
        while _listening_sockets(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # the second worker may still be opening its store
        assert _listening_sockets(port) == 2  # one socket per worker
        conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        for c in conns:
            c.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        for c in conns:
            assert c.recv(4096).startswith(b"HTTP/1.1 200")
        parent = next(p for p in _server_parents(port))
        shares = _established_by_process(parent, port)
        for c in conns:
            c.close()
        again = subprocess.run(
            [sys.executable, "-m", "shopsense.cli.main", "serve", "--workers", "2"]
            + ["--port", str(port)],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
    busy = sorted(n for n in shares.values() if n)
    assert len(busy) == 2 and sum(busy) == 16, shares  # both workers hold connections
    assert again.returncode != 0 and "already in use" in again.stdout + again.stderr
    assert "Traceback" not in output[0]


def _server_parents(port: int) -> list[int]:
    """Processes whose command line is `shopsense serve ... --port PORT`."""
    out = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in args and str(port).encode() in args:
            out.append(int(cmdline.parent.name))
    return out
