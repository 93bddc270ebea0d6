"""The one typed Settings object, read from the environment (SHOPSENSE_*) at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

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
    image_backend: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="Runtime of the image encoder: onnxruntime (fast) or PyTorch",
    )
    image_batch_size: int = Field(default=64, ge=1, le=1024, description="Images per batch")

    @property
    def models_dir(self) -> Path:
        """Exported models (ONNX files) live here."""
        return self.data_dir / "models"
