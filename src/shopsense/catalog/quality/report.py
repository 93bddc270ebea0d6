"""The quality report's figures, as plain data (the JSON of ``shopsense quality report``).

Completeness per field, price distribution per category, quarantine reasons,
repairs, warnings, duplicate clusters side by side, freshness, quality scores.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select

from shopsense.catalog.mapping import PRODUCT_FIELDS
from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.quarantine import QuarantineStore
from shopsense.catalog.schema import Product
from shopsense.catalog.store import ProductStore
from shopsense.storage.schema import duplicate_clusters, ingest_runs, products, quality_flags
from shopsense.storage.schema import repairs as repairs_table

FIELDS = tuple(f for f in PRODUCT_FIELDS if f not in ("id", "availability", "source"))
AGE_BUCKETS = (
    (1, "≤ 1 day"),
    (7, "≤ 7 days"),
    (30, "≤ 30 days"),
    (90, "≤ 90 days"),
    (365, "≤ 1 year"),
    (float("inf"), "> 1 year"),
)
SCORE_BINS = 10


@dataclass
class QualityReport:
    generated_at: str
    products: int
    quarantined: int
    repairs: int
    completeness: dict[str, float]
    price_by_category: list[dict[str, Any]]
    quarantine_reasons: dict[str, int]
    repair_codes: dict[str, int]
    warnings: dict[str, int]
    freshness: dict[str, Any]
    quality_scores: dict[str, Any]
    duplicate_clusters: list[dict[str, Any]]
    duplicate_totals: dict[str, int]
    last_check: dict[str, Any] | None = None
    config: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _filled(product: Product, name: str) -> bool:
    return getattr(product, name) not in (None, "", (), {})


def _price_stats(category: str, prices: list[float]) -> dict[str, Any]:
    arr = np.asarray(prices, dtype=float)
    q = np.percentile(arr, [0, 5, 25, 50, 75, 95, 100]).round(2).tolist()
    return {
        "category": category or "(none)",
        "count": len(prices),
        "min": q[0],
        "p5": q[1],
        "p25": q[2],
        "median": q[3],
        "p75": q[4],
        "p95": q[5],
        "max": q[6],
    }


def _freshness(ages: list[float], missing: int, sla_days: float | None) -> dict[str, Any]:
    buckets: Counter[str] = Counter()
    for age in ages:
        buckets[next(label for limit, label in AGE_BUCKETS if age <= limit)] += 1
    return {
        "buckets": {label: buckets.get(label, 0) for _, label in AGE_BUCKETS},
        "unknown": missing,
        "sla_days": sla_days,
        "stale": sum(1 for a in ages if sla_days is not None and a > sla_days),
        "median_age_days": round(float(np.median(ages)), 1) if ages else None,
    }


def _clusters(engine: Engine, store: ProductStore, limit: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        ids = [
            r[0]
            for r in conn.execute(
                select(duplicate_clusters.c.cluster_id)
                .group_by(duplicate_clusters.c.cluster_id)
                .order_by(func.count().desc(), duplicate_clusters.c.cluster_id)
                .limit(limit)
            )
        ]
        rows = list(
            conn.execute(
                select(duplicate_clusters).where(duplicate_clusters.c.cluster_id.in_(ids))
            ).mappings()
        )
    members: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        members[row["cluster_id"]].append(row)
    found = store.get_many([r["product_id"] for r in rows])
    out = []
    for cid in ids:
        group = sorted(members[cid], key=lambda r: (not r["canonical"], r["product_id"]))
        links = {(e["left"], e["right"]): e for r in group for e in r["evidence"]}
        out.append(
            {
                "cluster_id": cid,
                "products": [
                    _card(found[r["product_id"]], r["canonical"])
                    for r in group
                    if r["product_id"] in found
                ],
                "links": list(links.values()),
            }
        )
    return out


def _card(p: Product, canonical: bool) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "brand": p.brand,
        "price": p.effective_price,
        "currency": p.currency,
        "category": p.category_path,
        "source": p.source,
        "image": p.image_paths[0] if p.image_paths else None,
        "canonical": canonical,
    }


def build_report(
    engine: Engine, config: QualityConfig, *, max_clusters: int = 20, now: datetime | None = None
) -> QualityReport:
    """Every figure of the report, read from the store."""
    moment = now or datetime.now(UTC)
    store, quarantine = ProductStore(engine), QuarantineStore(engine)
    filled: Counter[str] = Counter()
    prices: dict[str, list[float]] = defaultdict(list)
    ages: list[float] = []
    missing_ts = total = 0
    for p in store.iter_all():
        total += 1
        filled.update(name for name in FIELDS if _filled(p, name))
        if p.effective_price is not None:
            prices[p.category_path].append(p.effective_price)
        if p.updated_at is None:
            missing_ts += 1
        else:
            ages.append((moment - p.updated_at).total_seconds() / 86400)
    with engine.connect() as conn:
        repair_codes: dict[str, int] = dict(
            conn.execute(
                select(repairs_table.c.code, func.count()).group_by(repairs_table.c.code)
            ).all()
        )
        warnings: dict[str, int] = dict(
            conn.execute(
                select(quality_flags.c.reason, func.count()).group_by(quality_flags.c.reason)
            ).all()
        )
        scores = [s for (s,) in conn.execute(select(products.c.quality_score)) if s is not None]
        n_clusters, n_members = conn.execute(
            select(func.count(func.distinct(duplicate_clusters.c.cluster_id)), func.count())
        ).one()
        last = conn.execute(
            select(ingest_runs.c.summary)
            .where(ingest_runs.c.source == "quality-check")
            .order_by(ingest_runs.c.id.desc())
            .limit(1)
        ).first()
    top = sorted(prices.items(), key=lambda kv: -len(kv[1]))[:15]
    hist, edges = np.histogram(np.asarray(scores, dtype=float), bins=SCORE_BINS, range=(0, 1))
    return QualityReport(
        generated_at=moment.isoformat(timespec="seconds"),
        products=total,
        quarantined=quarantine.count(),
        repairs=quarantine.repair_count(),
        completeness={n: round(filled[n] / total, 4) if total else 0.0 for n in FIELDS},
        price_by_category=[_price_stats(c, v) for c, v in top],
        quarantine_reasons=quarantine.reasons(),
        repair_codes={str(k): int(v) for k, v in repair_codes.items()},
        warnings={str(k): int(v) for k, v in warnings.items()},
        freshness=_freshness(ages, missing_ts, config.freshness.sla_days),
        quality_scores={
            "scored": len(scores),
            "mean": round(float(np.mean(scores)), 4) if scores else None,
            "histogram": [
                {"from": round(float(a), 2), "to": round(float(b), 2), "count": int(c)}
                for a, b, c in zip(edges[:-1], edges[1:], hist, strict=True)
            ],
        },
        duplicate_clusters=_clusters(engine, store, max_clusters),
        duplicate_totals={"clusters": int(n_clusters), "products": int(n_members)},
        last_check=last[0] if last else None,
        config=config.model_dump(mode="json"),
    )
