"""Indicators: what values their unit allows (over_100: a rate may exceed its whole; signed: below zero).

A percentage over 100 or a negative value is refused on entry unless the indicator's
definition allows it (growth rates both; 编制利用率 and 参保率 of 户籍人口 over 100).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The shipped indicators that may leave their unit's range, as data/indicators*.yaml now say:
# growth rates (both ways), and shares whose numerator is not part of the denominator.
_GROWTH = ("OP_COST_GROWTH", "OP_COST_GROWTH_YOY", "IP_COST_GROWTH", "IP_COST_GROWTH_YOY", "DOWN_REFERRAL_GROWTH")
_OVER_100 = ("PRIMARY_STAFF_QUOTA_USE", "INSURANCE_COVERAGE")


def upgrade() -> None:
    # Plain ADD COLUMNs (see 0005); the shipped indicators already stored get their allowance here,
    # since a catalogue is loaded only once.
    op.add_column("indicators", sa.Column("over_100", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("indicators", sa.Column("signed", sa.Boolean(), nullable=False, server_default=sa.false()))
    indicators = sa.table(
        "indicators", sa.column("code", sa.String), sa.column("over_100", sa.Boolean), sa.column("signed", sa.Boolean)
    )
    op.execute(indicators.update().where(indicators.c.code.in_(_GROWTH)).values(over_100=True, signed=True))
    op.execute(indicators.update().where(indicators.c.code.in_(_OVER_100)).values(over_100=True))


def downgrade() -> None:
    op.drop_column("indicators", "signed")
    op.drop_column("indicators", "over_100")
