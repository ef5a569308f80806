"""Relational tables for stored plans, kept apart from the domain dataclasses.

The domain (``yigai.domain.plan``) stays free of SQLAlchemy; ``mapping.py``
converts between the two. Spans are stored as ``*_start``/``*_end`` integer
pairs so that a reviewer's source highlighting can be queried in SQL;
provenance maps and string lists are JSON.

Tables::

    plans ─┬─ sections (self-referencing tree)
           ├─ tasks ── measures
           ├─ targets ─→ tasks
           ├─ projects
           ├─ responsibilities ─→ tasks | measures | projects, departments
           └─ parse_warnings
    departments (registry per region: canonical name, kind)
    plan_drafts (uploaded documents under review: the parsed draft as JSON, its source text,
                 status draft | published | discarded, a version bumped by every correction)
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names: PostgreSQL and SQLite batch migrations need them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_revision() -> str:
    """A token that changes whenever a stored plan's content does (never reused, even after a rollback)."""
    return uuid.uuid4().hex


ROLE_LEAD = "lead"
ROLE_COOPERATING = "cooperating"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}  # noqa: RUF012 — SQLAlchemy reads it once


class PlanRow(Base):
    """One imported document: metadata, the original text and its hash."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # 文号 as printed, and a normalised key (no spaces, half-width digits) for lookups.
    doc_number: Mapped[str] = mapped_column(String(200), default="")
    doc_number_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    issuer: Mapped[str] = mapped_column(String(200), default="")
    date: Mapped[dt.date | None] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(20))
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    meta_provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_name: Mapped[str] = mapped_column(String(255))
    source_format: Mapped[str] = mapped_column(String(16))
    source_text: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # New on every change to the plan's content (a replace, a department rename): what readers cache by.
    revision: Mapped[str] = mapped_column(String(32), default=new_revision, server_default="")

    sections: Mapped[list[SectionRow]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SectionRow.position",
    )
    tasks: Mapped[list[TaskRow]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="TaskRow.position",
    )
    targets: Mapped[list[TargetRow]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="TargetRow.position",
    )
    projects: Mapped[list[ProjectRow]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ProjectRow.position",
    )
    responsibilities: Mapped[list[ResponsibilityRow]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    warnings: Mapped[list[ParseWarningRow]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ParseWarningRow.position",
    )


class SectionRow(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))  # the draft's Section.id
    position: Mapped[int] = mapped_column(Integer)  # pre-order over the whole tree
    level: Mapped[int] = mapped_column(Integer)
    marker: Mapped[str] = mapped_column(String(32))
    number: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)

    plan: Mapped[PlanRow] = relationship(back_populates="sections")
    parent: Mapped[SectionRow | None] = relationship(remote_side="SectionRow.id")


class _DeadlineColumns:
    """Deadline and responsibility-clause columns shared by tasks and measures."""

    deadline_kind: Mapped[str] = mapped_column(String(20))
    deadline_date: Mapped[dt.date | None] = mapped_column(Date)
    deadline_raw: Mapped[str] = mapped_column(Text, default="")
    deadline_start: Mapped[int | None] = mapped_column(Integer)
    deadline_end: Mapped[int | None] = mapped_column(Integer)
    categories: Mapped[list[str]] = mapped_column(default=list)


class _ClauseColumns:
    """The printed responsibility clause: its text, span and the 等 flags."""

    responsibility_raw: Mapped[str] = mapped_column(Text, default="")
    responsibility_start: Mapped[int | None] = mapped_column(Integer)
    responsibility_end: Mapped[int | None] = mapped_column(Integer)
    lead_and_others: Mapped[bool] = mapped_column(default=False)
    cooperating_and_others: Mapped[bool] = mapped_column(default=False)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)


class TaskRow(_DeadlineColumns, _ClauseColumns, Base):
    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))  # the draft's Task.id
    position: Mapped[int] = mapped_column(Integer)
    no: Mapped[str] = mapped_column(String(32), default="")
    path: Mapped[list[str]] = mapped_column(default=list)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    categories_inferred: Mapped[bool] = mapped_column(default=True)
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)

    plan: Mapped[PlanRow] = relationship(back_populates="tasks")
    section: Mapped[SectionRow | None] = relationship()
    measures: Mapped[list[MeasureRow]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="MeasureRow.position",
    )
    responsibilities: Mapped[list[ResponsibilityRow]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ResponsibilityRow.position",
    )


class MeasureRow(_DeadlineColumns, _ClauseColumns, Base):
    __tablename__ = "measures"
    __table_args__ = (UniqueConstraint("task_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))  # the draft's Measure.id
    position: Mapped[int] = mapped_column(Integer)
    no: Mapped[str] = mapped_column(String(32), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)

    task: Mapped[TaskRow] = relationship(back_populates="measures")
    responsibilities: Mapped[list[ResponsibilityRow]] = relationship(
        back_populates="measure",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ResponsibilityRow.position",
    )


class ProjectRow(_ClauseColumns, Base):
    """A row of an appendix project list (e.g. 重点项目清单) that is not a measure."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    no: Mapped[str] = mapped_column(String(32), default="")
    group_name: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[PlanRow] = relationship(back_populates="projects")
    responsibilities: Mapped[list[ResponsibilityRow]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ResponsibilityRow.position",
    )


