"""Plan drafts: uploaded documents under review before they are published as plans.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("doc_number", sa.String(length=200), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("source_format", sa.String(length=16), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_plan_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'published', 'discarded')", name=op.f("ck_plan_drafts_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_drafts")),
    )
    with op.batch_alter_table("plan_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_drafts_sha256"), ["sha256"], unique=False)
        batch_op.create_index("ix_plan_drafts_status_id", ["status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_drafts_status_id")
        batch_op.drop_index(batch_op.f("ix_plan_drafts_sha256"))

    op.drop_table("plan_drafts")
