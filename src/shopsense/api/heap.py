"""Keeps the garbage collector's full passes short, off the request path.

A warmed search worker holds about 700k container objects (index tables, term maps,
models). CPython runs a full (generation-2) collection once the objects promoted since
the last one exceed a quarter of those it holds, and such a pass walks all 700k: 0.4-2 s
of wall time per pass seen in a loaded worker, finding almost nothing to free, while
every request in flight waits. ``settle`` collects once and moves what is alive into the
permanent generation (``gc.freeze``), so later passes walk only what was allocated since.

Under load the result cache then grows to ~140k objects a worker, and one full pass over
them stalled both workers for 120-150 ms at once, the slowest requests of a 200/s run
(benchmarks/RESULTS.md, issue 7, eighth session). So after every full pass the survivors
are frozen too (``settle`` installs the hook): each pass walks only what arrived since
the previous one. Frozen objects are still freed by reference counting; a reference cycle
among them is only found by the next ``settle`` (start-up, an index swap), which first
returns them to the collector (``gc.unfreeze``). Call it after building long-lived
structures, never per request.
"""

from __future__ import annotations

import gc
from typing import Any


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info.get("generation") == 2:
        gc.freeze()


def settle() -> int:
    """Collect everything, then freeze the survivors, and from now on freeze those of
    every full pass; returns how many objects are frozen."""
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    # a second, now cheap, pass: the collector sizes the next full pass by the objects the
    # last one kept (~700k before the freeze, so ~175k promotions later); after this one
    # it kept none, so full passes come often and each walks only the few objects since
    gc.collect()
    return gc.get_freeze_count()


def unsettle() -> None:
    """Stop freezing after full passes and return frozen objects to the collector."""
    if _freeze_survivors in gc.callbacks:
        gc.callbacks.remove(_freeze_survivors)
    gc.unfreeze()
