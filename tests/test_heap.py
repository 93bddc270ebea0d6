"""``shopsense.api.heap``: long-lived objects leave the collector's full passes."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shopsense.api import heap
from shopsense.api.server import create_app
from shopsense.app.demo import ingest_demo_catalog
from shopsense.app.services import Services
from shopsense.app.settings import Settings


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    """Each test starts and ends with nothing frozen and no hook (the rest of the suite
    expects the collector as it was)."""
    heap.unsettle()
    yield
    heap.unsettle()


def test_settle_freezes_what_is_alive_and_frees_frozen_cycles_on_the_next_settle() -> None:
    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: reference counting alone never frees it
    gone = weakref.ref(a)
    frozen = heap.settle()
    assert frozen == gc.get_freeze_count() > 0
    assert not any(o is a for o in gc.get_objects())  # out of every generation's pass
    del a, b
    gc.collect()
    assert gone() is not None  # frozen: a full pass does not look at it
    heap.settle()  # returned to the collector first, then collected
    assert gone() is None


def test_after_settling_every_full_pass_freezes_its_survivors() -> None:
    heap.settle()
    before = gc.get_freeze_count()
    later = [Node() for _ in range(1000)]
    gc.collect()  # a full pass, as the collector starts one by itself
    assert gc.get_freeze_count() >= before + 1000
    assert not any(o is later[0] for o in gc.get_objects())
    heap.unsettle()
    assert gc.get_freeze_count() == 0 and any(o is later[0] for o in gc.get_objects())


def test_a_served_app_settles_its_heap_after_start_up_and_a_test_app_does_not(
    tmp_path: Path,
) -> None:
    settings = Settings(db=str(tmp_path / "s.db"), data_dir=tmp_path / "d", semantic=False)
    svc = Services.from_settings(settings.model_copy(update={"search_warm": True}))
    try:
        ingest_demo_catalog(svc)
        with TestClient(create_app(svc)):
            assert gc.get_freeze_count() == 0
        with TestClient(create_app(svc, settle_heap=True)):
            assert gc.get_freeze_count() > 0
    finally:
        svc.close()
