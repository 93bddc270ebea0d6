"""Helpers for the API tests: the real app over a real store, with keys of each scope."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shopsense.api.server import create_app
from shopsense.app.demo import ingest_demo_catalog
from shopsense.app.services import Services
from shopsense.app.settings import Settings


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    services: Services
    keys: dict[str, str]

    def headers(self, scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[scope]}"}


@contextmanager
def running_api(
    store_url: str,
    *,
    demo: bool = True,
    open_access: bool = False,
    max_in_flight: int = 64,
    data_dir: Path | None = None,
    semantic: bool = True,
    warm: bool = False,
) -> Iterator[Api]:
    settings = Settings(
        db=store_url,
        open_access=open_access,
        max_in_flight=max_in_flight,
        semantic=semantic,
        search_warm=warm,
    )
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    svc = Services.from_settings(settings)
    try:
        if demo:
            ingest_demo_catalog(svc)
        keys = {s: svc.keys.create(s, f"test {s}").secret for s in ("admin", "ingest", "search")}
        app = create_app(svc)
        with TestClient(app) as client:
            yield Api(app, client, svc, keys)
    finally:
        svc.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(args: list[str], env: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """Run ``shopsense ARGS --port P`` until /health answers; yield its URL and, after
    it has been stopped, its output (the list is filled when the block ends)."""
    port = free_port()
    cmd = [sys.executable, "-m", "shopsense.cli.main", *args, "--port", str(port)]
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: nothing it started outlives the test
    )
    url = f"http://127.0.0.1:{port}"
    output: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                httpx.get(f"{url}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, f"server exited: {proc.communicate()[0]}"
                assert time.monotonic() < deadline, "server did not start in 300 s"
                time.sleep(0.3)
        yield url, output
    finally:
        proc.terminate()
        try:
            output.append(proc.communicate(timeout=60)[0])
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output.append(proc.communicate()[0])
            raise AssertionError(f"{' '.join(args)} did not stop within 60 s of SIGTERM") from None
        with suppress(ProcessLookupError):  # workers left behind by a supervisor that exited
            os.killpg(proc.pid, signal.SIGKILL)
