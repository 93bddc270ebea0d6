"""The one typed Settings object, read from the environment (SHOPSENSE_*) at start-up."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Validated once at start-up and passed explicitly to the services."""

    model_config = SettingsConfigDict(env_prefix="SHOPSENSE_", extra="ignore")

    db: str = Field(
        default="shopsense.db",
        description="SQLite file path, sqlite:///… or postgresql://… URL of the store",
    )
    data_dir: Path = Field(
        default=Path(".shopsense"),
        description="Folder for indexes, exported models and caches",
    )
    quality_config: Path | None = Field(
        default=None,
        description="TOML/JSON file configuring the quality gate (default rules when unset)",
    )
