"""The product-level quality score stored in ``products.quality_score`` (a ranking signal).

score = (w · completeness + (1 − w) · (1 − warn_penalty)^warnings) · (1 − duplicate_penalty)^dup

- completeness: share of the configured fields that are filled;
- warnings: ``warn`` flags the product carries (``fail`` ones are quarantined);
- dup: 1 when the product is a non-canonical member of a duplicate cluster.
A product with every field and no finding scores 1.0; the range is [0, 1].
"""

from __future__ import annotations

from shopsense.catalog.quality.config import ScoreConfig
from shopsense.catalog.schema import Product


def completeness(product: Product, fields: tuple[str, ...]) -> float:
    if not fields:
        return 1.0
    filled = sum(1 for f in fields if getattr(product, f) not in (None, "", (), {}))
    return filled / len(fields)


def quality_score(product: Product, warnings: int, duplicate: bool, config: ScoreConfig) -> float:
    w = config.completeness_weight
    base = w * completeness(product, config.completeness_fields)
    base += (1 - w) * (1 - config.warn_penalty) ** warnings
    if duplicate:
        base *= 1 - config.duplicate_penalty
    return round(base, 4)
