"""Helpers for the API tests: the real app over a real store, with keys of each scope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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
    store_url: str, *, demo: bool = True, open_access: bool = False, max_in_flight: int = 64
) -> Iterator[Api]:
    settings = Settings(db=store_url, open_access=open_access, max_in_flight=max_in_flight)
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
