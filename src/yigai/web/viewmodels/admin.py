"""The administration page: users and scopes, departments and aliases, org units, schedules, scoring weights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yigai.domain.orgunits import OrgUnit
from yigai.domain.users import ROLE_LABELS, Role, User
from yigai.evaluation.scoring import default_scheme_dict
from yigai.services.departments import DepartmentEntry, list_departments
from yigai.services.orgunits import list_orgunits
from yigai.services.plans import list_plans
from yigai.services.users import list_users
from yigai.storage.report_repository import ReportingSchedule
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork

PERIOD_TYPES = (("quarterly", "季度"), ("monthly", "月度"), ("six_monthly", "半年"), ("yearly", "年度"))
SCHEME_LABELS = {
    "parts": "总分构成（任务推进 : 指标达成）", "status_scores": "事项状态得分", "deductions": "部门扣分",
    "bonus": "部门加分", "indicators": "指标达成", "status": "状态判定阈值",
    "tasks": "任务推进", "completed": "已完成", "on_track": "按期推进", "at_risk": "存在风险", "not_started": "未启动",
    "not_reported": "未报送", "overdue": "逾期未完成", "late_report": "每逾期报送一次", "missing_report": "每未报送一次",
    "max": "上限", "early_completion": "每提前完成一项", "missing_value_score": "已关联但无数据的目标得分",
    "pro_rata_margin": "落后序时进度超过（百分点）即存在风险", "near_deadline_percent": "临近时限且进度低于（%）即存在风险",
}


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
    scheme: list[tuple[str, list[tuple[str, Any]]]]  # section label, (key label, value)


def _scheme() -> list[tuple[str, list[tuple[str, Any]]]]:
    out = []
    for section, values in default_scheme_dict().items():
        rows: list[tuple[str, Any]] = [(SCHEME_LABELS.get(str(k), str(k)), v) for k, v in values.items()] \
            if isinstance(values, dict) else [(str(section), values)]
        out.append((SCHEME_LABELS.get(section, section), rows))
    return out


def admin_page(uow: UnitOfWork) -> AdminPage:
    plans = list_plans(uow)
    with uow:
        schedules = [ScheduleRow(p, uow.reports.schedule(p.id)) for p in plans]
    return AdminPage(list_users(uow), [(r.value, ROLE_LABELS[r]) for r in Role], list_departments(uow),
                     list_orgunits(uow), schedules, PERIOD_TYPES, _scheme())
