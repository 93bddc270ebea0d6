"""schemathesis against the OpenAPI schema: no 5xx, answers conform, invalid input gets 4xx.

Each operation is fuzzed with valid (positive) and invalid (negative) data generated
from the schema; the number of examples is bounded so the run takes about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from api_helpers import Api, running_api
from shopsense.app.demo import ingest_demo_events

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]
EXAMPLES = 20


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    store = Path(tmp_path_factory.mktemp("schema")) / "store.db"
    with running_api(str(store), semantic=False) as api:
        ingest_demo_events(api.services)
        yield api


@pytest.fixture(scope="module")
def operations(live_api: Api) -> dict[str, Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", live_api.app)
    ops = {}
    for result in schema.get_all_operations():
        op = result.ok()
        ops[op.label] = op
    return ops


def test_every_documented_operation_is_fuzzed(operations: dict[str, Any]) -> None:
    assert set(operations) == set(LABELS)


LABELS = [
    "GET /products",
    "GET /products/{product_id}",
    "PUT /products/{product_id}",
    "DELETE /products/{product_id}",
    "POST /products/bulk",
    "POST /events",
    "GET /search",
    "GET /suggest",
    "GET /recommend/user/{user_id}",
    "GET /recommend/item/{item_id}",
    "GET /recommend/item/{item_id}/bought-together",
    "GET /recommend/session/{session_id}",
    "POST /recommend/promotions",
    "GET /quality",
    "GET /health",
    "GET /metrics",
    "GET /quarantine",
]


NO_INPUT = {"GET /health"}  # nothing to make invalid


@pytest.mark.parametrize(
    ("label", "mode"),
    [
        (label, mode)
        for label in LABELS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if not (label in NO_INPUT and mode is GenerationMode.NEGATIVE)
    ],
)
def test_operation_conforms_to_its_schema(
    live_api: Api, operations: dict[str, Any], label: str, mode: GenerationMode
) -> None:
    auth = live_api.headers("admin")

    @given(case=operations[label].as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers={**(case.headers or {}), **auth}, checks=CHECKS)

    run()
