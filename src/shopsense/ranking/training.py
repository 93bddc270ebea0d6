"""Training the learned ranker from judged queries, reading top to bottom.

1. run each training query through the pipeline (hybrid candidates, features);
2. label each candidate with its judged grade (0 when not judged);
3. keep queries with at least one positive candidate (others teach nothing);
4. fit LightGBM lambdarank, one group per query.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from shopsense.ranking.lgbm import LambdaMartRanker
from shopsense.ranking.pipeline import DEFAULT_POOL, SearchPipeline


def train_ranker(
    pipeline: SearchPipeline,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, float]],
    pool: int = DEFAULT_POOL,
) -> LambdaMartRanker | None:
    """A LambdaMART model fit on ``queries``; None when no query found a judged product."""
    table = pipeline.index.table
    blocks, labels, groups = [], [], []
    for qid, text in queries.items():
        judged = qrels.get(qid, {})
        if not any(g > 0 for g in judged.values()):
            continue
        ranked = pipeline.run(text, "hybrid", None, pool)
        grades = np.asarray([judged.get(table.ids[int(r)], 0.0) for r in ranked.rows])
        if not (grades > 0).any():
            continue
        blocks.append(ranked.features)
        labels.append(grades)
        groups.append(len(grades))
    if not blocks:
        return None
    return LambdaMartRanker.train(np.vstack(blocks), np.concatenate(labels), groups)
