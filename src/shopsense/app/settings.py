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
    open_access: bool = Field(
        default=False,
        description=(
            "Serve the HTTP API and pages without API keys (every request gets admin"
            " rights). Only for local demos: never on a reachable address."
        ),
    )
    max_in_flight: int = Field(
        default=64,
        ge=1,
        le=10_000,
        description="Requests handled at once by the HTTP server; more answer 503 + Retry-After",
    )
    rebalance_above: int = Field(
        default=0,
        ge=0,
        le=10_000,
        description=(
            "With several server processes: above this many requests in flight a process"
            " answers with 'Connection: close', so clients reconnect and the kernel spreads"
            " their connections over the processes again (0: never; `serve --workers N`"
            " sets 8 unless SHOPSENSE_REBALANCE_ABOVE is set)"
        ),
    )
    demo_user: str | None = Field(
        default=None,
        description="User whose 'for you' strip the storefront shows when none is chosen",
    )
    benchmark_dir: Path = Field(
        default=Path("benchmarks/results"),
        description="Folder of benchmark JSON records plotted on the admin page",
    )
    query_log: Path | None = Field(
        default=None,
        description="A file of logged queries (one a line, or id<TAB>query) for spelling",
    )
    intent_model: str = Field(default="intent", description="Name of the stored intent model")
    intent_threshold: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="Abstain (category 'unknown') below this; overrides the threshold stored"
        " with the intent model",
    )
    spell_chinese: bool = Field(
        default=False,
        description="Also correct Chinese characters (changes 8% of unseen real queries)",
    )
    synonyms_file: Path | None = Field(
        default=None,
        description="TOML synonym file of this catalogue (groups / one_way), see README",
    )
    synonyms_builtin: bool = Field(
        default=True,
        description="Search with the built-in English/Chinese synonym groups too"
        " (phone/smartphone/手机, socks/袜子, …; what `parse` shows)",
    )
    semantic: bool = Field(
        default=True,
        description="Use the multilingual sentence encoder for semantic retrieval",
    )
    semantic_index: Literal["scan", "hnsw", "ivf", "fastscan"] = Field(
        default="fastscan",
        description="Semantic index: 4-bit PQ codes scanned with SIMD fast-scan + exact re-rank "
        "(recall@10 1.000 on Myntra 44k at ~0.5 ms), IVF lists over int8 codes + exact re-rank "
        "(0.989 at ~1.2 ms), int8 scan of every vector + exact re-rank, or HNSW",
    )
    search_mode: str = Field(
        default="hybrid", description="Default search mode: bm25, dense, hybrid or ltr"
    )
    search_refresh_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How often a running server applies catalogue changes to search (0: never)",
    )
    search_cache_mb: float = Field(
        default=64.0,
        ge=0,
        le=65_536,
        description="Memory for search results kept for repeated requests (LRU; 0: no cache)",
    )
    search_warm: bool = Field(
        default=True,
        description="A starting server opens the search indexes, fills their caches and"
        " builds the query parser first",
    )
    recommend_refit_after: int = Field(
        default=1000,
        ge=1,
        description="refit the recommendation model after this many new events",
    )
    recommend_content: bool | Literal["auto"] = Field(
        default="auto",
        description="content-based similar items (product text vectors, and photos when"
        " embedded): auto uses the vectors the store holds (the search index's) and encodes"
        " none; true also encodes missing ones; false: none",
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
