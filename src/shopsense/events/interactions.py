"""Events → a user × item interaction matrix (scipy.sparse) and per-user histories.

All weighting is in one typed :class:`InteractionConfig`: behaviour weights
(view < cart/fav < buy), time decay of old events, how repeated interactions
add up, and how strongly recent items dominate a user's or a session's history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from shopsense.events.schema import Event

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
DAY = 86400.0


class InteractionConfig(BaseModel):
    """How events become interaction strengths. Every number here is a parameter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "view": 1.0,
            "click": 1.0,
            "rate": 1.0,
            "cart": 3.0,
            "fav": 3.0,
            "buy": 5.0,
        }
    )
    default_weight: float = Field(default=1.0, ge=0, description="weight of event types not listed")
    half_life_days: float | None = Field(
        default=None,
        gt=0,
        description="an event loses half its weight this many days before the newest",
    )
    transform: Literal["log1p", "sum", "binary"] = "log1p"
    history_half_life: float | None = Field(
        default=20.0, gt=0, description="in a history, an item this many items back counts half"
    )
    history_max_items: int | None = Field(
        default=200, ge=1, description="a history keeps only its newest this many items"
    )
    session_gap_minutes: float = Field(
        default=30.0, gt=0, description="split sessionless streams here"
    )

    def weight_of(self, kind: str) -> float:
        return self.weights.get(kind, self.default_weight)


class History(NamedTuple):
    """A user's or a session's items, oldest to newest (each once), with their weights."""

    items: IntArray
    weights: FloatArray


def recency_weights(n: int, half_life: float | None) -> FloatArray:
    """Weight 1 for the newest of ``n`` positions, halving every ``half_life`` positions back."""
    if half_life is None:
        return np.ones(n)
    back = np.arange(n - 1, -1, -1, dtype=np.float64)
    return np.asarray(0.5 ** (back / half_life), dtype=np.float64)


def history_of(
    items: Sequence[int] | IntArray,
    strengths: Sequence[float] | FloatArray | None,
    half_life: float | None,
) -> History:
    """Collapse a time-ordered item stream into unique items (by last occurrence), decayed."""
    seq = np.asarray(items, dtype=np.int64)
    if seq.size == 0:
        return History(np.empty(0, np.int64), np.empty(0))
    w = np.ones(seq.size) if strengths is None else np.asarray(strengths, dtype=np.float64)
    rev_unique, rev_first, rev_inverse = np.unique(
        seq[::-1], return_index=True, return_inverse=True
    )
    totals = np.bincount(rev_inverse, weights=w[::-1], minlength=rev_unique.size)
    order = np.argsort(-rev_first, kind="stable")  # oldest last-occurrence first
    uniq, totals = rev_unique[order], totals[order]
    return History(uniq, totals * recency_weights(uniq.size, half_life))


