"""A plan's reporting schedule: period type, first and last period, days allowed after period end.

DHIS2's data sets carry the same three settings (period type, open periods,
"days after period end to qualify for timely submission"); here they belong
to the plan, because one plan is reported on by many departments on one rhythm.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from yigai.domain.periods import Period, PeriodError, PeriodType, parse_period, periods_between, span_label
from yigai.domain.users import User
from yigai.services.errors import (
    InvalidInputError,
    PeriodNotEndedError,
    PeriodOutsideScheduleError,
    ScheduleMissingError,
)
from yigai.services.items import require_admin
from yigai.services.plans import find_plan
from yigai.storage.report_repository import ReportingSchedule
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork

MAX_DUE_DAYS = 366
TYPE_LABELS = {
    PeriodType.YEARLY: "年度",
    PeriodType.SIX_MONTHLY: "半年",
    PeriodType.QUARTERLY: "季度",
    PeriodType.MONTHLY: "月度",
}
MAX_PERIODS = 600  # fifty years of months: anything longer is a typing error


def _type(value: PeriodType | str) -> PeriodType:
    if isinstance(value, PeriodType):
        return value
    aliases = {
        "year": PeriodType.YEARLY,
        "annual": PeriodType.YEARLY,
        "年": PeriodType.YEARLY,
        "half": PeriodType.SIX_MONTHLY,
        "半年": PeriodType.SIX_MONTHLY,
        "quarter": PeriodType.QUARTERLY,
        "季度": PeriodType.QUARTERLY,
        "month": PeriodType.MONTHLY,
        "月": PeriodType.MONTHLY,
    }
    text = value.strip().lower().replace("-", "_")
    if text in aliases:
        return aliases[text]
    try:
        return PeriodType(text)
    except ValueError:
        raise InvalidInputError(
            f"unknown period type {value!r}; one of {', '.join(t.value for t in PeriodType)}",
            message_zh=f"未知报告期类型「{value}」（yearly / six_monthly / quarterly / monthly）",
            where="type",
        ) from None


def set_schedule(
    uow: UnitOfWork,
    user: User,
    plan_ref: str | int,
    period_type: PeriodType | str,
    first: str,
    last: str,
    due_days: int = 15,
    *,
    now: dt.datetime | None = None,
) -> ReportingSchedule:
    """Set (or change) the plan's schedule; both ends must be periods of ``period_type``."""
    require_admin(user, "set reporting schedules", "设置报送周期")
    ptype = _type(period_type)
    for name, pid in (("from", first), ("to", last)):
        try:
            period = parse_period(pid)
        except PeriodError as exc:
            exc.where = name
            raise
        if period.type is not ptype:
            raise InvalidInputError(
                f"{name} period {pid} is not a {ptype.value} period",
                message_zh=f"{'开始' if name == 'from' else '结束'}报告期「{period.label}」不是{TYPE_LABELS[ptype]}报告期",
                where=name,
            )
    periods = periods_between(first, last)
    if len(periods) > MAX_PERIODS:
        raise InvalidInputError(
            f"{len(periods)} periods is too many (at most {MAX_PERIODS})",
            message_zh=f"报告期过多（{len(periods)} 个，最多 {MAX_PERIODS} 个）",
            where="to",
        )
    if not 0 <= due_days <= MAX_DUE_DAYS:
        raise InvalidInputError(
            f"due days must be 0-{MAX_DUE_DAYS}, got {due_days}",
            message_zh=f"报送期限天数须在 0-{MAX_DUE_DAYS} 之间",
            where="due_days",
        )
    with uow:
        plan = find_plan(uow, plan_ref)
        before = uow.reports.schedule(plan.id)
        schedule = ReportingSchedule(
            plan.id, ptype, periods[0].id, periods[-1].id, due_days, updated_at=now, updated_by=user.username
        )
        uow.reports.set_schedule(schedule)
        uow.audit.record(
            user.username, "schedule.set", "plan_schedule", str(plan.id), before=before, after=schedule, at=now
        )
        uow.commit()
        return uow.reports.schedule(plan.id) or schedule


def require_schedule(uow: UnitOfWork, plan_id: int) -> ReportingSchedule:
    """The plan's schedule (inside an open unit of work), or a message saying how to set one."""
    schedule = uow.reports.schedule(plan_id)
    if schedule is None:
        raise ScheduleMissingError(
            f"plan {plan_id} has no reporting schedule; set one with "
            f"`yigai schedule {plan_id} --type quarterly --from 2021Q3 --to 2023Q4`",
            message_zh=f"计划 {plan_id} 尚未设置报送周期（用 yigai schedule 设置）",
            where="plan",
        )
    return schedule


def schedule_period(schedule: ReportingSchedule, period_id: str) -> Period:
    """``period_id`` as one of the schedule's periods; refused with a message otherwise."""
    try:
        period = parse_period(period_id)
    except PeriodError as exc:
        exc.where = "period"
        raise
    if not schedule.covers(period):
        raise PeriodOutsideScheduleError(
            f"period {period.id} is not one of this plan's reporting periods "
            f"({schedule.type.value} {schedule.first}–{schedule.last})",
            message_zh=f"报告期「{period.label}」不在本计划的报送期内（{span_label(schedule.first, schedule.last)}）",
            where="period",
        )
    return period


def due_periods(schedule: ReportingSchedule, today: dt.date) -> list[Period]:
    """The schedule's periods that have ended by ``today`` (office time): those a bulletin can be about."""
    return [p for p in schedule.periods if p.ended_by(today)]


def ended_period(schedule: ReportingSchedule, period_id: str, today: dt.date) -> Period:
    """One of the schedule's periods that has ended; refused with the periods that can be chosen otherwise."""
    period = schedule_period(schedule, period_id)
    if not period.ended_by(today):
        due = due_periods(schedule, today)
        latest = f"；最近已结束的报告期为{due[-1].label}" if due else "；本计划尚无已结束的报告期"
        raise PeriodNotEndedError(
            f"period {period.id} has not ended yet (it ends {period.end.isoformat()}, today is {today.isoformat()})"
            + (f"; the latest ended period is {due[-1].id}" if due else ""),
            message_zh=f"报告期「{period.label}」尚未结束（{period.end.year}年{period.end.month}月{period.end.day}日结束）"
            + latest,
            where="period",
        )
    return period


def get_schedule(uow: UnitOfWork, plan_ref: str | int) -> ReportingSchedule:
    with uow:
        return require_schedule(uow, find_plan(uow, plan_ref, shared=True).id)


def list_periods(uow: UnitOfWork, plan_ref: str | int) -> list[Period]:
    return get_schedule(uow, plan_ref).periods


def find_schedule(uow: UnitOfWork, plan_id: int) -> ReportingSchedule | None:
    """The plan's reporting schedule, or None while it has none (not yet under supervision)."""
    with uow:
        return uow.reports.schedule(plan_id)


def plan_schedules(uow: UnitOfWork, plan_ids: Iterable[int]) -> dict[int, ReportingSchedule]:
    """The schedules of those of ``plan_ids`` that have one, read in one unit of work."""
    with uow:
        return {pid: s for pid in plan_ids if (s := uow.reports.schedule(pid)) is not None}


def supervised_plans(uow: UnitOfWork, summaries: list[PlanSummary]) -> list[PlanSummary]:
    """The plans under supervision (with a reporting schedule), the most reported-on first."""
    with uow:
        counts = {p.id: uow.reports.count_for_plan(p.id) for p in summaries if uow.reports.schedule(p.id) is not None}
    return sorted((p for p in summaries if p.id in counts), key=lambda p: (-counts[p.id], p.id))
