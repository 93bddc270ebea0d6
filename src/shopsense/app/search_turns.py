"""Searches computed one at a time, in the order they arrived, with the line visible.

A process computes one uncached search at a time (``Services.run_search``). Python's
``threading.Lock`` hands itself to whichever waiting thread the OS wakes first, so a
request could wait behind many that came later (the long tail of cold-query latency);
``Turns`` serves them first come, first served. The request whose turn it is can see
what the others in line carry (``in_line``), so it can do their shared work in one go
(the query encoder runs one batch for all of them: ``SearchService.prime``).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(eq=False)
class _Entry(Generic[T]):
    item: T
    ready: threading.Event = field(default_factory=threading.Event)


class Turns(Generic[T]):
    """A first-come, first-served turn for one holder at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._line: deque[_Entry[T]] = deque()

    @contextmanager
    def turn(self, item: T) -> Iterator[None]:
        """Wait in line with ``item``; the block runs when every earlier holder is done."""
        entry = _Entry(item)
        with self._lock:
            self._line.append(entry)
            first = self._line[0] is entry
        if not first:
            try:
                entry.ready.wait()
            except BaseException:  # interrupted while waiting: leave the line, pass it on
                self._leave(entry)
                raise
        try:
            yield
        finally:
            self._leave(entry)

    def in_line(self) -> list[T]:
        """The items of those waiting behind the current holder, in arrival order."""
        with self._lock:
            return [e.item for e in list(self._line)[1:]]

    def __len__(self) -> int:
        """Holder and waiting, together."""
        with self._lock:
            return len(self._line)

    def _leave(self, entry: _Entry[T]) -> None:
        with self._lock:
            was_first = self._line[0] is entry
            self._line.remove(entry)
            if was_first and self._line:
                self._line[0].ready.set()
