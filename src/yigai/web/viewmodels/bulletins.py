"""The bulletins page: pick a plan and a period, see what the bulletin will say, download it.

Only the schedule's periods that have ended (office time) are offered; any other period typed
into the address is refused with a message, never shown under another period's title.
"""

from __future__ import annotations

from dataclasses import dataclass

from yigai.domain.errors import YigaiError
from yigai.domain.periods import Period
from yigai.reports.bulletin_data import BulletinData
from yigai.services.bulletins import FORMATS, bulletin_data
from yigai.services.plans import list_plans
from yigai.services.schedules import due_periods, ended_period, plan_schedules, supervised_plans
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork
from yigai.web.viewmodels.common import today

FORMAT_LABELS = {"docx": "Word（DOCX）", "xlsx": "Excel（XLSX）", "html": "网页（HTML）"}


@dataclass(slots=True)
class BulletinPage:
    plans: list[PlanSummary]  # with a reporting schedule
    plan: PlanSummary | None
    periods: list[Period]  # the plan's periods that have ended
    period: Period | None
    data: BulletinData | None
    formats: list[tuple[str, str]]
    error: str = ""  # why the period asked for has no bulletin
    status: int = 200


def bulletin_page(uow: UnitOfWork, plan_id: int | None, period_id: str | None) -> BulletinPage:
    scheduled = supervised_plans(uow, list_plans(uow))
    schedules = plan_schedules(uow, [p.id for p in scheduled])
    plan = next((p for p in scheduled if p.id == plan_id), None) or (scheduled[0] if scheduled else None)
    formats = [(f, FORMAT_LABELS[f]) for f in FORMATS]
    if plan is None:
        return BulletinPage(scheduled, None, [], None, None, formats)
    schedule, day = schedules[plan.id], today()
    due = due_periods(schedule, day)
    try:
        period = ended_period(schedule, period_id, day) if period_id else (due[-1] if due else None)
    except YigaiError as exc:
        return BulletinPage(scheduled, plan, due, None, None, formats, exc.message_zh, 422)
    if period is None:
        first = schedule.periods[0]
        return BulletinPage(
            scheduled,
            plan,
            due,
            None,
            None,
            formats,
            f"本计划的第一个报告期（{first.label}）尚未结束，结束后即可生成通报。",
        )
    return BulletinPage(scheduled, plan, due, period, bulletin_data(uow, plan.id, period.id, today=day), formats)
