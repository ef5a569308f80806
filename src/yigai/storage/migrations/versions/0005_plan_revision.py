"""Plans: a revision token, new on every change to a plan's content, for caching readers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch "move and copy" of ``plans`` under SQLite's foreign keys would
    # cascade-delete every task, measure and target of the copied plans.
    op.add_column("plans", sa.Column("revision", sa.String(length=32), nullable=False, server_default=""))
    plans = sa.table("plans", sa.column("id", sa.Integer()), sa.column("revision", sa.String()))
    conn = op.get_bind()
    for (plan_id,) in conn.execute(sa.select(plans.c.id)).all():
        conn.execute(plans.update().where(plans.c.id == plan_id).values(revision=uuid.uuid4().hex))


def downgrade() -> None:
    op.drop_column("plans", "revision")  # SQLite 3.35+ drops a column in place (no cascading copy)
