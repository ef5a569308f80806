"""Reminders (催报): what each lead department owes for a period, and how late it is.

An item is owed every period of the schedule until a report saying 已完成 has
been accepted in an earlier period. A report counts as received once
submitted; drafts and returned reports are still owed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yigai import clock
from yigai.domain.periods import Period, parse_period
from yigai.domain.reports import ProgressReport, ProgressStatus, ReviewState, Timeliness, due_date, timeliness
from yigai.services.departments import resolve_department
from yigai.services.items import report_items
from yigai.services.plans import find_plan
from yigai.services.schedules import require_schedule, schedule_period
from yigai.storage.repository import PlanRecord
from yigai.storage.uow import UnitOfWork

DUE_SOON_DAYS = 7

OWED_LABELS = {
    None: "未填报",
    ReviewState.DRAFT: "草稿未提交",
    ReviewState.RETURNED: "已退回待修改",
    ReviewState.SUBMITTED: "已提交待审核",
    ReviewState.ACCEPTED: "已采纳",
}


@dataclass(frozen=True, slots=True)
class OwedItem:
    department: str
    item_id: str
    task_id: str
    no: str
    title: str
    period_id: str
    due: dt.date
    days_left: int  # negative: overdue by that many days
    state: ReviewState | None  # of the latest version; None: nothing saved
    timeliness: Timeliness
    owed: bool  # still to be submitted (or resubmitted)

    @property
    def label(self) -> str:
        return OWED_LABELS[self.state]

    @property
    def due_soon(self) -> bool:
        return self.owed and 0 <= self.days_left <= DUE_SOON_DAYS


def _submitted_at(versions: list[ProgressReport]) -> dt.datetime | None:
    """When the report currently standing was submitted (a returned one no longer stands)."""
    latest = versions[-1]
    return latest.submitted_at if latest.state in (ReviewState.SUBMITTED, ReviewState.ACCEPTED) else None


def _latest_period_due(periods: list[Period], day: dt.date) -> Period:
    ended = [p for p in periods if p.end <= day]  # as the evaluation engine counts an ended period
    return ended[-1] if ended else periods[0]


def owed_reports(
    uow: UnitOfWork,
    plan_ref: str | int | PlanRecord,
    *,
    period_id: str | None = None,
    department: str | None = None,
    at: dt.date | None = None,
    reports: list[ProgressReport] | None = None,
) -> list[OwedItem]:
    """Each lead department × item for the period (default: the last period ended by ``at``).

    A page that shows the plan and its reports too passes them (``plan_ref`` the plan read, ``reports``).
    """
    day = at or clock.now().date()
    with uow:
        plan = plan_ref if isinstance(plan_ref, PlanRecord) else find_plan(uow, plan_ref)
        schedule = require_schedule(uow, plan.id)
        period = schedule_period(schedule, period_id) if period_id else _latest_period_due(schedule.periods, day)
        dept = resolve_department(uow, department, plan.draft.meta.region) if department else None
        if reports is None:
            reports = uow.reports.for_plan(plan.id, shared=True)
    by_key: dict[tuple[str, str], list[ProgressReport]] = {}
    for r in reports:
        by_key.setdefault((r.item_id, r.period_id), []).append(r)
    completed_before = {
        r.item_id
        for r in reports
        if r.state is ReviewState.ACCEPTED
        and r.status is ProgressStatus.COMPLETED
        and parse_period(r.period_id).end < period.start
    }
    due = due_date(period, schedule.due_days)
    rows: list[OwedItem] = []
    for item in report_items(plan.draft):
        if item.item_id in completed_before:
            continue
        versions = by_key.get((item.item_id, period.id), [])
        state = versions[-1].state if versions else None
        submitted = _submitted_at(versions) if versions else None
        when = timeliness(submitted, period, schedule.due_days, day)
        owed = state not in (ReviewState.SUBMITTED, ReviewState.ACCEPTED)
        for lead in item.lead:
            if dept is None or lead == dept:
                rows.append(
                    OwedItem(
                        lead,
                        item.item_id,
                        item.task_id,
                        item.no,
                        item.title,
                        period.id,
                        due,
                        (due - day).days,
                        state,
                        when,
                        owed,
                    )
                )
    return rows
