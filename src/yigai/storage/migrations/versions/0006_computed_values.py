"""Data values: numerator, denominator, definition version and inputs hash of computed values.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("numerator", "denominator", "definition_version", "inputs_hash")


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch "move and copy" (see 0005): existing values keep their rows
    # and get NULL parts and empty strings, which is what an entered or imported value has.
    op.add_column("data_values", sa.Column("numerator", sa.Float(), nullable=True))
    op.add_column("data_values", sa.Column("denominator", sa.Float(), nullable=True))
    op.add_column(
        "data_values", sa.Column("definition_version", sa.String(length=64), nullable=False, server_default="")
    )
    op.add_column("data_values", sa.Column("inputs_hash", sa.String(length=64), nullable=False, server_default=""))


def downgrade() -> None:
    for name in reversed(_COLUMNS):
        op.drop_column("data_values", name)  # SQLite 3.35+ drops a column in place (no cascading copy)
