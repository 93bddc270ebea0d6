"""Turns: one holder at a time, first come first served, the line visible to the holder."""

from __future__ import annotations

import threading
import time

import pytest

from shopsense.app.search_turns import Turns


def _wait_for(cond: object, deadline_s: float = 30) -> None:
    deadline = time.monotonic() + deadline_s
    while not cond() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.005)


def test_waiting_holders_go_in_arrival_order_and_see_who_is_behind() -> None:
    turns: Turns[str] = Turns()
    order: list[str] = []
    seen_behind: dict[str, list[str]] = {}

    def take(name: str) -> None:
        with turns.turn(name):
            seen_behind[name] = turns.in_line()
            order.append(name)

    names = [f"r{i}" for i in range(8)]
    threads = []
    with turns.turn("holder"):
        for i, name in enumerate(names):  # each lines up before the next arrives
            t = threading.Thread(target=take, args=(name,))
            t.start()
            threads.append(t)
            _wait_for(lambda n=i: len(turns) == n + 2)
        assert turns.in_line() == names
    for t in threads:
        t.join()
    assert order == names
    assert seen_behind["r0"] == names[1:] and seen_behind["r7"] == []
    assert len(turns) == 0


def test_a_failing_holder_passes_the_turn_on() -> None:
    turns: Turns[int] = Turns()
    with pytest.raises(ValueError), turns.turn(1):
        raise ValueError("search failed")
    done = threading.Event()

    def take() -> None:
        with turns.turn(2):
            done.set()

    t = threading.Thread(target=take)
    t.start()
    t.join(timeout=30)
    assert done.is_set() and len(turns) == 0
