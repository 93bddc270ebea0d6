"""Duplicate clusters: matched pairs joined transitively (union–find), with their evidence."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Link:
    """Why two products were joined: the score and the evidence behind it."""

    left: str
    right: str
    score: float
    evidence: dict[str, Any]


@dataclass(frozen=True)
class DuplicateCluster:
    cluster_id: int
    product_ids: tuple[str, ...]  # the canonical product first
    links: tuple[Link, ...]

    @property
    def canonical(self) -> str:
        return self.product_ids[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster_id": self.cluster_id,
            "canonical": self.canonical,
            "product_ids": list(self.product_ids),
            "links": [vars(link) for link in self.links],
        }


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int, cap: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.size[ra] + self.size[rb] > cap:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return True


def build_clusters(
    ids: Sequence[str],
    links: Sequence[tuple[int, int, float, dict[str, Any]]],
    preference: Sequence[float],
    max_size: int = 50,
) -> list[DuplicateCluster]:
    """Join linked rows (strongest links first, clusters capped at ``max_size``).

    The canonical product of a cluster is the one with the highest
    ``preference`` (e.g. its quality score), then the smallest id.
    """
    uf = _UnionFind(len(ids))
    kept: list[tuple[int, int, float, dict[str, Any]]] = []
    for link in sorted(links, key=lambda x: -x[2]):
        if uf.union(link[0], link[1], max_size):
            kept.append(link)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(ids)):
        members[uf.find(i)].append(i)
    evidence: dict[int, list[Link]] = defaultdict(list)
    for a, b, score, ev in kept:
        evidence[uf.find(a)].append(Link(ids[a], ids[b], round(score, 4), ev))
    groups = sorted(
        (sorted(m, key=lambda i: (-preference[i], ids[i])) for m in members.values() if len(m) > 1),
        key=lambda m: ids[m[0]],
    )
    return [
        DuplicateCluster(n, tuple(ids[i] for i in m), tuple(evidence[uf.find(m[0])]))
        for n, m in enumerate(groups, start=1)
    ]
