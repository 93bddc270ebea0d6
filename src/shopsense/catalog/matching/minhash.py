"""MinHash-LSH candidate pairs over token sets. The only module that imports datasketch."""

from __future__ import annotations

from collections.abc import Sequence

try:
    from datasketch import MinHash, MinHashLSH
except ImportError as exc:  # pragma: no cover - install hint
    raise ImportError("MinHash blocking needs `pip install datasketch`") from exc


def lsh_pairs(
    token_sets: Sequence[frozenset[str]],
    *,
    threshold: float,
    num_perm: int = 64,
    is_left: Sequence[bool] | None = None,
) -> set[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, whose estimated Jaccard similarity may reach ``threshold``.

    With ``is_left`` only pairs joining a left row to a right row are kept
    (left first). Rows with no tokens never pair.
    """
    hashes = MinHash.bulk(
        [[t.encode("utf-8") for t in sorted(s)] for s in token_sets], num_perm=num_perm
    )
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, (tokens, mh) in enumerate(zip(token_sets, hashes, strict=True)):
        if tokens:
            lsh.insert(i, mh)
    out: set[tuple[int, int]] = set()
    for i, (tokens, mh) in enumerate(zip(token_sets, hashes, strict=True)):
        if not tokens:
            continue
        for j in lsh.query(mh):
            if j == i:
                continue
            if is_left is None:
                out.add((min(i, j), max(i, j)))
            elif is_left[i] and not is_left[j]:
                out.add((i, j))
    return out
