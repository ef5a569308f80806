"""The department workspace: what a department leads and supports, and what it owes this period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from yigai.domain.periods import Period
from yigai.domain.users import Role, User
from yigai.evaluation.results import ItemEvaluation
from yigai.services.items import ReportItem, report_items
from yigai.services.plans import get_plan, list_plans
from yigai.services.reminders import OwedItem, owed_reports
from yigai.storage.report_repository import ReportingSchedule
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork
from yigai.web.viewmodels.common import deadline_text, item_url, plan_evaluation, status_css, status_label
from yigai.web.viewmodels.tasks import current_period


@dataclass(slots=True)
class WorkItem:
    item: ReportItem
    url: str
    deadline: str
    evaluation: ItemEvaluation | None

    @property
    def status_label(self) -> str:
        return status_label(self.evaluation.status if self.evaluation else None)

    @property
    def status_css(self) -> str:
        return status_css(self.evaluation.status if self.evaluation else None)


@dataclass(slots=True)
class OwedRow:
    owed: OwedItem
    url: str


@dataclass(slots=True)
class PlanWork:
    plan: PlanSummary
    schedule: ReportingSchedule
    period: Period
    due: dt.date
    leads: list[WorkItem] = field(default_factory=list)
    supports: list[WorkItem] = field(default_factory=list)
    owed: list[OwedRow] = field(default_factory=list)  # this period, for the items it leads

    @property
    def outstanding(self) -> int:
        return sum(1 for r in self.owed if r.owed.owed)


@dataclass(slots=True)
class Workspace:
    department: str
    choices: list[str]  # departments the user may look at
    can_write: bool  # the user may report in the department's name
    at: dt.date
    plans: list[PlanWork]


def departments_for(uow: UnitOfWork, user: User) -> list[str]:
    """A department reporter sees its own departments; everyone else every department that leads an item."""
    if user.role is Role.DEPARTMENT_REPORTER:
        return sorted(user.departments)
    names: set[str] = set()
    for summary in list_plans(uow):
        with uow:
            scheduled = uow.reports.schedule(summary.id) is not None
        if scheduled:
            names.update(n for i in report_items(get_plan(uow, summary.id).draft) for n in i.lead)
    return sorted(names)


def workspace(uow: UnitOfWork, user: User, at: dt.date, department: str = "") -> Workspace:
    choices = departments_for(uow, user)
    dept = department if department in choices else (choices[0] if choices else "")
    plans: list[PlanWork] = []
    for summary in list_plans(uow) if dept else []:
        with uow:
            schedule = uow.reports.schedule(summary.id)
        if schedule is None:
            continue
        items = report_items(get_plan(uow, summary.id).draft)
        leads = [i for i in items if dept in i.lead]
        supports = [i for i in items if dept in i.cooperating]
        if not leads and not supports:
            continue
        ev = plan_evaluation(uow, summary.id, at)
        by_item = {e.item_id: e for e in ev.items} if ev else {}
        period = current_period(schedule, at)
        work = PlanWork(summary, schedule, period, period.end + dt.timedelta(days=schedule.due_days))

        def row(i: ReportItem, plan_id: int = summary.id) -> WorkItem:
            return WorkItem(i, item_url(plan_id, i), deadline_text(i.deadline), by_item.get(i.item_id))

        work.leads = [row(i) for i in leads]
        work.supports = [row(i) for i in supports]
        if leads:
            work.owed = [OwedRow(o, item_url(summary.id, o.item_id))
                         for o in owed_reports(uow, summary.id, period_id=period.id, department=dept, at=at)]
        plans.append(work)
    return Workspace(dept, choices, bool(dept) and user.can_report_for(dept), at, plans)
