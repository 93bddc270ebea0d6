"""Similar items: items *like* an item, from the evidence that makes them alike, each kept.

For a seed item a, every other item i has three pieces of evidence:

- ``shoppers``: the item-kNN cosine between their interaction columns ("viewed by
  the same shoppers"; Sarwar et al. 2001). Its shrinkage term makes few shared
  shoppers count little, so weak collaborative evidence fades by itself and an
  item with no events has none.
- ``content``: the cosine of their content vectors (title text, and the photo when
  the store embedded images), 0 where either has no vector.
- ``same_category``: both in the same category (leaf path).

score(i) = shoppers(i) + content(i) + category_bonus · same_category(i) + ε · pop(i)

Items with none of the evidence (cosines below their floors, another category)
are left out (score ``-inf``): "similar" is never a global-popularity filler. The
blend weights of the for-you model are *not* used: they are tuned to predict a
user's next item, and on the demo shop they put all weight on category popularity,
which made every smartphone's "similar" list the same popular smartphones.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from shopsense.events.interactions import Interactions
from shopsense.recommend.base import FloatArray, minmax
from shopsense.recommend.content import ContentBased
from shopsense.recommend.item_knn import ItemKNN

BoolArray = npt.NDArray[np.bool_]


class Evidence(NamedTuple):
    """Per item, what makes it like the seed."""

    shoppers: FloatArray  # item-kNN cosine
    content: FloatArray  # content cosine (0: no vector)
    same_category: BoolArray


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
        min_content: float = 0.5,
    ) -> None:
        self.data = data
        self.knn = knn
        self.content = content if content is not None and content.E.shape[0] else None
        self.popularity = np.nan_to_num(minmax(np.asarray(popularity, np.float64)))
        self.category_bonus = category_bonus
        self.min_shoppers = min_shoppers
        self.min_content = min_content
        names = {c: k for k, c in enumerate(sorted({c for c in data.item_category if c}))}
        self.category = np.array(
            [names.get(c, -1) if c else -1 for c in data.item_category], np.int64
        )

    @property
    def with_images(self) -> bool:
        return self.content is not None and "image" in self.content.blocks

    def evidence(self, item: int) -> Evidence:
        shoppers = np.asarray(self.knn.sim[item].toarray()).ravel().astype(np.float64)
        if self.content is not None and self.content.has_vector(item):
            content = np.clip(self.content.similar(item), 0.0, None)
        else:
            content = np.zeros(self.data.n_items)
        cat = self.category[item]
        same = (self.category == cat) & (cat >= 0)
        return Evidence(shoppers, content, same)

    def shares(self, ev: Evidence) -> tuple[BoolArray, BoolArray]:
        """(by shoppers, by content): which items pass each evidence floor."""
        return ev.shoppers >= self.min_shoppers, ev.content >= self.min_content

    def scores(self, item: int) -> FloatArray:
        """The similarity of every item to ``item``; ``-inf`` for items with no evidence."""
        ev = self.evidence(item)
        by_shoppers, by_content = self.shares(ev)
        total = ev.shoppers + ev.content + self.category_bonus * ev.same_category
        total = total + 1e-3 * self.popularity
        keep = by_shoppers | by_content | ev.same_category
        keep[item] = False
        return np.asarray(np.where(keep, total, -np.inf), np.float64)
