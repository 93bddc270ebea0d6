"""quality gate: check flags and duplicate clusters

Revision ID: quality_1
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "quality_1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_flags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("product_id", sa.String(length=256), nullable=False),
        sa.Column("check_name", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_quality_flags_product", "quality_flags", ["product_id"])
    op.create_index("ix_quality_flags_reason", "quality_flags", ["reason"])
    op.create_table(
        "duplicate_clusters",
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=256), nullable=False),
        sa.Column("canonical", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("product_id"),
    )
    op.create_index("ix_duplicate_clusters_cluster", "duplicate_clusters", ["cluster_id"])


def downgrade() -> None:
    op.drop_index("ix_duplicate_clusters_cluster", table_name="duplicate_clusters")
    op.drop_table("duplicate_clusters")
    op.drop_index("ix_quality_flags_reason", table_name="quality_flags")
    op.drop_index("ix_quality_flags_product", table_name="quality_flags")
    op.drop_table("quality_flags")
