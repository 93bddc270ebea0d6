"""Keeps the garbage collector's full passes off the request path.

A warmed search worker holds about 700k container objects (index tables, term maps,
models). CPython runs a full (generation-2) collection once the objects promoted since
the last one exceed a quarter of those it holds, and such a pass walks all 700k: 0.4-2 s
of wall time per pass seen in a loaded worker, finding almost nothing to free, while
every request in flight waits (benchmarks/RESULTS.md, issue 7, eighth session).
``settle`` collects once and moves what is alive into the permanent generation
(``gc.freeze``), so later passes walk only what was allocated since. Frozen objects are
still freed by reference counting; a reference cycle among them would only be found by
the next ``settle``, which first returns them to the collector (``gc.unfreeze``).
Call it after building long-lived structures (start-up, an index swap), never per request.
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Collect everything, then freeze the survivors; returns how many are frozen."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
