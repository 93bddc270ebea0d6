"""The one interface every recommender implements, and the ranked result it returns.

A model is fitted on :class:`~shopsense.events.interactions.Interactions` and then
scores every item for a *history* (a user's or a session's items with weights),
so the same model serves known users, new users and anonymous sessions. Item
similarity is a score vector too. Selection always goes through
:func:`shopsense.core.topk.top_k`; masked items get ``-inf``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import NamedTuple, Self

import numpy as np
import numpy.typing as npt

from shopsense.core.errors import NotFoundError, ShopsenseError
from shopsense.core.topk import top_k
from shopsense.events.interactions import History, Interactions, history_of

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class NotFittedError(ShopsenseError):
    """A recommender was asked for results before ``fit``."""

    code = "not_fitted"


class Ranked(NamedTuple):
    """Item indices, best first, and their scores."""

    items: IntArray
    scores: FloatArray


def minmax(scores: FloatArray) -> FloatArray:
    """Scale finite scores to [0, 1] (all-equal → 0); ``-inf`` stays ``-inf``."""
    finite = np.isfinite(scores)
    if not finite.any():
        return np.zeros_like(scores)
    lo, hi = scores[finite].min(), scores[finite].max()
    out = np.where(finite, scores - lo, -np.inf)
    return out / (hi - lo) if hi > lo else np.where(finite, 0.0, -np.inf)


class Recommender(ABC):
    """fit → score a history / a known user / similar items → ranked top-k."""

    name = "recommender"
    user_specific = False  # True when score_user uses more than the user's history
    _data: Interactions | None = None

    @property
    def data(self) -> Interactions:
        if self._data is None:
            raise NotFittedError(f"{self.name}: call fit() before asking for recommendations")
        return self._data

    def fit(self, data: Interactions) -> Self:
        self._data = data
        self._fit(data)
        return self

    @abstractmethod
    def _fit(self, data: Interactions) -> None: ...

    @abstractmethod
    def score(self, history: History) -> FloatArray:
        """A score for every item given a history (higher is better)."""

    @abstractmethod
    def similar(self, item: int) -> FloatArray:
        """A similarity score for every item to ``item``."""

    def score_user(self, user: int) -> FloatArray:
        return self.score(self.data.history(user))

    def _user(self, user: int) -> int:
        if not 0 <= user < self.data.n_users:
            raise NotFoundError(f"{self.name}: no user with index {user}")
        return user

    def recommend(self, user: int, k: int = 10, *, exclude_seen: bool = True) -> Ranked:
        """Top ``k`` items for a known user, the user's items left out unless asked."""
        scores = np.array(self.score_user(self._user(user)), dtype=np.float64)
        if exclude_seen:
            scores[self.data.seen(user)] = -np.inf
        return Ranked(*top_k(scores, k))

    def recommend_history(
        self, history: History, k: int = 10, *, exclude: Sequence[int] | IntArray = ()
    ) -> Ranked:
        scores = np.array(self.score(history), dtype=np.float64)
        scores[np.asarray(exclude, dtype=np.int64)] = -np.inf
        return Ranked(*top_k(scores, k))

    def recommend_session(self, items: Sequence[int], k: int = 10) -> Ranked:
        """What comes next after ``items`` (oldest first); the session's items are left out."""
        history = history_of(items, None, self.data.config.history_half_life)
        return self.recommend_history(history, k, exclude=history.items)

    def similar_items(self, item: int, k: int = 10) -> Ranked:
        if not 0 <= item < self.data.n_items:
            raise NotFoundError(f"{self.name}: no item with index {item}")
        scores = np.array(self.similar(item), dtype=np.float64)
        scores[item] = -np.inf
        return Ranked(*top_k(scores, k))
