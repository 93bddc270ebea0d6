"""Train/test splits of an event stream for top-N evaluation.

- ``leave-last-out``: per user, the item of the newest event (file order breaks
  ties) is held out and *all* of that user's events on it leave the training set,
  so the target is never a seen item. Users with one distinct item are train only.
- ``temporal``: events before the ``1 − test_fraction`` time quantile train; each
  user with training events is tested on the new items they touched afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from shopsense.core.errors import InputError
from shopsense.events.schema import Event

Protocol = Literal["leave-last-out", "temporal"]


@dataclass(frozen=True)
class Split:
    train: list[Event]
    test: dict[str, set[str]]
    items: list[str]  # every item of the full stream, so indices match across splits


def leave_last_out(events: Sequence[Event]) -> Split:
    by_user: dict[str, list[int]] = defaultdict(list)
    for k, e in enumerate(events):
        by_user[e.user_id].append(k)
    test: dict[str, set[str]] = {}
    drop: set[int] = set()
    for user, idx in by_user.items():
        idx.sort(key=lambda k: (events[k].timestamp, k))
        target = events[idx[-1]].item_id
        if len({events[k].item_id for k in idx}) < 2:
            continue
        test[user] = {target}
        drop.update(k for k in idx if events[k].item_id == target)
    train = [e for k, e in enumerate(events) if k not in drop]
    return Split(train, test, list(dict.fromkeys(e.item_id for e in events)))


def temporal(events: Sequence[Event], test_fraction: float = 0.2) -> Split:
    if not 0 < test_fraction < 1:
        raise InputError("test_fraction must be between 0 and 1")
    times = np.array([e.timestamp.timestamp() for e in events])
    cutoff = float(np.quantile(times, 1 - test_fraction))
    train = [e for e, t in zip(events, times, strict=True) if t < cutoff]
    seen: dict[str, set[str]] = defaultdict(set)
    for e in train:
        seen[e.user_id].add(e.item_id)
    test: dict[str, set[str]] = defaultdict(set)
    for e, t in zip(events, times, strict=True):
        if t >= cutoff and e.user_id in seen and e.item_id not in seen[e.user_id]:
            test[e.user_id].add(e.item_id)
    return Split(train, dict(test), list(dict.fromkeys(e.item_id for e in events)))


def split_events(events: Sequence[Event], protocol: Protocol) -> Split:
    if protocol == "leave-last-out":
        return leave_last_out(events)
    if protocol == "temporal":
        return temporal(events)
    raise InputError(f"unknown protocol {protocol!r}: use leave-last-out or temporal")
