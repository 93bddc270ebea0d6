"""The ingest-time gate: clean a product, run the row checks, quarantine on ``fail``.

``QualityGate`` is an ingest hook (``ingest_file(..., hook=gate)``): it returns
the cleaned product with one repair per changed field and step, or no product
and the reason code of the first failing check. ``warn`` findings are not
stored here: ``shopsense quality check`` recomputes every check over the store.
"""

from __future__ import annotations

from datetime import datetime

from shopsense.catalog.ingest import HookResult
from shopsense.catalog.quality.checks import product_checks, row_checks
from shopsense.catalog.quality.cleaning import clean_product
from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.schema import Product
from shopsense.core.checks import Severity


class QualityGate:
    """Cleaning plus the ``fail``-severity row checks, per product, while streaming."""

    def __init__(self, config: QualityConfig, now: datetime) -> None:
        self.rules = config.cleaning.rules()
        self.failing = [
            c for c in row_checks(product_checks(config, now)) if c.severity is Severity.FAIL
        ]

    def __call__(self, product: Product) -> HookResult:
        cleaned, repairs = clean_product(product, self.rules)
        for check in self.failing:
            verdict = check.judge(cleaned)
            if verdict is not None:
                reason, detail = verdict
                return HookResult(None, reason=reason, detail=f"{check.name}: {detail}")
        return HookResult(cleaned, tuple(repairs))
