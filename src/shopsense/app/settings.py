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
    query_log: Path | None = Field(
        default=None,
        description="A file of logged queries (one a line, or id<TAB>query) for spelling",
    )
    intent_model: str = Field(default="intent", description="Name of the stored intent model")
    intent_threshold: float = Field(
        default=0.3, ge=0.0, le=1.0, description="Abstain (category 'unknown') below this"
    )
    spell_chinese: bool = Field(
        default=False,
        description="Also correct Chinese characters (changes 8% of unseen real queries)",
    )
    synonyms_file: Path | None = Field(
        default=None,
        description="TOML synonym file of this catalogue (groups / one_way), see README",
    )
    semantic: bool = Field(
        default=True,
        description="Use the multilingual sentence encoder for semantic retrieval",
    )
    search_mode: str = Field(
        default="hybrid", description="Default search mode: bm25, dense, hybrid or ltr"
    )
    recommend_refit_after: int = Field(
        default=1000,
        ge=1,
        description="refit the recommendation model after this many new events",
    )
    recommend_content: bool = Field(
        default=False,
        description="blend content-based (product text embeddings) into recommendations",
    )
    quality_config: Path | None = Field(
        default=None,
        description="TOML/JSON file configuring the quality gate (default rules when unset)",
    )
