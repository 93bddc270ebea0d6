"""image features keyed by image content hash, and the image each product shows

Revision ID: multimodal_1
Revises: quality_1
"""

import sqlalchemy as sa
from alembic import op

revision = "multimodal_1"
down_revision = "quality_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "image_features",
        sa.Column("image_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=128), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("image_hash", "kind"),
    )
    op.create_table(
        "product_images",
        sa.Column("product_id", sa.String(length=256), nullable=False),
        sa.Column("image_path", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("image_hash", sa.String(length=64), nullable=True),
        sa.Column("dhash", sa.String(length=16), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("product_id"),
    )
    with op.batch_alter_table("product_images", schema=None) as batch_op:
        batch_op.create_index("ix_product_images_hash", ["image_hash"], unique=False)
        batch_op.create_index("ix_product_images_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("product_images", schema=None) as batch_op:
        batch_op.drop_index("ix_product_images_status")
        batch_op.drop_index("ix_product_images_hash")
    op.drop_table("product_images")
    op.drop_table("image_features")
