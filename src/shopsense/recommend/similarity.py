"""Similar items: items *like* an item, from the evidence that makes them alike, each kept.

For a seed item a, every other item i has four pieces of evidence, each counted only
where it passes its own floor:

- ``shoppers``: the item-kNN cosine between their interaction columns ("viewed by
  the same shoppers"; Sarwar et al. 2001). Its shrinkage term makes few shared
  shoppers count little, so weak collaborative evidence fades by itself and an
  item with no events has none.
- ``title``: the cosine of their title-text vectors, 0 where either has none.
- ``photo``: the cosine of their photos' own image vectors (when the store embedded
  images), 0 where either has none. Neither is the fused multimodal vector: its
  category projection makes nearly any two items of one category alike, which is the
  category's evidence, not the title's or the photo's.
- ``same_category``: both in the same category (leaf path).

score(i) = Σ evidence that passed its floor + category_bonus · same_category(i) + ε · pop(i)

Items with none of the evidence are left out (score ``-inf``): "similar" is never a
global-popularity filler. An item of *another* category needs title or photo evidence:
shoppers alone also view a phone's case and charger, which are not like the phone.
The blend weights of the for-you model are *not* used: they are tuned to predict a
user's next item, and on the demo shop they put all weight on category popularity,
which made every smartphone's "similar" list the same popular smartphones.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from shopsense.events.interactions import Interactions
from shopsense.recommend.base import BoolArray, FloatArray, minmax
from shopsense.recommend.content import ContentBased
from shopsense.recommend.item_knn import ItemKNN


class Evidence(NamedTuple):
    """Per item, what makes it like the seed (raw cosines; see :meth:`ItemSimilarity.shares`)."""

    shoppers: FloatArray  # item-kNN cosine
    title: FloatArray  # title-text cosine (0: no vector)
    photo: FloatArray  # photo cosine (0: no photo)
    same_category: BoolArray


class Shares(NamedTuple):
    """Per item, which evidence passed its floor."""

    shoppers: BoolArray
    title: BoolArray
    photo: BoolArray

    @property
    def content(self) -> BoolArray:
        return self.title | self.photo


class ItemSimilarity:
    def __init__(
        self,
        data: Interactions,
        knn: ItemKNN,
        popularity: FloatArray,
        content: ContentBased | None = None,
        *,
        category_bonus: float = 0.25,
        min_shoppers: float = 0.2,
        min_title: float = 0.75,
        min_photo: float = 0.9,
    ) -> None:
        self.data = data
        self.knn = knn
        self.content = content if content is not None and content.E.shape[0] else None
        self.popularity = np.nan_to_num(minmax(np.asarray(popularity, np.float64)))
        self.category_bonus = category_bonus
        self.min_shoppers = min_shoppers
        self.min_title = min_title
        self.min_photo = min_photo
        names = {c: k for k, c in enumerate(sorted({c for c in data.item_category if c}))}
        self.category = np.array(
            [names.get(c, -1) if c else -1 for c in data.item_category], np.int64
        )

    def _block(self, name: str, item: int) -> FloatArray:
        if self.content is None:
            return np.zeros(self.data.n_items)
        return np.clip(self.content.block_similar(name, item), 0.0, None)

    def evidence(self, item: int) -> Evidence:
        shoppers = np.asarray(self.knn.sim[item].toarray()).ravel().astype(np.float64)
        cat = self.category[item]
        same = (self.category == cat) & (cat >= 0)
        return Evidence(shoppers, self._block("text", item), self._block("image", item), same)

    def shares(self, ev: Evidence) -> Shares:
        """Which items pass each evidence floor."""
        return Shares(
            ev.shoppers >= self.min_shoppers,
            ev.title >= self.min_title,
            ev.photo >= self.min_photo,
        )

    def scores(self, item: int) -> FloatArray:
        """The similarity of every item to ``item``; ``-inf`` for items with no evidence."""
        return self.scored(item)[0]

    def scored(self, item: int) -> tuple[FloatArray, Shares]:
        """:meth:`scores`, and which evidence passed its floor (what the reasons name),
        from one read of the evidence."""
        ev = self.evidence(item)
        ok = self.shares(ev)
        total = (
            np.where(ok.shoppers, ev.shoppers, 0.0)
            + np.where(ok.title, ev.title, 0.0)
            + np.where(ok.photo, ev.photo, 0.0)
            + self.category_bonus * ev.same_category
            + 1e-3 * self.popularity
        )
        keep = ev.same_category | ok.content  # another category: only alike by content
        keep[item] = False
        return np.asarray(np.where(keep, total, -np.inf), np.float64), ok
