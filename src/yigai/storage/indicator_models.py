"""Tables for indicators, data values, validation rules, outlier bounds and target links.

Tables::

    indicators (the catalogue: code, name, unit, direction, formula over data elements)
    data_values (append-only versions per key × org unit × period) ─→ org_units; a computed
                value also keeps its numerator, denominator, definition version and inputs hash
    validation_rules, outlier_bounds
    target_links (plan × target index → indicator; suggested, then confirmed by a person)

``data_values.key`` is an indicator code or a data-element code named in an
indicator's numerator or denominator, so it has no foreign key. ``target_links``
keeps ``plan_id`` without a foreign key (a replaced plan keeps its id) and
records the target's metric, so a link left pointing at another target after a
re-import is recognisably stale.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from yigai.storage.models import Base


class IndicatorRow(Base):
    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint("direction IN ('higher', 'lower', 'neutral')", name="direction"),
        CheckConstraint("aggregation IN ('sum', 'average')", name="aggregation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(32), default="")
    direction: Mapped[str] = mapped_column(String(8))
    definition: Mapped[str] = mapped_column(Text, default="")
    numerator: Mapped[str] = mapped_column(Text, default="")
    denominator: Mapped[str] = mapped_column(Text, default="")
    factor: Mapped[float] = mapped_column(Float, default=1.0)
    aggregation: Mapped[str] = mapped_column(String(8), default="sum")
    decimals: Mapped[int] = mapped_column(Integer, default=2)
    aliases: Mapped[list[str]] = mapped_column(default=list)
    # What the unit allows (migration 0008): a rate over its whole (100 %), a value below zero.
    over_100: Mapped[bool] = mapped_column(default=False, server_default=false())
    signed: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DataValueRow(Base):
    """One version of a value; a correction is a new row with the next version number."""

    __tablename__ = "data_values"
    __table_args__ = (
        UniqueConstraint("key", "org_unit", "period_id", "version"),
        CheckConstraint("source IN ('entered', 'imported', 'computed')", name="source"),
        Index("ix_data_values_org_unit_period_id", "org_unit", "period_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    org_unit: Mapped[str] = mapped_column(ForeignKey("org_units.code", ondelete="RESTRICT"))
    period_id: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(64), default="")
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str] = mapped_column(Text, default="")
    outlier: Mapped[bool] = mapped_column(default=False)  # suspicious when saved (confirmed, or flagged on import)
    # Computed values only (migration 0006): ratio parts, definition version, hash of the inputs.
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    definition_version: Mapped[str] = mapped_column(String(64), default="", server_default="")
    inputs_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")


class ValidationRuleRow(Base):
    __tablename__ = "validation_rules"
    __table_args__ = (CheckConstraint("operator IN ('==', '!=', '<', '<=', '>', '>=')", name="operator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    left: Mapped[str] = mapped_column(Text)
    operator: Mapped[str] = mapped_column(String(2))
    right: Mapped[str] = mapped_column(Text)
    missing: Mapped[str] = mapped_column(String(32))


class OutlierBoundsRow(Base):
    __tablename__ = "outlier_bounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    minimum: Mapped[float | None] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float)


class TargetLinkRow(Base):
    __tablename__ = "target_links"
    __table_args__ = (UniqueConstraint("plan_id", "target_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(Integer, index=True)
    target_index: Mapped[int] = mapped_column(Integer)
    target_metric: Mapped[str] = mapped_column(Text, default="")
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicators.code", ondelete="CASCADE"))
    confirmed: Mapped[bool] = mapped_column(default=False)
    confirmed_by: Mapped[str] = mapped_column(String(64), default="")
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    score: Mapped[float] = mapped_column(Float, default=0.0)
