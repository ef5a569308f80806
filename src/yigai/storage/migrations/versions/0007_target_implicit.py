"""Targets: the implicit flag (全覆盖 / 全部 / 所有…达到 imply 100 %; no figure is printed).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (see 0005): the targets of plans imported before read as printed figures.
    op.add_column("targets", sa.Column("implicit", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("targets", "implicit")
