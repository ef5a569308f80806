"""The administration pages: users and scopes, departments and aliases, org units, schedules, scoring weights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yigai.domain.orgunits import OrgUnit
from yigai.domain.users import ROLE_LABELS, Role, User
from yigai.evaluation.scoring import default_scheme_dict
from yigai.services.audit import list_audit
from yigai.services.departments import DepartmentEntry, list_departments
from yigai.services.orgunits import list_orgunits
from yigai.services.passwords import POLICY_ZH
from yigai.services.plans import list_plans
from yigai.services.schedules import plan_schedules
from yigai.services.scoring import SCHEME_LABELS, OfficeScheme, leaves, office_scheme, scheme_history
from yigai.services.users import get_user, list_users
from yigai.storage.audit import AuditEntry
from yigai.storage.report_repository import ReportingSchedule
from yigai.storage.repository import PlanSummary
from yigai.storage.scoring_repository import StoredScheme
from yigai.storage.uow import UnitOfWork

PERIOD_TYPES = (("quarterly", "季度"), ("monthly", "月度"), ("six_monthly", "半年"), ("yearly", "年度"))


@dataclass(frozen=True, slots=True)
class SchemeField:
    name: str  # the form field: "parts.tasks"
    label: str
    value: Any
    default: Any
    kind: str  # "number", "text" or "bool"

    @property
    def changed(self) -> bool:
        return self.value != self.default


@dataclass(slots=True)
class SchemeSection:
    label: str
    fields: list[SchemeField]
    note: str = ""


@dataclass(slots=True)
class SchemeView:
    sections: list[SchemeSection]
    scheme: OfficeScheme
    history: list[StoredScheme]


@dataclass(slots=True)
class ScheduleRow:
    plan: PlanSummary
    schedule: ReportingSchedule | None


@dataclass(slots=True)
class AdminPage:
    users: list[User]
    roles: list[tuple[str, str]]
    departments: list[DepartmentEntry]
    orgunits: list[OrgUnit]
    schedules: list[ScheduleRow]
    period_types: tuple[tuple[str, str], ...]
    scheme: SchemeView
    password_policy: str = POLICY_ZH


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else "text"


def _share(values: dict[str, Any]) -> str:
    parts = values.get("parts", {})
    tasks, indicators = parts.get("tasks", 0), parts.get("indicators", 0)
    total = tasks + indicators
    if not total:
        return ""
    return (
        f"即任务推进占 {100 * tasks / total:.4g}%、指标达成占 {100 * indicators / total:.4g}%（按两者之和折算为100%）"
    )


def scheme_view(uow: UnitOfWork) -> SchemeView:
    """The scheme in effect as form fields by section, each with its default, and the stored versions."""
    scheme = office_scheme(uow)
    default = leaves(default_scheme_dict())
    sections: dict[str, SchemeSection] = {}
    for name, value in leaves(scheme.values).items():
        if isinstance(value, list | tuple):
            continue  # not a weight: lists are not edited here
        head, _, key = name.partition(".")
        section = sections.setdefault(head, SchemeSection(SCHEME_LABELS.get(head, head), []))
        section.fields.append(
            SchemeField(
                name,
                SCHEME_LABELS.get(key or head, key or head),
                value,
                default.get(name),
                _kind(default.get(name, value)),
            )
        )
    if "parts" in sections:
        sections["parts"].note = _share(scheme.values)
    return SchemeView(list(sections.values()), scheme, scheme_history(uow))


def admin_page(uow: UnitOfWork) -> AdminPage:
    plans = list_plans(uow)
    found = plan_schedules(uow, [p.id for p in plans])
    schedules = [ScheduleRow(p, found.get(p.id)) for p in plans]
    return AdminPage(
        list_users(uow),
        [(r.value, ROLE_LABELS[r]) for r in Role],
        list_departments(uow),
        list_orgunits(uow),
        schedules,
        PERIOD_TYPES,
        scheme_view(uow),
    )


@dataclass(slots=True)
class UserPage:
    user: User
    roles: list[tuple[str, str]]
    departments: list[DepartmentEntry]
    orgunits: list[OrgUnit]
    history: list[AuditEntry]
    password_policy: str = POLICY_ZH


def user_page(uow: UnitOfWork, admin: User, username: str) -> UserPage:
    """One user's page for the office: role and scope, password reset, disable/enable, recent changes."""
    found = get_user(uow, username)
    history = list_audit(uow, admin, action="user.", entity="user", entity_key=username, per_page=20).entries
    return UserPage(
        found, [(r.value, ROLE_LABELS[r]) for r in Role], list_departments(uow), list_orgunits(uow), history
    )
