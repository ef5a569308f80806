"""Supervision loop: org units, department aliases, users and scopes, plan schedules,
progress reports with evidence, indicators, data values, validation rules, outlier
bounds, target links and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_key", sa.String(length=255), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_log_entity_entity_key", ["entity", "entity_key"], unique=False)

    op.create_table(
        "department_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department_aliases")),
        sa.UniqueConstraint("region", "alias", name=op.f("uq_department_aliases_region_alias")),
    )
    with op.batch_alter_table("department_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_department_aliases_department"), ["department"], unique=False)

    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_evidence_files_sha256")),
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("numerator", sa.Text(), nullable=False),
        sa.Column("denominator", sa.Text(), nullable=False),
        sa.Column("factor", sa.Float(), nullable=False),
        sa.Column("aggregation", sa.String(length=8), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("aggregation IN ('sum', 'average')", name=op.f("ck_indicators_aggregation")),
        sa.CheckConstraint("direction IN ('higher', 'lower', 'neutral')", name=op.f("ck_indicators_direction")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_indicators_code")),
    )
    op.create_table(
        "org_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("institution_type", sa.String(length=32), nullable=True),
        sa.Column("grade", sa.String(length=16), nullable=True),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["org_units.code"], name=op.f("fk_org_units_parent_code_org_units"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_units")),
        sa.UniqueConstraint("code", name=op.f("uq_org_units_code")),
    )
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_units_parent_code"), ["parent_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_org_units_path"), ["path"], unique=False)

    op.create_table(
        "outlier_bounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("minimum", sa.Float(), nullable=True),
        sa.Column("maximum", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlier_bounds")),
        sa.UniqueConstraint("key", name=op.f("uq_outlier_bounds_key")),
    )
    op.create_table(
        "plan_schedules",
        sa.Column("plan_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period_type", sa.String(length=16), nullable=False),
        sa.Column("first_period", sa.String(length=8), nullable=False),
        sa.Column("last_period", sa.String(length=8), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_schedules")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('office_admin', 'department_reporter', 'institution_reporter', 'viewer')",
            name=op.f("ck_users_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "validation_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("left", sa.Text(), nullable=False),
        sa.Column("operator", sa.String(length=2), nullable=False),
        sa.Column("right", sa.Text(), nullable=False),
        sa.Column("missing", sa.String(length=32), nullable=False),
        sa.CheckConstraint("operator IN ('==', '!=', '<', '<=', '>', '>=')", name=op.f("ck_validation_rules_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_rules")),
        sa.UniqueConstraint("code", name=op.f("uq_validation_rules_code")),
    )
    op.create_table(
        "data_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("org_unit", sa.String(length=64), nullable=False),
        sa.Column("period_id", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("outlier", sa.Boolean(), nullable=False),
        sa.CheckConstraint("source IN ('entered', 'imported', 'computed')", name=op.f("ck_data_values_source")),
        sa.ForeignKeyConstraint(
            ["org_unit"], ["org_units.code"], name=op.f("fk_data_values_org_unit_org_units"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_values")),
        sa.UniqueConstraint(
            "key", "org_unit", "period_id", "version", name=op.f("uq_data_values_key_org_unit_period_id_version")
        ),
    )
    with op.batch_alter_table("data_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_values_key"), ["key"], unique=False)
        batch_op.create_index("ix_data_values_org_unit_period_id", ["org_unit", "period_id"], unique=False)

    op.create_table(
        "progress_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("period_id", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("percent", sa.Float(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'returned', 'accepted')", name=op.f("ck_progress_reports_state")
        ),
        sa.CheckConstraint("percent >= 0 AND percent <= 100", name=op.f("ck_progress_reports_percent")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_progress_reports_plan_id_plans"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_reports")),
        sa.UniqueConstraint(
            "plan_id",
            "item_id",
            "period_id",
            "version",
            name=op.f("uq_progress_reports_plan_id_item_id_period_id_version"),
        ),
    )
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.create_index("ix_progress_reports_department", ["department"], unique=False)
        batch_op.create_index("ix_progress_reports_plan_id_period_id", ["plan_id", "period_id"], unique=False)

    op.create_table(
        "target_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("target_index", sa.Integer(), nullable=False),
        sa.Column("target_metric", sa.Text(), nullable=False),
        sa.Column("indicator_code", sa.String(length=64), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_code"],
            ["indicators.code"],
            name=op.f("fk_target_links_indicator_code_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_links")),
        sa.UniqueConstraint("plan_id", "target_index", name=op.f("uq_target_links_plan_id_target_index")),
    )
    with op.batch_alter_table("target_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_links_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "user_scopes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.CheckConstraint("kind IN ('department', 'org_unit')", name=op.f("ck_user_scopes_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_scopes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_scopes")),
        sa.UniqueConstraint("user_id", "kind", "value", name=op.f("uq_user_scopes_user_id_kind_value")),
    )
    with op.batch_alter_table("user_scopes", schema=None) as batch_op:
        batch_op.create_index("ix_user_scopes_kind_value", ["kind", "value"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_scopes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "report_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_files.id"],
            name=op.f("fk_report_evidence_evidence_id_evidence_files"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["progress_reports.id"],
            name=op.f("fk_report_evidence_report_id_progress_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_evidence")),
        sa.UniqueConstraint("report_id", "evidence_id", name=op.f("uq_report_evidence_report_id_evidence_id")),
    )
    with op.batch_alter_table("report_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_evidence_evidence_id"), ["evidence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_evidence_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_evidence_report_id"))
        batch_op.drop_index(batch_op.f("ix_report_evidence_evidence_id"))

    op.drop_table("report_evidence")
    with op.batch_alter_table("user_scopes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_scopes_user_id"))
        batch_op.drop_index("ix_user_scopes_kind_value")

    op.drop_table("user_scopes")
    with op.batch_alter_table("target_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_target_links_plan_id"))

    op.drop_table("target_links")
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_reports_plan_id_period_id")
        batch_op.drop_index("ix_progress_reports_department")

    op.drop_table("progress_reports")
    with op.batch_alter_table("data_values", schema=None) as batch_op:
        batch_op.drop_index("ix_data_values_org_unit_period_id")
        batch_op.drop_index(batch_op.f("ix_data_values_key"))

    op.drop_table("data_values")
    op.drop_table("validation_rules")
    op.drop_table("users")
    op.drop_table("plan_schedules")
    op.drop_table("outlier_bounds")
    # org_units refers to itself (parent_code, ON DELETE RESTRICT): SQLite's DROP TABLE deletes the rows
    # first and would refuse to delete a parent before its children.
    op.execute("UPDATE org_units SET parent_code = NULL")
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_units_path"))
        batch_op.drop_index(batch_op.f("ix_org_units_parent_code"))

    op.drop_table("org_units")
    op.drop_table("indicators")
    op.drop_table("evidence_files")
    with op.batch_alter_table("department_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_department_aliases_department"))

    op.drop_table("department_aliases")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity_entity_key")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
