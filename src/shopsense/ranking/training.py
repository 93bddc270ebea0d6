"""Training the learned ranker from judged queries, reading top to bottom.

1. run each training query through the pipeline (hybrid candidates, features);
2. label each candidate with its judged grade (0 when not judged);
3. keep queries with at least one positive candidate (others teach nothing);
4. fit LightGBM lambdarank, one group per query.

Judgments come from graded qrels, or from click logs: events that carry the
query they followed, graded click 1, fav/cart 2, buy 3 (the best per query and item).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopsense.events.log import EventLog
from shopsense.ranking.lgbm import LambdaMartRanker
from shopsense.ranking.pipeline import DEFAULT_POOL, SearchPipeline
from shopsense.ranking.rankers import Matrix


@dataclass(frozen=True)
class JudgedQuery:
    """One judged query's candidates as the pipeline ranks them, with their grades."""

    qid: str
    rows: npt.NDArray[np.int64]
    features: Matrix
    grades: npt.NDArray[np.float64]


def judged_candidates(
    pipeline: SearchPipeline,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, float]],
    pool: int = DEFAULT_POOL,
) -> list[JudgedQuery]:
    """Candidates and features of every query with a positive judgment (steps 1–2)."""
    table = pipeline.index.table
    out = []
    for qid, text in queries.items():
        judged = qrels.get(qid, {})
        if not any(g > 0 for g in judged.values()):
            continue
        ranked = pipeline.run(text, "hybrid", None, pool)
        grades = np.asarray([judged.get(table.ids[int(r)], 0.0) for r in ranked.rows])
        out.append(JudgedQuery(qid, ranked.rows, ranked.features, grades))
    return out


def fit_ranker(judged: Sequence[JudgedQuery]) -> LambdaMartRanker | None:
    """LambdaMART on the queries whose candidates hold a positive (steps 3–4); None if none do."""
    useful = [j for j in judged if (j.grades > 0).any()]
    if not useful:
        return None
    return LambdaMartRanker.train(
        np.vstack([j.features for j in useful]),
        np.concatenate([j.grades for j in useful]),
        [len(j.grades) for j in useful],
    )


def train_ranker(
    pipeline: SearchPipeline,
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, float]],
    pool: int = DEFAULT_POOL,
) -> LambdaMartRanker | None:
    """A LambdaMART model fit on ``queries``; None when no query found a judged product."""
    return fit_ranker(judged_candidates(pipeline, queries, qrels, pool))


CLICK_GRADES = {"click": 1.0, "fav": 2.0, "cart": 2.0, "buy": 3.0, "purchase": 3.0}


def click_judgments(log: EventLog) -> tuple[dict[str, str], dict[str, dict[str, float]]]:
    """Queries (id = the normalised text) and graded qrels from events with a query."""
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, float]] = {}
    for logged in log.iter():
        e = logged.event
        grade = CLICK_GRADES.get(e.type, 0.0)
        if not e.query or grade <= 0:
            continue
        qid = " ".join(e.query.casefold().split())
        queries[qid] = e.query
        judged = qrels.setdefault(qid, {})
        judged[e.item_id] = max(judged.get(e.item_id, 0.0), grade)
    return queries, qrels
