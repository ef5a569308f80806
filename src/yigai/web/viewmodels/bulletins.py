"""The bulletins page: pick a plan and a period, see what the bulletin will say, download it."""

from __future__ import annotations

from dataclasses import dataclass

from yigai.domain.periods import Period
from yigai.reports.bulletin_data import BulletinData
from yigai.services.bulletins import FORMATS, bulletin_data
from yigai.services.plans import list_plans
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork
from yigai.web.viewmodels.common import scheduled_plans, today
from yigai.web.viewmodels.tasks import current_period

FORMAT_LABELS = {"docx": "Word（DOCX）", "xlsx": "Excel（XLSX）", "html": "网页（HTML）"}


@dataclass(slots=True)
class BulletinPage:
    plans: list[PlanSummary]  # with a reporting schedule
    plan: PlanSummary | None
    periods: list[Period]
    period: Period | None
    data: BulletinData | None
    formats: list[tuple[str, str]]


def bulletin_page(uow: UnitOfWork, plan_id: int | None, period_id: str | None) -> BulletinPage:
    scheduled = scheduled_plans(uow, list_plans(uow))
    with uow:
        schedules = {p.id: s for p in scheduled if (s := uow.reports.schedule(p.id)) is not None}
    plan = next((p for p in scheduled if p.id == plan_id), None) or (scheduled[0] if scheduled else None)
    formats = [(f, FORMAT_LABELS[f]) for f in FORMATS]
    if plan is None:
        return BulletinPage(scheduled, None, [], None, None, formats)
    schedule = schedules[plan.id]
    periods = schedule.periods
    period = next((p for p in periods if p.id == period_id), None) or current_period(schedule, today())
    return BulletinPage(scheduled, plan, periods, period, bulletin_data(uow, plan.id, period.id), formats)
