"""Tables of the supervision loop: places, aliases, people, schedules, reports, evidence, audit.

They share ``models.Base`` (one metadata, one migration history). Domain objects
stay free of SQLAlchemy; the repositories convert.

Tables::

    org_units (self-referencing tree by parent_code; ``path`` = /root/…/code for scope checks)
    department_aliases (region, alias → canonical department name)
    users ── user_scopes (department names or org-unit codes)
    plan_schedules (one row per plan: period type, first and last period, due days)
    progress_reports (append-only versions per plan × item × period) ── report_evidence ── evidence_files
    audit_log (who, when, action, entity, before/after)
    scoring_schemes (append-only versions of the office's scoring weights; the newest applies)

``plan_schedules`` keeps ``plan_id`` without a foreign key on purpose: a plan
re-imported with ``--replace`` is deleted and stored again under the same id,
and its schedule must survive that. ``progress_reports`` does reference plans,
with RESTRICT: a plan with reports cannot be deleted (the import service also
refuses to replace it, with a message).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yigai.storage.models import Base

SCOPE_DEPARTMENT = "department"
SCOPE_ORG_UNIT = "org_unit"


class OrgUnitRow(Base):
    """A place or institution; ``path`` lists the codes from the root, so a subtree is a prefix."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("org_units.code", ondelete="RESTRICT"), index=True)
    path: Mapped[str] = mapped_column(String(1000), index=True)
    institution_type: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(16))
    groups: Mapped[list[str]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order among siblings, as loaded


class DepartmentAliasRow(Base):
    """Another spelling of a department, per region ('' = every region); editable by the office."""

    __tablename__ = "department_aliases"
    __table_args__ = (UniqueConstraint("region", "alias"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(100), default="")
    alias: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(200), index=True)  # canonical name
    kind: Mapped[str] = mapped_column(String(20), default="department")
    source: Mapped[str] = mapped_column(String(20), default="shipped")  # shipped | office


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('office_admin', 'department_reporter', 'institution_reporter', 'viewer')", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # set by the web issue
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    scopes: Mapped[list[UserScopeRow]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="UserScopeRow.id",
    )


class UserScopeRow(Base):
    """A department (canonical name) or an org unit (code) a user may write for."""

    __tablename__ = "user_scopes"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "value"),
        CheckConstraint(f"kind IN ('{SCOPE_DEPARTMENT}', '{SCOPE_ORG_UNIT}')", name="kind"),
        Index("ix_user_scopes_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))

    user: Mapped[UserRow] = relationship(back_populates="scopes")


class PlanScheduleRow(Base):
    """A plan's reporting schedule (no foreign key: it must survive a plan's replace)."""

    __tablename__ = "plan_schedules"

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    period_type: Mapped[str] = mapped_column(String(16))
    first_period: Mapped[str] = mapped_column(String(8))
    last_period: Mapped[str] = mapped_column(String(8))
    due_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class ProgressReportRow(Base):
    """One version of a progress report; rows are only ever inserted."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        UniqueConstraint("plan_id", "item_id", "period_id", "version"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
        CheckConstraint("state IN ('draft', 'submitted', 'returned', 'accepted')", name="state"),
        Index("ix_progress_reports_plan_id_period_id", "plan_id", "period_id"),
        Index("ix_progress_reports_department", "department"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"))
    item_id: Mapped[str] = mapped_column(String(64))
    period_id: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    department: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8))
    percent: Mapped[float] = mapped_column(Float)
    narrative: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    contributions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(64), default="")
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewer: Mapped[str] = mapped_column(String(64), default="")
    review_comment: Mapped[str] = mapped_column(Text, default="")

    evidence: Mapped[list[ReportEvidenceRow]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="ReportEvidenceRow.position",
    )


class EvidenceFileRow(Base):
    """A file stored once under ``evidence/ab/cdef…`` by its SHA-256."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64), default="")


class ReportEvidenceRow(Base):
    """Evidence attached to one report version, under the name it was uploaded with."""

    __tablename__ = "report_evidence"
    __table_args__ = (UniqueConstraint("report_id", "evidence_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_files.id", ondelete="RESTRICT"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)

    report: Mapped[ProgressReportRow] = relationship(back_populates="evidence")
    file: Mapped[EvidenceFileRow] = relationship(lazy="joined")


class AuditRow(Base):
    """Every write: who did what to which object, with the state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_key", "entity", "entity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(255), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ScoringSchemeRow(Base):
    """One version of the office's scoring weights (考核评分方案), never overwritten.

    ``overrides`` holds the keys that differ from the shipped ``scoring.yaml`` (empty: the
    default applies again); the newest version is the office's scheme.
    """

    __tablename__ = "scoring_schemes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
