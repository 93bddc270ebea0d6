"""Top-N recommendation metrics: pure functions over ranked ids and relevant sets.

Accuracy (binary relevance, one list at a time):

- HR@k = 1 if any relevant item is in the top k.
- Recall@k = |top k ∩ relevant| / |relevant|.
- NDCG@k = Σ_{i<k, r_i relevant} 1/log2(i+2) ÷ Σ_{i<min(k,|relevant|)} 1/log2(i+2)
  (Järvelin & Kekäläinen 2002, binary gains).
- MRR@k = 1 / (rank of the first relevant item), 0 beyond k.

Beyond accuracy (over all lists of a run):

- coverage = distinct recommended items / catalogue size.
- novelty = mean −log2(p_i) over recommended items, p_i = share of users who
  interacted with item i (Zhou et al., PNAS 2010); unseen items count as 1 user.
- Gini of how often each catalogue item is recommended (0 = even, → 1 = concentrated).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence


def hit_rate(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    return 1.0 if any(x in relevant for x in ranked[:k]) else 0.0


def recall(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    if not relevant:
        return 0.0
    return sum(1 for x in ranked[:k] if x in relevant) / len(relevant)


def ndcg(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, x in enumerate(ranked[:k]) if x in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal


def mrr(ranked: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    for i, x in enumerate(ranked[:k]):
        if x in relevant:
            return 1.0 / (i + 1)
    return 0.0


def coverage(lists: Iterable[Sequence[Hashable]], n_items: int) -> float:
    return len({x for ranked in lists for x in ranked}) / n_items if n_items else 0.0


def novelty(
    lists: Iterable[Sequence[Hashable]], users_per_item: Mapping[Hashable, int], n_users: int
) -> float:
    scores = [
        -math.log2(max(users_per_item.get(x, 0), 1) / n_users) for ranked in lists for x in ranked
    ]
    return sum(scores) / len(scores) if scores else 0.0


def gini(lists: Iterable[Sequence[Hashable]], n_items: int) -> float:
    """Gini coefficient of recommendation counts over all ``n_items`` (zeros included)."""
    counts = sorted(Counter(x for ranked in lists for x in ranked).values())
    counts = [0] * (n_items - len(counts)) + counts
    total = sum(counts)
    if total == 0 or n_items == 0:
        return 0.0
    weighted = sum((i + 1) * c for i, c in enumerate(counts))
    return (2.0 * weighted) / (n_items * total) - (n_items + 1) / n_items
