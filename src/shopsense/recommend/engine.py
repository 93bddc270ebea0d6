"""The recommendation surfaces over one fitted model, with controls and explanations.

for you (user) · similar items · frequently bought together · continue your
session · promotion targeting. Ids in and out are the caller's strings; every
suggestion carries a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from shopsense.core.errors import NotFoundError
from shopsense.events.interactions import History, Interactions, history_of
from shopsense.events.schema import Event
from shopsense.recommend.base import FloatArray, Ranked, Recommender, minmax
from shopsense.recommend.bought_together import BoughtTogether
from shopsense.recommend.companion_fit import NEUTRAL, CategoryWords, Fit, companion_fit
from shopsense.recommend.content import ContentBased
from shopsense.recommend.controls import (
    BusinessFilter,
    ItemAttributes,
    mmr,
    penalise_popularity,
    select,
    under,
)
from shopsense.recommend.explain import Explainer, Explanation
from shopsense.recommend.hybrid import Hybrid
from shopsense.recommend.item_knn import ItemKNN
from shopsense.recommend.popularity import Popularity
from shopsense.recommend.similarity import ItemSimilarity


@dataclass(frozen=True)
class Suggestion:
    item_id: str
    score: float
    reason_code: str
    reason: str
    anchor: str | None = None


@dataclass(frozen=True)
class Controls:
    """Filters, diversity (0 = off … 1 = most diverse) and popularity-bias control (β ≥ 0).

    By default a sold-out item (out of stock, or in stock with none left) is never
    suggested: a shopper cannot buy it. ``in_stock`` is stricter: only items in
    stock now (no preorders, no unknown availability).
    """

    in_stock: bool = False
    include_sold_out: bool = False  # sold-out items are left out unless asked for
    category_prefix: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    exclude_seen: bool = True
    exclude_bought: bool = True
    diversity: float = 0.0
    popularity_penalty: float = 0.0


NO_CONTROLS = Controls()


@dataclass(frozen=True)
class Promotion:
    """A promotion or coupon covering some items and/or a category prefix."""

    id: str
    name: str
    item_ids: tuple[str, ...] = ()
    category_prefix: str | None = None


@dataclass(frozen=True)
class PromotionScore:
    promotion_id: str
    name: str
    propensity: float
    reason: str


@dataclass
class UserState:
    history: History
    kinds: dict[int, str] = field(default_factory=dict)


class RecommendationEngine:
    def __init__(
        self,
        model: Recommender,
        data: Interactions,
        *,
        attributes: ItemAttributes | None = None,
        titles: Mapping[str, str] | None = None,
        brands: Mapping[str, str | None] | None = None,
        content: ContentBased | None = None,
    ) -> None:
        """``content`` (default: the model's own, a :class:`Hybrid`'s) makes items with
        similar text/photos similar items; ``titles`` and ``brands`` name the items in
        reasons and tell which accessories fit an item."""
        self.model = model
        self.data = data
        self.attributes = attributes
        self.popularity = Popularity().fit(data)
        self.bought = BoughtTogether().fit(data)
        knn = ItemKNN().fit(data)
        self.titles = titles or {}
        self.brands = brands or {}
        self.explainer = Explainer(data.item_ids, self.titles, data.item_category, knn, self.bought)
        if content is None and isinstance(model, Hybrid):
            content = model.content
        self.similarity = ItemSimilarity(data, knn, self.popularity.popularity, content)
        self._words: dict[str, CategoryWords] = {}

    # -- ids and state -------------------------------------------------------------
    def item(self, item_id: str) -> int:
        j = self.data.item_index.get(item_id)
        if j is None:
            raise NotFoundError(f"no item {item_id!r} in the recommendation model")
        return j

    def knows(self, user_id: str) -> bool:
        """Whether the model has events of ``user_id``."""
        return user_id in self.data.user_index

    def user_state(self, user_id: str, recent: Sequence[Event] = ()) -> UserState:
        """The user's history in the model plus ``recent`` events not yet fitted."""
        u = self.data.user_index.get(user_id)
        items: list[int] = []
        weights: list[float] = []
        kinds: dict[int, str] = {}
        if u is not None:
            s = self.data.events_of(u)
            items = self.data.ev_item[s].tolist()
            weights = self.data.ev_weight[s].tolist()
            for j, kc in zip(items, self.data.ev_kind[s].tolist(), strict=True):
                kinds[j] = _stronger(kinds.get(j), self.data.kinds[kc])
        for e in recent:
            if e.item_id in self.data.item_index:
                r = self.data.item_index[e.item_id]
                items.append(r)
                weights.append(self.data.config.weight_of(e.type))
                kinds[r] = _stronger(kinds.get(r), e.type)
        cfg = self.data.config
        h = history_of(items, weights, cfg.history_half_life)
        cap = cfg.history_max_items
        return UserState(History(h.items[-cap:], h.weights[-cap:]) if cap else h, kinds)

    # -- surfaces ------------------------------------------------------------------
    def for_you(
        self,
        user_id: str,
        k: int = 10,
        controls: Controls = NO_CONTROLS,
        recent: Sequence[Event] = (),
    ) -> list[Suggestion]:
        state = self.user_state(user_id, recent)
        u = self.data.user_index.get(user_id)
        if state.history.items.size == 0:
            scores = minmax(self.popularity.popularity)  # the scale of the model's scores
        elif u is not None and not recent:
            scores = self.model.score_user(u)
        else:
            scores = self.model.score(state.history)
        exclude = set()
        if controls.exclude_seen:
            exclude |= set(state.history.items.tolist())
        if controls.exclude_bought:
            exclude |= {j for j, kind in state.kinds.items() if kind == "buy"}
        ranked = self._rank(scores, k, controls, exclude)
        history = state.history.items.tolist()
        return [
            self._suggest(j, s, self.explainer.for_history(j, history, state.kinds))
            for j, s in zip(ranked.items.tolist(), ranked.scores.tolist(), strict=True)
        ]

    def similar(
        self, item_id: str, k: int = 10, controls: Controls = NO_CONTROLS
    ) -> list[Suggestion]:
        """Items like ``item_id`` (:mod:`~shopsense.recommend.similarity`), each saying why."""
        j = self.item(item_id)
        scores, ok = self.similarity.scored(j)
        ranked = self._rank(scores, k, controls, {j})
        return [
            self._suggest(
                i,
                s,
                self.explainer.similar_to(
                    i,
                    j,
                    shoppers=bool(ok.shoppers[i]),
                    title=bool(ok.title[i]),
                    photo=bool(ok.photo[i]),
                ),
            )
            for i, s in zip(ranked.items.tolist(), ranked.scores.tolist(), strict=True)
        ]

    def bought_together(
        self, item_id: str, k: int = 5, controls: Controls = NO_CONTROLS
    ) -> list[Suggestion]:
        """Item rules, then category rules whose members fit the item first (the filters apply)."""
        j = self.item(item_id)
        allowed = self._filter(controls, {j}).allowed(self.attributes, self.data.n_items)
        fits: dict[int, Fit] = {}

        def prefer(c: int) -> float:
            fits[c] = self._fit(j, c)
            return fits[c].preference

        out = []
        for c in self.bought.companions(j, k, allowed=allowed, prefer=prefer):
            fit = fits.get(c.item)
            # a category rule's members share its lift: their fit orders them, and shows
            score = c.lift if c.via_category is None or fit is None else c.lift * fit.preference
            why = self.explainer.bought_with(j, c.via_category, fit)
            out.append(self._suggest(c.item, score, why))
        return out

    def continue_session(
        self, item_ids: Sequence[str], k: int = 10, controls: Controls = NO_CONTROLS
    ) -> list[Suggestion]:
        items = [self.item(i) for i in item_ids if i in self.data.item_index]
        if not items:
            return self.for_you("", k, controls)
        history = history_of(items, None, self.data.config.history_half_life)
        ranked = self._rank(self.model.score(history), k, controls, set(items))
        out = []
        for j, s in zip(ranked.items.tolist(), ranked.scores.tolist(), strict=True):
            why = self.explainer.for_history(j, items, {})
            if why.code == "because":
                why = Explanation("session", why.text + " in this session", why.anchor)
            out.append(self._suggest(j, s, why))
        return out

    def promotions(
        self, user_id: str, promotions: Sequence[Promotion], k: int = 3
    ) -> list[PromotionScore]:
        """Rank promotions by the user's predicted propensity for the items they cover."""
        state = self.user_state(user_id)
        u = self.data.user_index.get(user_id)
        if state.history.items.size == 0:
            scores = self.popularity.popularity
        else:
            scores = self.model.score_user(u) if u is not None else self.model.score(state.history)
        scaled = np.nan_to_num(minmax(np.asarray(scores, np.float64)), neginf=0.0)
        out = []
        for promo in promotions:
            covered = self._covered(promo)
            if covered.size == 0:
                continue
            best = int(covered[np.argmax(scaled[covered])])
            propensity = float(scaled[covered].max())
            out.append(
                PromotionScore(
                    promo.id, promo.name, propensity, self._promotion_reason(state, covered, best)
                )
            )
        out.sort(key=lambda p: (-p.propensity, p.promotion_id))
        return out[:k]

    # -- helpers -------------------------------------------------------------------
    def _promotion_reason(self, state: UserState, covered: np.ndarray, best: int) -> str:
        mine = [j for j in state.history.items.tolist()[::-1] if j in set(covered.tolist())]
        if mine:
            return (
                f"you showed interest in {len(mine)} item(s) it covers, "
                f"e.g. {self.explainer.title(mine[0])}"
            )
        why = self.explainer.for_history(best, state.history.items.tolist(), state.kinds)
        return f"covers {self.explainer.title(best)}, {why.text}"

    def _covered(self, promo: Promotion) -> np.ndarray:
        ids = [self.data.item_index[i] for i in promo.item_ids if i in self.data.item_index]
        if promo.category_prefix:
            prefix = promo.category_prefix
            ids += [j for j, c in enumerate(self.data.item_category) if under(c, prefix)]
        return np.unique(np.asarray(ids, np.int64))

    def _fit(self, item: int, companion: int) -> Fit:
        """How ``companion`` fits ``item``, from their titles (neutral without titles)."""
        item_id = self.data.item_ids[item]
        item_title = self.titles.get(item_id)
        title = self.titles.get(self.data.item_ids[companion])
        category = self.data.item_category[item]
        if item_title is None or title is None or category is None:
            return Fit(NEUTRAL, "")
        if category not in self._words:
            self._words[category] = CategoryWords(
                (self.titles.get(i, ""), self.brands.get(i))
                for i, c in zip(self.data.item_ids, self.data.item_category, strict=True)
                if c == category
            )
        companion_category = self.data.item_category[companion] or ""
        item_text = f"{item_title} - {self.brands.get(item_id) or ''}"
        return companion_fit(item_text, title, companion_category, self._words[category])

    def _filter(self, controls: Controls, exclude: set[int]) -> BusinessFilter:
        return BusinessFilter(
            controls.in_stock,
            controls.category_prefix,
            controls.price_min,
            controls.price_max,
            frozenset(exclude),
            sold_out=not controls.include_sold_out,
        )

    def _rank(self, scores: FloatArray, k: int, controls: Controls, exclude: set[int]) -> Ranked:
        scores = penalise_popularity(
            np.asarray(scores, np.float64), self.popularity.popularity, controls.popularity_penalty
        )
        allowed = self._filter(controls, exclude).allowed(self.attributes, self.data.n_items)
        if controls.diversity <= 0:
            return select(scores, allowed, k)
        pool = select(scores, allowed, k * 5)
        return mmr(
            pool.items,
            pool.scores,
            k,
            lam=1.0 - controls.diversity,
            category=self.data.item_category,
        )

    def _suggest(self, item: int, score: float, why: Explanation) -> Suggestion:
        return Suggestion(self.data.item_ids[item], float(score), why.code, why.text, why.anchor)


_STRENGTH = {"buy": 4, "cart": 3, "fav": 2}


def _stronger(old: str | None, new: str) -> str:
    if old is None:
        return new
    return new if _STRENGTH.get(new, 1) > _STRENGTH.get(old, 1) else old
