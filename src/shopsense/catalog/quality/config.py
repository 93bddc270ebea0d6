"""The one typed place a catalogue's quality gate is configured (TOML or JSON file).

::

    # quality.toml
    [required]
    fields = ["title", "price", "category", "brand"]
    [price_outlier]
    max_robust_z = 3.5
    [freshness]
    sla_days = 30
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopsense.catalog.quality.cleaning import CleaningRules
from shopsense.core.checks import Severity
from shopsense.core.errors import ConfigError, InputError

CHECKABLE_FIELDS = (
    "title",
    "description",
    "brand",
    "category",
    "price",
    "image_paths",
    "updated_at",
    "currency",
    "availability",
)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    severity: Severity = Severity.WARN


class CleaningConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    price_sentinels: tuple[float, ...] = (0.0,)
    normalise_units: bool = True

    def rules(self) -> CleaningRules:
        return CleaningRules(self.price_sentinels, self.normalise_units)


class RequiredConfig(_Part):
    fields: tuple[str, ...] = ("title", "price", "category")


class PriceRangeConfig(_Part):
    severity: Severity = Severity.FAIL
    min_price: float = Field(default=0.01, ge=0)
    max_price: float = Field(default=1_000_000.0, gt=0)


class CategoryConfig(_Part):
    min_depth: int = Field(default=1, ge=1)
    allowed_roots: tuple[str, ...] = ()


class PriceOutlierConfig(_Part):
    max_robust_z: float = Field(default=3.5, gt=0)
    min_group: int = Field(default=8, ge=3)


class ImageConfig(_Part):
    required: bool = False


class TitleConfig(_Part):
    min_chars: int = Field(default=8, ge=1)
    min_words: int = Field(default=2, ge=1)
    max_token_repeats: int = Field(default=3, ge=2)
    max_words: int = Field(default=40, ge=2)


class FreshnessConfig(_Part):
    sla_days: float | None = Field(default=None, gt=0)


class EventWindowConfig(_Part):
    """The span an event log should cover; ``fail`` (default) quarantines events outside it
    at ingest (``shopsense events ingest``)."""

    severity: Severity = Severity.FAIL
    start: datetime | None = None
    end: datetime | None = None


class ScoreConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    completeness_weight: float = Field(default=0.5, ge=0, le=1)
    warn_penalty: float = Field(default=0.2, ge=0, le=1)
    duplicate_penalty: float = Field(default=0.1, ge=0, le=1)
    completeness_fields: tuple[str, ...] = (
        "description",
        "brand",
        "category",
        "price",
        "image_paths",
    )


class QualityConfig(BaseModel):
    """Cleaning rules, every check's switch, thresholds and severity, and the score."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    cleaning: CleaningConfig = CleaningConfig()
    required: RequiredConfig = RequiredConfig()
    price_range: PriceRangeConfig = PriceRangeConfig()
    category: CategoryConfig = CategoryConfig()
    price_outlier: PriceOutlierConfig = PriceOutlierConfig()
    images: ImageConfig = ImageConfig()
    title: TitleConfig = TitleConfig()
    freshness: FreshnessConfig = FreshnessConfig()
    events: EventWindowConfig = EventWindowConfig()
    score: ScoreConfig = ScoreConfig()

    @classmethod
    def load(cls, path: Path | None) -> QualityConfig:
        """Read a ``.toml`` or ``.json`` file; ``None`` gives the defaults."""
        if path is None:
            return cls()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read quality config {path}: {exc}") from exc
        try:
            data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{path} is not valid {path.suffix[1:]}: {exc}") from exc
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
