"""Product checks, one small class each, all fulfilling :class:`shopsense.core.checks.Check`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from shopsense.catalog.quality.config import QualityConfig
from shopsense.catalog.quality.images import image_problem
from shopsense.catalog.schema import Product
from shopsense.core.checks import Check, CheckOutcome, Flag, RowCheck, Severity
from shopsense.text.tokenize import tokenize

Verdict = tuple[str, str] | None


def _is_empty(value: object) -> bool:
    return value is None or value == "" or value == () or value == {}


class RequiredFields(RowCheck[Product]):
    """Fields the catalogue promises to fill (title and id are enforced by the schema)."""

    name = "required_fields"
    reasons = ("missing_field",)

    def __init__(self, severity: Severity, fields: Sequence[str]) -> None:
        super().__init__(severity)
        self.fields = tuple(fields)

    def judge(self, row: Product) -> Verdict:
        missing = [f for f in self.fields if _is_empty(getattr(row, f))]
        return ("missing_field", "empty: " + ", ".join(missing)) if missing else None


class PriceRange(RowCheck[Product]):
    """Prices inside a plausible range for the catalogue (the type is checked at parse)."""

    name = "price_range"
    reasons = ("price_out_of_range",)

    def __init__(self, severity: Severity, min_price: float, max_price: float) -> None:
        super().__init__(severity)
        self.low, self.high = min_price, max_price

    def judge(self, row: Product) -> Verdict:
        for field in ("price", "sale_price"):
            value = getattr(row, field)
            if value is not None and not self.low <= value <= self.high:
                return (
                    "price_out_of_range",
                    f"{field} {value:g} outside [{self.low:g}, {self.high:g}]",
                )
        return None


class CategoryPath(RowCheck[Product]):
    """A category path deep enough, under one of the allowed roots when they are given."""

    name = "category_path"
    reasons = ("invalid_category",)

    def __init__(self, severity: Severity, min_depth: int, allowed_roots: Sequence[str]) -> None:
        super().__init__(severity)
        self.min_depth = min_depth
        self.roots = {r.casefold() for r in allowed_roots}

    def judge(self, row: Product) -> Verdict:
        if len(row.category) < self.min_depth:
            return (
                "invalid_category",
                f"path {row.category_path!r} has fewer than {self.min_depth} levels",
            )
        if self.roots and row.category[0].casefold() not in self.roots:
            return "invalid_category", f"root {row.category[0]!r} is not an allowed root"
        return None


class ImagePresent(RowCheck[Product]):
    """Every image path names a file that exists and decodes (Pillow)."""

    name = "image_present"
    reasons = ("image_missing", "image_undecodable", "no_image")

    def __init__(self, severity: Severity, required: bool) -> None:
        super().__init__(severity)
        self.required = required

    def judge(self, row: Product) -> Verdict:
        if not row.image_paths:
            return ("no_image", "the product has no image") if self.required else None
        for path in row.image_paths:
            problem = image_problem(path)
            if problem is not None:
                return problem
        return None


class TitleQuality(RowCheck[Product]):
    """Titles long enough to search and not stuffed with repeated keywords."""

    name = "title_quality"
    reasons = ("title_too_short", "title_keyword_stuffed")

    def __init__(
        self, severity: Severity, min_chars: int, min_words: int, max_repeats: int, max_words: int
    ) -> None:
        super().__init__(severity)
        self.min_chars, self.min_words = min_chars, min_words
        self.max_repeats, self.max_words = max_repeats, max_words

    def judge(self, row: Product) -> Verdict:
        words = row.title.split()
        if len(row.title) < self.min_chars or len(words) < self.min_words:
            return "title_too_short", f"{row.title!r}: {len(row.title)} chars, {len(words)} words"
        terms = tokenize(row.title)
        if terms:
            term, n = Counter(terms).most_common(1)[0]
            if n >= self.max_repeats:
                return "title_keyword_stuffed", f"{term!r} appears {n} times"
        if len(words) > self.max_words:
            return "title_keyword_stuffed", f"{len(words)} words (more than {self.max_words})"
        return None


class Freshness(RowCheck[Product]):
    """``updated_at`` no older than the catalogue's freshness SLA."""

    name = "freshness"
    reasons = ("stale",)

    def __init__(self, severity: Severity, sla_days: float, now: datetime) -> None:
        super().__init__(severity)
        self.cutoff = now - timedelta(days=sla_days)
        self.sla_days = sla_days

    def judge(self, row: Product) -> Verdict:
        if row.updated_at is not None and row.updated_at < self.cutoff:
            age = (self.cutoff - row.updated_at).days + self.sla_days
            return (
                "stale",
                f"updated {row.updated_at:%Y-%m-%d}, {age:.0f} days ago (SLA {self.sla_days:g})",
            )
        return None


def robust_z(values: np.ndarray) -> np.ndarray:
    """Modified z-score 0.6745·(x − median)/MAD (Iglewicz & Hoaglin, 1993); 0 when MAD is 0."""
    median = np.median(values)
    mad = np.median(np.abs(values - median))
    if mad == 0:
        return np.zeros_like(values)
    z: np.ndarray = 0.6745 * (values - median) / mad
    return z


class PriceOutlier(Check[Product]):
    """Prices far from their category's typical price (robust z-score of log price)."""

    name = "price_outlier"
    reasons = ("price_outlier",)

    def __init__(self, severity: Severity, max_z: float, min_group: int) -> None:
        super().__init__(severity)
        self.max_z, self.min_group = max_z, min_group

    def run(self, rows: Sequence[Product]) -> CheckOutcome:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            price = row.effective_price
            if price is not None and price > 0:
                groups[row.category_path].append(i)
        flags = []
        for category, members in groups.items():
            if len(members) < self.min_group:
                continue
            prices = np.array([rows[i].effective_price for i in members], dtype=float)
            z = robust_z(np.log(prices))
            median = float(np.median(prices))
            for i, zi, price in zip(members, z.tolist(), prices.tolist(), strict=True):
                if abs(zi) > self.max_z:
                    detail = (
                        f"{price:g} vs median {median:g} in {category or '(none)'!r} "
                        f"(robust z {zi:+.1f})"
                    )
                    flags.append(Flag(i, "price_outlier", detail))
        return self.outcome(len(rows), flags)


def product_checks(config: QualityConfig, now: datetime) -> list[Check[Product]]:
    """Every enabled product check of ``config``, in a fixed order."""
    c = config
    checks: list[Check[Product]] = []
    if c.required.enabled:
        checks.append(RequiredFields(c.required.severity, c.required.fields))
    if c.price_range.enabled:
        pr = c.price_range
        checks.append(PriceRange(pr.severity, pr.min_price, pr.max_price))
    if c.category.enabled:
        checks.append(
            CategoryPath(c.category.severity, c.category.min_depth, c.category.allowed_roots)
        )
    if c.images.enabled:
        checks.append(ImagePresent(c.images.severity, c.images.required))
    if c.title.enabled:
        t = c.title
        checks.append(
            TitleQuality(t.severity, t.min_chars, t.min_words, t.max_token_repeats, t.max_words)
        )
    if c.freshness.enabled and c.freshness.sla_days is not None:
        checks.append(Freshness(c.freshness.severity, c.freshness.sla_days, now))
    if c.price_outlier.enabled:
        po = c.price_outlier
        checks.append(PriceOutlier(po.severity, po.max_robust_z, po.min_group))
    return checks


def row_checks(checks: Sequence[Check[Product]]) -> list[RowCheck[Product]]:
    return [c for c in checks if isinstance(c, RowCheck)]
