"""Why an item is recommended, in words a shopper reads: one explanation per suggestion.

In order of preference:

- ``bought_with``  "often bought with Y"      Y in the history, and the pair has lift
- ``because``      "because you viewed X"     X the history item most co-interacted with it
- ``popular_in``   "popular in Z this week"   Z the item's category (cold users, no link)

Similar items say what makes them alike (:mod:`~shopsense.recommend.similarity`):
``similar_shoppers`` "viewed by the same shoppers as X", ``similar_content``
"similar title (and/or photo) to X", ``same_category`` "also in Z, like X; popular
there". Bought together: ``bought_with`` for a rule between the two items,
``bought_with_category`` "shoppers who buy Z often add W" for a rule between their
categories, with what the companion's title names.

Co-interaction is the item-kNN cosine between items, independent of the model
that ranked the list, so every model gets the same kind of reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from shopsense.recommend.bought_together import BoughtTogether
from shopsense.recommend.companion_fit import FITS, SAME_BRAND, Fit
from shopsense.recommend.item_knn import ItemKNN

VERBS = {
    "view": "viewed",
    "click": "viewed",
    "cart": "added to your cart",
    "fav": "saved",
    "buy": "bought",
    "rate": "rated",
}


class Explanation(NamedTuple):
    code: str
    text: str
    anchor: str | None  # the item id or category the reason points at


class Explainer:
    def __init__(
        self,
        item_ids: Sequence[str],
        titles: Mapping[str, str],
        categories: Sequence[str | None],
        knn: ItemKNN,
        bought: BoughtTogether,
        min_similarity: float = 0.2,
    ) -> None:
        self.item_ids = item_ids
        self.titles = titles
        self.categories = categories
        self.knn = knn
        self.bought = bought
        self.min_similarity = min_similarity

    def title(self, item: int) -> str:
        item_id = self.item_ids[item]
        return self.titles.get(item_id, item_id)

    def popular(self, item: int) -> Explanation:
        category = self.categories[item]
        if category is None:
            return Explanation("popular_in", "popular this week", None)
        leaf = category.split(" > ")[-1]
        return Explanation("popular_in", f"popular in {leaf} this week", category)

    def for_history(
        self, item: int, history: Sequence[int], kinds: Mapping[int, str]
    ) -> Explanation:
        """Explain ``item`` to someone whose items were ``history`` (newest last)."""
        bought = [j for j in history if kinds.get(j) == "buy"]
        if bought:
            lift = [float(self.bought.lift_row(j)[item]) for j in bought]
            best = int(np.argmax(lift))
            if lift[best] > 0:
                anchor = bought[best]
                text = f"often bought with {self.title(anchor)}"
                return Explanation("bought_with", text, self.item_ids[anchor])
        if history:
            newest_first = list(history)[::-1]
            sims = np.asarray(self.knn.sim[:, item].toarray()).ravel()[newest_first]
            same = np.array([self.categories[j] == self.categories[item] for j in newest_first])
            if self.categories[item] is not None and same.any():
                sims = sims + same  # an item of the same category is the clearer reason
            best = int(np.argmax(sims))  # ties: the most recent item
            anchor = newest_first[best]
            if sims[best] >= self.min_similarity:
                verb = VERBS.get(kinds.get(anchor, "view"), "viewed")
                text = f"because you {verb} {self.title(anchor)}"
                return Explanation("because", text, self.item_ids[anchor])
        return self.popular(item)

    def similar_to(
        self, item: int, anchor: int, *, shoppers: bool, title: bool, photo: bool
    ) -> Explanation:
        """Why ``item`` is like ``anchor``: only the evidence that holds for this pair, named
        as such (a similar title or photo is that pair's own title or photo cosine)."""
        same = (
            self.categories[item] is not None and self.categories[item] == self.categories[anchor]
        )
        leaf = (self.categories[item] or "").split(" > ")[-1]
        looks = " and ".join(w for w, on in (("title", title), ("photo", photo)) if on)
        name, parts = self.title(anchor), []
        if shoppers:
            code = "similar_shoppers"
            parts.append(f"viewed by the same shoppers as {name}")
            if looks:
                parts.append(f"similar {looks}")
        elif looks:
            code = "similar_content"
            parts.append(f"similar {looks} to {name}")
        else:
            code = "same_category"
            return Explanation(
                code, f"also in {leaf}, like {name}; popular there", self.item_ids[anchor]
            )
        if same:
            parts.append(f"also in {leaf}")
        return Explanation(code, "; ".join(parts), self.item_ids[anchor])

    def bought_with(
        self, anchor: int, via_category: str | None, fit: Fit | None = None
    ) -> Explanation:
        """An item rule names the item; a category rule says it is one (and how it fits)."""
        if via_category is None:
            text = f"often bought with {self.title(anchor)}"
            return Explanation("bought_with", text, self.item_ids[anchor])
        mine = self.categories[anchor]
        buyers = f"{mine.split(' > ')[-1]}" if mine else "this item"
        text = f"shoppers who buy {buyers} often add {via_category.split(' > ')[-1]}"
        if fit is not None and fit.named:
            if fit.preference >= FITS:
                text += f"; its title names {fit.named}, this item's model"
            elif fit.preference >= SAME_BRAND:
                text += f"; same brand as this item ({fit.named})"
        return Explanation("bought_with_category", text, mine)
