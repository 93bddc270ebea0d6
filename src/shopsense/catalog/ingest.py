"""Streaming ingestion: file → records → products, with quarantine and a conservation law.

Every record read ends in exactly one place: accepted into the store (inserted,
updated or unchanged) or quarantined with a reason code. Records are committed
in batches, each batch in one transaction together with the run's counters, so
an interrupted ingest leaves a consistent store and can simply be run again
(products are upserted by id; quarantine and repair entries are keyed by source
line and content, so nothing is doubled).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, update

from shopsense.catalog.mapping import ColumnMapping
from shopsense.catalog.quarantine import (
    QuarantinedRow,
    RecordedRepair,
    add_quarantined,
    add_repairs,
)
from shopsense.catalog.records import RecordContext, to_product
from shopsense.catalog.schema import Product
from shopsense.catalog.sources import Progress, RawRecord, Repair, describe, read_records
from shopsense.catalog.store import UpsertCounts, upsert_products
from shopsense.core.conservation import ConservedRun
from shopsense.storage.runs import finish_run, start_run
from shopsense.storage.schema import ingest_runs


@dataclass(frozen=True)
class HookResult:
    """What a hook made of a valid product: a (changed) product with the repairs
    that changed it, or no product and the reason code it is quarantined for."""

    product: Product | None
    repairs: tuple[Repair, ...] = ()
    reason: str | None = None
    detail: str = ""


ProductHook = Callable[[Product], "Product | HookResult"]


class _SeenIds:
    """Ids already read in this run, as sorted 64-bit digests (8 bytes per id, not a str set)."""

    def __init__(self) -> None:
        self._sorted = np.empty(0, dtype=np.uint64)

    def repeats(self, ids: list[str]) -> list[bool]:
        """For each id: was it read before, earlier in this run or earlier in ``ids``?"""
        digests = np.array(
            [
                int.from_bytes(hashlib.blake2b(i.encode(), digest_size=8).digest(), "little")
                for i in ids
            ],
            dtype=np.uint64,
        )
        pos = np.minimum(np.searchsorted(self._sorted, digests), max(len(self._sorted) - 1, 0))
        earlier = (self._sorted[pos] == digests) if len(self._sorted) else np.zeros(len(ids), bool)
        first_in_batch: set[int] = set()
        out = []
        for digest, seen in zip(digests.tolist(), earlier.tolist(), strict=True):
            out.append(bool(seen) or digest in first_in_batch)
            first_in_batch.add(digest)
        self._sorted = np.union1d(self._sorted, digests)
        return out


@dataclass(frozen=True)
class IngestOptions:
    """How to read one catalogue file."""

    mapping: tuple[str, ...] = ()
    sep: str | None = None
    format: str | None = None
    source: str | None = None
    merge_extra_fields: bool = True
    batch_size: int = 2000


@dataclass
class IngestSummary(ConservedRun):
    """What one ingest did. ``rows_read == accepted + quarantined`` always holds."""

    run_id: int
    file: str
    status: str = "running"
    rows_read: int = 0
    accepted: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    quarantined: int = 0
    repaired: int = 0
    duplicate_ids: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    repair_codes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Batch:
    def __init__(self) -> None:
        self.products: list[Product] = []
        self.lines: list[int] = []
        self.quarantined: list[QuarantinedRow] = []
        self.repairs: list[RecordedRepair] = []

    def __len__(self) -> int:
        return len(self.products) + len(self.quarantined)


class _Ingestor:
    def __init__(
        self,
        engine: Engine,
        path: Path,
        options: IngestOptions,
        hook: ProductHook | None,
        fmt: str,
    ) -> None:
        self.engine = engine
        self.format = fmt
        self.path = path
        self.options = options
        self.hook = hook
        self.file = str(path.resolve())
        self.source_name = options.source or path.name
        self.ctx: RecordContext | None = None
        self.seen = _SeenIds()
        self.reasons: Counter[str] = Counter()
        self.repair_codes: Counter[str] = Counter()

    @property
    def schemaless(self) -> bool:
        return self.format == "jsonl"

    def context_for(self, record: RawRecord) -> RecordContext:
        if self.ctx is None:
            assert record.fields is not None
            mapping = ColumnMapping.resolve(
                self.options.mapping, list(record.fields), schemaless=self.schemaless
            )
            self.ctx = RecordContext(mapping, self.path.parent, self.source_name)
        return self.ctx

    def take(self, record: RawRecord, batch: _Batch) -> None:
        if record.fields is None:
            self._quarantine(batch, record, record.error or "malformed_line", record.detail or "")
            return
        conversion = to_product(record.fields, self.context_for(record))
        if conversion.product is None:
            reason = conversion.reason or "invalid_type"
            self._quarantine(batch, record, reason, conversion.detail or "")
            return
        outcome = self._apply_hook(conversion.product)
        if outcome.product is None:
            self._quarantine(batch, record, outcome.reason or "rejected", outcome.detail)
            return
        product = outcome.product
        batch.products.append(product)
        batch.lines.append(record.line_no)
        for rep in [*record.repairs, *conversion.repairs, *outcome.repairs]:
            batch.repairs.append(
                RecordedRepair(
                    self.file,
                    record.line_no,
                    product.id,
                    rep.field,
                    rep.code,
                    rep.before,
                    rep.after,
                )
            )

    def _apply_hook(self, product: Product) -> HookResult:
        if self.hook is None:
            return HookResult(product)
        result = self.hook(product)
        return result if isinstance(result, HookResult) else HookResult(result)

    def _quarantine(self, batch: _Batch, record: RawRecord, reason: str, detail: str) -> None:
        pid = None
        if record.fields is not None and self.ctx is not None:
            cols = self.ctx.mapping.fields.get("id", ())
            pid = str(record.fields.get(cols[0])) if cols and record.fields.get(cols[0]) else None
        batch.quarantined.append(
            QuarantinedRow(self.file, record.line_no, reason, detail, record.raw, pid)
        )

    def commit(self, batch: _Batch, summary: IngestSummary) -> None:
        repeats = self.seen.repeats([p.id for p in batch.products])
        for product, line_no, repeated in zip(batch.products, batch.lines, repeats, strict=True):
            if repeated:
                summary.duplicate_ids += 1
                batch.repairs.append(
                    RecordedRepair(
                        self.file,
                        line_no,
                        product.id,
                        "id",
                        "duplicate_id_in_file",
                        None,
                        "this row replaces an earlier row with the same id",
                    )
                )
        repaired_rows = len({r.line_no for r in batch.repairs if r.code != "duplicate_id_in_file"})
        with self.engine.begin() as conn:
            counts: UpsertCounts = upsert_products(conn, batch.products)
            add_quarantined(conn, summary.run_id, batch.quarantined)
            add_repairs(conn, summary.run_id, batch.repairs)
            summary.rows_read += len(batch)
            summary.accepted += len(batch.products)
            summary.inserted += counts.inserted
            summary.updated += counts.updated
            summary.unchanged += counts.unchanged
            summary.superseded += counts.superseded
            summary.quarantined += len(batch.quarantined)
            summary.repaired += repaired_rows
            conn.execute(
                update(ingest_runs)
                .where(ingest_runs.c.id == summary.run_id)
                .values(
                    rows_read=summary.rows_read,
                    accepted=summary.accepted,
                    inserted=summary.inserted,
                    updated=summary.updated,
                    unchanged=summary.unchanged,
                    quarantined=summary.quarantined,
                    repaired=summary.repaired,
                )
            )
        self.reasons.update(q.reason for q in batch.quarantined)
        self.repair_codes.update(r.code for r in batch.repairs)


def ingest_file(
    engine: Engine,
    path: Path,
    options: IngestOptions | None = None,
    *,
    progress: Progress | None = None,
    hook: ProductHook | None = None,
) -> IngestSummary:
    """Ingest one catalogue file into the store behind ``engine``.

    ``hook`` may clean or enrich each valid product before it is stored (the
    quality gate plugs in here): it returns the product, or a :class:`HookResult`
    carrying the repairs it made (recorded like any other) or a quarantine reason.
    Raises :class:`~shopsense.core.errors.InputError` for a file that cannot be
    read at all; bad rows never raise.
    """
    opts = options or IngestOptions()
    started = time.perf_counter()
    info = describe(path, opts.format)
    worker = _Ingestor(engine, path, opts, hook, info.format)
    summary = IngestSummary(run_id=start_run(engine, worker.file), file=worker.file)
    batch = _Batch()
    try:
        for record in read_records(
            info, sep=opts.sep, merge_extra_fields=opts.merge_extra_fields, progress=progress
        ):
            worker.take(record, batch)
            if len(batch) >= opts.batch_size:
                worker.commit(batch, summary)
                batch = _Batch()
        worker.commit(batch, summary)
        summary.status = "completed"
    except KeyboardInterrupt:
        summary.status = "interrupted"
        raise
    except BaseException:
        summary.status = "failed"
        raise
    finally:
        summary.reasons = dict(worker.reasons)
        summary.repair_codes = dict(worker.repair_codes)
        summary.seconds = round(time.perf_counter() - started, 3)
        finish_run(engine, summary.run_id, summary.status, summary.to_dict())
    return summary
