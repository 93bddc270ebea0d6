"""Tables of the shopsense store (SQLAlchemy Core).

Migrations in ``storage/migrations/versions`` create and change these tables;
this module is the picture of the newest revision, used by the repositories.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

products = Table(
    "products",
    metadata,
    Column("id", String(256), primary_key=True),
    Column("title", Text, nullable=False),
    Column("description", Text),
    Column("brand", String(256)),
    Column("category_path", Text),  # "A > B > C", for prefix filters
    Column("category", JSON, nullable=False),  # ["A", "B", "C"]
    Column("price", Float),
    Column("sale_price", Float),
    Column("currency", String(8)),
    Column("image_paths", JSON, nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("availability", String(32), nullable=False),
    Column("stock", Integer),
    Column("updated_at", DateTime(timezone=True)),
    Column("source", Text),
    Column("content_hash", String(64), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("quality_score", Float),
    Index("ix_products_brand", "brand"),
    Index("ix_products_category_path", "category_path"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("detail", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("raw_hash", String(64), nullable=False),
    Column("product_id", String(256)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source", "line_no", "raw_hash", "reason", name="uq_quarantine_row"),
    Index("ix_quarantine_reason", "reason"),
)

repairs = Table(
    "repairs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("product_id", String(256)),
    Column("field", String(64), nullable=False),
    Column("code", String(64), nullable=False),
    Column("before", Text),
    Column("after", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source", "line_no", "field", "code", name="uq_repair"),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("status", String(16), nullable=False),  # running | completed | failed
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("inserted", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("quarantined", Integer, nullable=False, default=0),
    Column("repaired", Integer, nullable=False, default=0),
    Column("summary", JSON),
)

events = Table(
    "events",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("event_id", String(256), nullable=False, unique=True),
    Column("user_id", String(256), nullable=False),
    Column("item_id", String(256), nullable=False),
    Column("type", String(32), nullable=False),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("session_id", String(256)),
    Column("query", Text),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_events_user", "user_id"),
    Index("ix_events_item", "item_id"),
)

model_artifacts = Table(
    "model_artifacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("meta", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("name", "version", name="uq_model_version"),
)

embeddings = Table(
    "embeddings",
    metadata,
    Column("product_id", String(256), primary_key=True),
    Column("model", String(128), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

quality_flags = Table(
    "quality_flags",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("product_id", String(256), nullable=False),
    Column("check_name", String(64), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("severity", String(8), nullable=False),  # warn (fail rows are quarantined)
    Column("detail", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_quality_flags_product", "product_id"),
    Index("ix_quality_flags_reason", "reason"),
)

duplicate_clusters = Table(
    "duplicate_clusters",
    metadata,
    Column("cluster_id", Integer, nullable=False),
    Column("product_id", String(256), primary_key=True),
    Column("canonical", Boolean, nullable=False),
    Column("evidence", JSON, nullable=False),  # pairs that joined it: ids, score, evidence
    Index("ix_duplicate_clusters_cluster", "cluster_id"),
)