class TargetRow(Base):
    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text, default="")
    metric: Mapped[str] = mapped_column(Text, default="")
    comparator: Mapped[str | None] = mapped_column(String(8))
    value: Mapped[float | None] = mapped_column(Float)
    value_high: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32), default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    attribute: Mapped[str | None] = mapped_column(String(8))
    baseline: Mapped[float | None] = mapped_column(Float)
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    due: Mapped[dt.date | None] = mapped_column(Date)
    observed: Mapped[float | None] = mapped_column(Float)
    observed_raw: Mapped[str] = mapped_column(Text, default="")
    observed_period: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(Text, default="text")
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    implicit: Mapped[bool] = mapped_column(default=False, server_default=false())  # migration 0007

    plan: Mapped[PlanRow] = relationship(back_populates="targets")
    task: Mapped[TaskRow | None] = relationship()


class DepartmentRow(Base):
    """Registry of departments per region, keyed by canonical name."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("region", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))


class ResponsibilityRow(Base):
    """One department named for one task, measure or project, as lead or cooperating.

    ``plan_id`` is redundant with the owner but lets the responsibility matrix
    and the department counts be one indexed query per plan.
    """

    __tablename__ = "responsibilities"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN task_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN measure_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN project_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
        CheckConstraint(f"role IN ('{ROLE_LEAD}', '{ROLE_COOPERATING}')", name="role"),
        Index("ix_responsibilities_department_id_role", "department_id", "role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)  # order within the role, as printed
    raw: Mapped[str] = mapped_column(Text, default="")  # the name as printed
    known: Mapped[bool] = mapped_column(default=True)  # found in the alias table
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)

    plan: Mapped[PlanRow] = relationship(back_populates="responsibilities")
    task: Mapped[TaskRow | None] = relationship(back_populates="responsibilities")
    measure: Mapped[MeasureRow | None] = relationship(back_populates="responsibilities")
    project: Mapped[ProjectRow | None] = relationship(back_populates="responsibilities")
    department: Mapped[DepartmentRow] = relationship(lazy="joined")


class ParseWarningRow(Base):
    __tablename__ = "parse_warnings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text, default="")
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)

    plan: Mapped[PlanRow] = relationship(back_populates="warnings")


class PlanDraftRow(Base):
    """A document uploaded for review: parsed, correctable, not yet supervised.

    The draft is kept whole as JSON (``yigai.domain.serialize.plan_to_stored_dict``)
    beside its source text, so a correction is one row update and nothing about
    it reaches the plan tables until it is published. ``published_plan_id`` has no
    foreign key, like ``plan_schedules.plan_id``: publishing over an existing plan
    replaces that plan under the same id.
    """

    __tablename__ = "plan_drafts"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'discarded')", name="status"),
        Index("ix_plan_drafts_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    doc_number: Mapped[str] = mapped_column(String(200), default="")
    source_name: Mapped[str] = mapped_column(String(255))
    source_format: Mapped[str] = mapped_column(String(16))
    source_text: Mapped[str] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published_plan_id: Mapped[int | None] = mapped_column(Integer)
