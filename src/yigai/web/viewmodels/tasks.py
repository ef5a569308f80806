"""The task and measure page: provenance in the source text, status, report history, the forms a user may use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from yigai.domain.errors import NotFoundError
from yigai.domain.periods import Period, PeriodError, parse_period
from yigai.domain.plan import Measure, PlanDraft, Target, Task
from yigai.domain.reports import ProgressReport, ProgressStatus, ReviewState, due_date
from yigai.domain.users import User
from yigai.evaluation.results import ItemEvaluation, TargetEvaluation
from yigai.reports.bulletin_data import target_text
from yigai.services.items import ReportItem, report_items, visible_reports
from yigai.services.plans import get_plan
from yigai.services.reports import item_reports
from yigai.services.schedules import find_schedule
from yigai.storage.report_repository import ReportingSchedule
from yigai.storage.uow import UnitOfWork
from yigai.web.viewmodels.common import deadline_text, item_url, plan_evaluation, status_css, status_label
from yigai.web.viewmodels.highlight import Excerpt, excerpts, item_marks
from yigai.web.viewmodels.history import PeriodHistory, period_histories


@dataclass(slots=True)
class MeasureRow:
    id: str
    no: str
    text: str
    lead: tuple[str, ...]
    deadline: str
    evaluation: ItemEvaluation | None
    url: str

    @property
    def status_label(self) -> str:
        return status_label(self.evaluation.status if self.evaluation else None)

    @property
    def status_css(self) -> str:
        return status_css(self.evaluation.status if self.evaluation else None)


@dataclass(slots=True)
class TargetRow:
    index: int
    target: Target
    text: str
    evaluation: TargetEvaluation | None


@dataclass(slots=True)
class ReportForm:
    """What the submit form offers this user for this item (empty lists: no form)."""

    periods: list[Period]
    period: Period | None
    due: dt.date | None
    lead_departments: list[str]  # the user may report in these names
    cooperating_departments: list[str]  # the user may add a contribution in these names
    prefill: ProgressReport | None
    statuses: list[str] = field(default_factory=lambda: [s.value for s in ProgressStatus])
    locked: bool = False  # the period's report is accepted (final) or submitted (awaiting review)
    can_review: bool = False  # office admin, and the latest version is submitted
    can_resubmit: bool = False
    latest: ProgressReport | None = None


@dataclass(slots=True)
class TaskPage:
    plan_id: int
    draft: PlanDraft
    task: Task
    measure: Measure | None
    item: ReportItem | None  # what reports are filed on, when this page is one
    evaluation: ItemEvaluation | None
    at: dt.date
    schedule: ReportingSchedule | None
    excerpts: list[Excerpt]
    measures: list[MeasureRow]
    targets: list[TargetRow]
    history: list[PeriodHistory]
    form: ReportForm | None
    lead: tuple[str, ...]
    cooperating: tuple[str, ...]
    deadline: str
    categories: tuple[str, ...]

    @property
    def title(self) -> str:
        if self.measure is not None:
            return f"{self.measure.no} {self.measure.text}".strip()
        return self.task.title or self.task.text[:60]

    @property
    def status_label(self) -> str:
        return status_label(self.evaluation.status if self.evaluation else None)

    @property
    def status_css(self) -> str:
        return status_css(self.evaluation.status if self.evaluation else None)


def _locate(draft: PlanDraft, item_id: str) -> tuple[Task, Measure | None]:
    for task in draft.tasks:
        if task.id == item_id:
            return task, None
        for m in task.measures:
            if m.id == item_id:
                return task, m
    raise NotFoundError(
        f"no task or measure {item_id!r} in this plan", message_zh=f"计划中没有任务或措施「{item_id}」", where="item"
    )


def current_period(schedule: ReportingSchedule, day: dt.date) -> Period:
    """The period a department reports on at ``day``: the last one ended (as reminders count), else the first."""
    periods = schedule.periods
    ended = [p for p in periods if p.end <= day]
    return ended[-1] if ended else periods[0]


def _form(
    user: User, item: ReportItem, schedule: ReportingSchedule, period: Period, reports: list[ProgressReport]
) -> ReportForm:
    versions = sorted((r for r in reports if r.period_id == period.id), key=lambda r: r.version)
    latest = versions[-1] if versions else None
    earlier = sorted(
        (r for r in reports if r.period_id != period.id and r.period_id < period.id),
        key=lambda r: (r.period_id, r.version),
    )
    prefill = latest or (earlier[-1] if earlier else None)
    locked = latest is not None and latest.state in (ReviewState.SUBMITTED, ReviewState.ACCEPTED)
    lead = [d for d in item.lead if user.can_report_for(d)]
    coop = [d for d in item.cooperating if user.can_report_for(d)] if not locked else []
    return ReportForm(
        periods=schedule.periods,
        period=period,
        due=due_date(period, schedule.due_days),
        lead_departments=lead if not locked else [],
        cooperating_departments=coop,
        prefill=prefill,
        locked=locked,
        can_review=user.can_review and latest is not None and latest.state is ReviewState.SUBMITTED,
        can_resubmit=bool(lead) and latest is not None and latest.state is ReviewState.RETURNED,
        latest=latest,
    )


def _period_id(text: str | None) -> str | None:
    """The id of a period from the address (``2023Q4`` or as people write it); None when there is none."""
    try:
        return parse_period(text).id if text else None
    except PeriodError:
        return None


def task_page(
    uow: UnitOfWork, user: User, plan_id: int, item_id: str, at: dt.date, period_id: str | None = None
) -> TaskPage:
    draft = get_plan(uow, plan_id, shared=True).draft
    task, measure = _locate(draft, item_id)
    schedule = find_schedule(uow, plan_id)
    stored = item_reports(uow, plan_id, item_id)
    ev = plan_evaluation(uow, plan_id, at) if schedule is not None else None
    by_item = {i.item_id: i for i in ev.items} if ev else {}
    items = {i.item_id: i for i in report_items(draft)}
    item = items.get(item_id)
    reports = visible_reports(user, item, stored)
    measures = (
        [
            MeasureRow(
                m.id,
                m.no,
                m.text,
                items[m.id].lead,
                deadline_text(items[m.id].deadline),
                by_item.get(m.id),
                item_url(plan_id, m.id),
            )
            for m in task.measures
        ]
        if measure is None
        else []
    )
    target_evs = {t.index: t for t in ev.targets} if ev else {}
    targets = [
        TargetRow(i, t, target_text(t), target_evs.get(i)) for i, t in enumerate(draft.targets) if t.task == task.id
    ]
    form = None
    if item is not None and schedule is not None:
        asked = _period_id(period_id)
        period = next((p for p in schedule.periods if p.id == asked), None) or current_period(schedule, at)
        form = _form(user, item, schedule, period, reports)
    if item is not None:
        lead, coop, deadline = item.lead, item.cooperating, deadline_text(item.deadline)
    else:
        lead = tuple(dict.fromkeys(r.name for r in task.responsibility.lead))
        coop = tuple(dict.fromkeys(r.name for r in task.responsibility.cooperating))
        deadline = deadline_text(task.deadline)
    cats = tuple(c.value for c in (measure.categories if measure and measure.categories else task.categories))
    return TaskPage(
        plan_id=plan_id,
        draft=draft,
        task=task,
        measure=measure,
        item=item,
        evaluation=by_item.get(item_id),
        at=at,
        schedule=schedule,
        excerpts=excerpts(draft.source_text, item_marks(draft, task, measure)),
        measures=measures,
        targets=targets,
        history=period_histories(reports),
        form=form,
        lead=lead,
        cooperating=coop,
        deadline=deadline,
        categories=cats,
    )