@dataclass(frozen=True)
class Interactions:
    """Users, items, the weighted matrix, and the events sorted by (user, time)."""

    user_ids: list[str]
    item_ids: list[str]
    user_index: dict[str, int]
    item_index: dict[str, int]
    matrix: sp.csr_matrix
    ev_user: IntArray
    ev_item: IntArray
    ev_weight: FloatArray
    ev_time: FloatArray
    ev_session: IntArray
    ev_kind: IntArray  # index into ``kinds``
    kinds: list[str]
    user_ptr: IntArray
    item_category: list[str | None]
    config: InteractionConfig

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def newest(self) -> float:
        return float(self.ev_time.max()) if self.ev_time.size else 0.0

    def events_of(self, user: int) -> slice:
        return slice(int(self.user_ptr[user]), int(self.user_ptr[user + 1]))

    def history(self, user: int) -> History:
        s = self.events_of(user)
        h = history_of(self.ev_item[s], self.ev_weight[s], self.config.history_half_life)
        cap = self.config.history_max_items
        return History(h.items[-cap:], h.weights[-cap:]) if cap else h

    def kind_mask(self, kinds: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Which events (in (user, time) order) are of one of ``kinds``."""
        codes = [j for j, k in enumerate(self.kinds) if k in kinds]
        return np.isin(self.ev_kind, codes)

    def seen(self, user: int) -> IntArray:
        return np.asarray(
            self.matrix.indices[self.matrix.indptr[user] : self.matrix.indptr[user + 1]],
            dtype=np.int64,
        )


def subset(data: Interactions, keep: npt.NDArray[np.bool_]) -> Interactions:
    """The same users and items with only the events where ``keep`` is true (same order)."""
    u = data.ev_user[keep]
    w = data.ev_weight[keep]
    i = data.ev_item[keep]
    matrix = _matrix(u, i, w, data.n_users, data.n_items, data.config.transform)
    ptr = np.searchsorted(u, np.arange(data.n_users + 1)).astype(np.int64)
    return replace(
        data,
        matrix=matrix,
        ev_user=u,
        ev_item=i,
        ev_weight=w,
        ev_time=data.ev_time[keep],
        ev_session=data.ev_session[keep],
        user_ptr=ptr,
    )


def build_interactions(
    events: Sequence[Event],
    config: InteractionConfig | None = None,
    *,
    items: Sequence[str] = (),
    item_category: Mapping[str, str | None] | None = None,
) -> Interactions:
    """Index users and items (``items`` adds catalogue items without events) and weigh events."""
    config = config or InteractionConfig()
    users_raw = [e.user_id for e in events]
    items_all = list(dict.fromkeys([*items, *(e.item_id for e in events)]))
    item_index = {item: j for j, item in enumerate(items_all)}
    user_ids = list(dict.fromkeys(users_raw))
    user_index = {u: j for j, u in enumerate(user_ids)}
    u = np.fromiter((user_index[x] for x in users_raw), np.int64, len(events))
    i = np.fromiter((item_index[e.item_id] for e in events), np.int64, len(events))
    t = np.fromiter((e.timestamp.timestamp() for e in events), np.float64, len(events))
    w = np.fromiter((config.weight_of(e.type) for e in events), np.float64, len(events))
    kinds = sorted({e.type for e in events})
    kind_code = {k: j for j, k in enumerate(kinds)}
    kc = np.fromiter((kind_code[e.type] for e in events), np.int64, len(events))
    order = np.lexsort((np.arange(len(events)), t, u))
    u, i, t, w, kc = u[order], i[order], t[order], w[order], kc[order]
    sessions = _sessions(events, order, u, t, config.session_gap_minutes * 60.0)
    if config.half_life_days is not None and t.size:
        w = w * 0.5 ** ((t.max() - t) / (config.half_life_days * DAY))
    matrix = _matrix(u, i, w, len(user_ids), len(items_all), config.transform)
    ptr = np.searchsorted(u, np.arange(len(user_ids) + 1)).astype(np.int64)
    cats = item_category or {}
    return Interactions(
        user_ids,
        items_all,
        user_index,
        item_index,
        matrix,
        u,
        i,
        w,
        t,
        sessions,
        kc,
        kinds,
        ptr,
        [cats.get(x) for x in items_all],
        config,
    )


def _matrix(
    u: IntArray, i: IntArray, w: FloatArray, n_users: int, n_items: int, transform: str
) -> sp.csr_matrix:
    m = sp.csr_matrix((w, (u, i)), shape=(n_users, n_items), dtype=np.float64)
    m.sum_duplicates()
    if transform == "log1p":
        m.data = np.log1p(m.data)
    elif transform == "binary":
        m.data = np.ones_like(m.data)
    return sp.csr_matrix(m, dtype=np.float32)


def _sessions(
    events: Sequence[Event], order: IntArray, u: IntArray, t: FloatArray, gap: float
) -> IntArray:
    """Session codes: the events' own session ids, else a new session after ``gap`` seconds."""
    given = [events[int(k)].session_id for k in order]
    if all(s is not None for s in given):
        codes = {s: j for j, s in enumerate(dict.fromkeys(given))}
        return np.fromiter((codes[s] for s in given), np.int64, len(given))
    new = np.ones(u.size, dtype=bool)
    if u.size:
        new[1:] = (u[1:] != u[:-1]) | (np.diff(t) > gap)
    return np.cumsum(new).astype(np.int64) - 1
