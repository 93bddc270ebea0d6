"""``shopsense quality check``: the second pass over the stored products.

Runs every check (dataset-level ones need all rows), finds duplicate clusters,
and in one transaction:
- moves products flagged by a ``fail`` check to the quarantine with the reason
  (source ``quality-check``, the product as JSON as its raw text);
- replaces the ``warn`` flags and the duplicate clusters;
- stores each product's quality score;
- records the pass as a run in ``ingest_runs``, so the conservation law holds
  for it too: products checked = kept + quarantined.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, update

from shopsense.catalog.matching.clusters import DuplicateCluster
from shopsense.catalog.quality.checks import product_checks
from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.quality.score import completeness, quality_score
from shopsense.catalog.quarantine import QuarantinedRow, add_quarantined
from shopsense.catalog.schema import Product
from shopsense.catalog.store import ProductStore
from shopsense.core.checks import CheckOutcome, Severity
from shopsense.core.conservation import ConservedRun
from shopsense.storage.runs import insert_run
from shopsense.storage.schema import duplicate_clusters, ingest_runs, products, quality_flags

SOURCE = "quality-check"
FindDuplicates = Callable[[Sequence[Product], Sequence[float]], list[DuplicateCluster]]


@dataclass
class QualityCheckSummary(ConservedRun):
    run_id: int
    rows_read: int = 0
    accepted: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    clusters: int = 0
    clustered_products: int = 0
    scorer: str = ""  # which pair scorer found the duplicates
    mean_quality_score: float = 0.0
    seconds: float = 0.0


def _outcome_row(outcome: CheckOutcome) -> dict[str, Any]:
    return {
        "check": outcome.check,
        "severity": outcome.severity.value,
        "score": round(outcome.score, 4),
        "flagged": len(outcome.flagged),
    }


def _raw(product: Product) -> str:
    return json.dumps(product.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def run_quality_check(
    engine: Engine,
    config: QualityConfig,
    now: datetime,
    find_duplicates: FindDuplicates | None = None,
    scorer: str = "",
) -> QualityCheckSummary:
    """Check every stored product; see the module docstring for what is written.

    ``scorer`` says which pair scorer ``find_duplicates`` uses (reported in the summary).
    """
    started = time.perf_counter()
    items = list(ProductStore(engine).iter_all())
    outcomes = [check.run(items) for check in product_checks(config, now)]
    failed: dict[int, tuple[str, str]] = {}
    warns: list[tuple[int, str, str, str]] = []
    for outcome in outcomes:
        for flag in outcome.flags:
            if outcome.severity is Severity.FAIL:
                failed.setdefault(flag.row, (flag.reason, f"{outcome.check}: {flag.detail}"))
            else:
                warns.append((flag.row, outcome.check, flag.reason, flag.detail))
    kept = [i for i in range(len(items)) if i not in failed]
    warn_count = Counter(row for row, *_ in warns if row not in failed)
    fields = config.score.completeness_fields
    preference = [completeness(items[i], fields) - 0.1 * warn_count[i] for i in kept]
    clusters = find_duplicates([items[i] for i in kept], preference) if find_duplicates else []
    non_canonical = {pid for c in clusters for pid in c.product_ids[1:]}
    scores = {
        items[i].id: quality_score(
            items[i], warn_count[i], items[i].id in non_canonical, config.score
        )
        for i in kept
    }
    summary = QualityCheckSummary(
        run_id=0, rows_read=len(items), accepted=len(kept), quarantined=len(failed)
    )
    summary.reasons = dict(Counter(reason for reason, _ in failed.values()))
    summary.warnings = dict(Counter(reason for row, _, reason, _ in warns if row not in failed))
    summary.checks = [_outcome_row(o) for o in outcomes]
    summary.clusters = len(clusters)
    summary.scorer = scorer if find_duplicates else ""
    summary.clustered_products = sum(len(c.product_ids) for c in clusters)
    summary.mean_quality_score = round(sum(scores.values()) / len(scores), 4) if scores else 0.0
    with engine.begin() as conn:
        summary.run_id = insert_run(conn, SOURCE)
        moved = [
            QuarantinedRow(
                items[i].source or SOURCE, 0, reason, detail, _raw(items[i]), items[i].id
            )
            for i, (reason, detail) in failed.items()
        ]
        add_quarantined(conn, summary.run_id, moved)
        _delete(conn, [items[i].id for i in failed])
        _replace_flags(
            conn, [(items[r].id, c, rs, d) for r, c, rs, d in warns if r not in failed], now
        )
        _replace_clusters(conn, clusters)
        _store_scores(conn, scores)
        summary.seconds = round(time.perf_counter() - started, 3)
        conn.execute(
            update(ingest_runs)
            .where(ingest_runs.c.id == summary.run_id)
            .values(
                status="completed",
                finished_at=datetime.now(UTC),
                rows_read=summary.rows_read,
                accepted=summary.accepted,
                quarantined=summary.quarantined,
                summary=summary.to_dict(),
            )
        )
    return summary


def _delete(conn: Connection, ids: list[str]) -> None:
    for start in range(0, len(ids), 500):
        conn.execute(delete(products).where(products.c.id.in_(ids[start : start + 500])))


def _replace_flags(conn: Connection, rows: list[tuple[str, str, str, str]], now: datetime) -> None:
    conn.execute(delete(quality_flags))
    if rows:
        conn.execute(
            insert(quality_flags),
            [
                {
                    "product_id": p,
                    "check_name": c,
                    "reason": r,
                    "severity": "warn",
                    "detail": d,
                    "created_at": now,
                }
                for p, c, r, d in rows
            ],
        )


def _replace_clusters(conn: Connection, clusters: list[DuplicateCluster]) -> None:
    conn.execute(delete(duplicate_clusters))
    rows = []
    for cluster in clusters:
        for pid in cluster.product_ids:
            ev = [vars(link) for link in cluster.links if pid in (link.left, link.right)]
            rows.append(
                {
                    "cluster_id": cluster.cluster_id,
                    "product_id": pid,
                    "canonical": pid == cluster.canonical,
                    "evidence": ev,
                }
            )
    if rows:
        conn.execute(insert(duplicate_clusters), rows)


def _store_scores(conn: Connection, scores: dict[str, float]) -> None:
    if scores:
        conn.execute(
            update(products)
            .where(products.c.id == bindparam("b_id"))
            .values(quality_score=bindparam("score")),
            [{"b_id": pid, "score": s} for pid, s in scores.items()],
        )
