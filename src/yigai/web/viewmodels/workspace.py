"""The department workspace, a reporter's home: the to-do first, then what the department leads and supports.

The to-do (待办) is what is owed, returned reports first (any period: the office is waiting
for them), then this period's items not yet submitted, each plan → task → measure with their
titles; what was submitted this period and the lists of led and supported items follow,
folded, so that the page stays short however many items a department leads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from yigai.domain.periods import Period, parse_period
from yigai.domain.plan import PlanDraft
from yigai.domain.reports import ProgressReport, ReviewState, due_date
from yigai.domain.users import Role, User
from yigai.evaluation.results import ItemEvaluation
from yigai.services.items import ReportItem, report_items
from yigai.services.memo import memoised
from yigai.services.plans import get_plan, list_plans
from yigai.services.reminders import OWED_LABELS, OwedItem, owed_reports
from yigai.services.reports import plan_reports
from yigai.services.schedules import plan_schedules
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
    task: str = ""  # the parent task's number and title, for a measure ("" for a task without measures)

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


@dataclass(frozen=True, slots=True)
class TodoItem:
    """One report the department owes: a measure (or a task without measures) for a period."""

    item_id: str
    no: str
    title: str
    period: Period
    due: dt.date
    days_left: int  # negative: overdue by that many days
    state: ReviewState | None  # of the latest version; None: nothing saved
    url: str
    report: ProgressReport | None = None  # the latest version (a returned one carries the office's comment)

    @property
    def label(self) -> str:
        return OWED_LABELS[self.state]


@dataclass(slots=True)
class TodoTask:
    no: str
    title: str
    url: str
    items: list[TodoItem] = field(default_factory=list)


@dataclass(slots=True)
class TodoPlan:
    """A plan's share of the to-do, grouped by task in document order."""

    plan: PlanSummary
    tasks: list[TodoTask] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(t.items) for t in self.tasks)

    @property
    def first(self) -> TodoItem:
        """The earliest due item (this period's items share their period's due day)."""
        return min((i for t in self.tasks for i in t.items), key=lambda i: i.due)


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

    @property
    def received(self) -> list[OwedRow]:
        """This period's reports already submitted (waiting for review) or accepted."""
        return [r for r in self.owed if not r.owed.owed]


@dataclass(slots=True)
class Workspace:
    department: str
    choices: list[str]  # departments the user may look at
    can_write: bool  # the user may report in the department's name
    at: dt.date
    plans: list[PlanWork]
    returned: list[TodoPlan] = field(default_factory=list)  # returned reports, any period: first
    todo: list[TodoPlan] = field(default_factory=list)  # this period's items not yet submitted

    @property
    def returned_count(self) -> int:
        return sum(p.count for p in self.returned)

    @property
    def todo_count(self) -> int:
        return sum(p.count for p in self.todo)


def departments_for(uow: UnitOfWork, user: User) -> list[str]:
    """A department reporter sees its own departments; everyone else every department that leads an item."""
    if user.role is Role.DEPARTMENT_REPORTER:
        return sorted(user.departments)
    names: set[str] = set()
    summaries = list_plans(uow)
    schedules = plan_schedules(uow, [s.id for s in summaries])
    for summary in summaries:
        if summary.id in schedules:
            names.update(n for i in report_items(get_plan(uow, summary.id, shared=True).draft) for n in i.lead)
    return sorted(names)


def workspace(uow: UnitOfWork, user: User, at: dt.date, department: str = "") -> Workspace:
    """The user's work on ``at``: memoised until the next write (reporters open it again and again)."""
    who = (user.username, user.role, tuple(sorted(user.departments)))
    return memoised(uow, ("workspace", who, at, department), lambda: _workspace(uow, user, at, department))


def _workspace(uow: UnitOfWork, user: User, at: dt.date, department: str) -> Workspace:
    choices = departments_for(uow, user)
    dept = department if department in choices else (choices[0] if choices else "")
    plans: list[PlanWork] = []
    drafts: dict[int, tuple[PlanDraft, list[ReportItem], list[ProgressReport]]] = {}
    summaries = list_plans(uow) if dept else []
    schedules = plan_schedules(uow, [s.id for s in summaries])
    for summary in summaries:
        schedule = schedules.get(summary.id)
        if schedule is None:
            continue
        record = get_plan(uow, summary.id, shared=True)
        draft = record.draft
        items = report_items(draft)
        tasks = {t.id: f"{t.no} {t.title or t.text[:40]}".strip() for t in draft.tasks}
        leads = [i for i in items if dept in i.lead]
        supports = [i for i in items if dept in i.cooperating]
        if not leads and not supports:
            continue
        ev = plan_evaluation(uow, summary.id, at)
        by_item = {e.item_id: e for e in ev.items} if ev else {}
        period = current_period(schedule, at)
        work = PlanWork(summary, schedule, period, period.end + dt.timedelta(days=schedule.due_days))

        def row(
            i: ReportItem,
            plan_id: int = summary.id,
            found: dict[str, ItemEvaluation] = by_item,
            titles: dict[str, str] = tasks,
        ) -> WorkItem:
            return WorkItem(
                i,
                item_url(plan_id, i),
                deadline_text(i.deadline),
                found.get(i.item_id),
                "" if i.item_id == i.task_id else titles.get(i.task_id, ""),
            )

        work.leads = [row(i) for i in leads]
        work.supports = [row(i) for i in supports]
        if leads:
            reports = plan_reports(uow, summary.id, shared=True)  # read once for what is owed and for the to-do
            work.owed = [
                OwedRow(o, item_url(summary.id, o.item_id))
                for o in owed_reports(uow, record, period_id=period.id, department=dept, at=at, reports=reports)
            ]
            drafts[summary.id] = (draft, items, reports)
        plans.append(work)
    space = Workspace(dept, choices, bool(dept) and user.can_report_for(dept), at, plans)
    for work in plans:
        if work.leads:
            returned, todo = _todo(work, dept, at, *drafts[work.plan.id])
            space.returned += [returned] if returned.count else []
            space.todo += [todo] if todo.count else []
    space.todo.sort(key=lambda p: p.first.due)  # the most overdue first (a stable sort keeps the rest)
    return space


def _todo(
    work: PlanWork, dept: str, at: dt.date, draft: PlanDraft, items: list[ReportItem], reports: list[ProgressReport]
) -> tuple[TodoPlan, TodoPlan]:
    """The plan's returned reports (any period) and this period's items not yet submitted, by task."""
    plan_id = work.plan.id
    latest: dict[tuple[str, str], ProgressReport] = {}
    for r in reports:
        latest[(r.item_id, r.period_id)] = r
    order = {i.item_id: n for n, i in enumerate(items)}
    known = {i.item_id: i for i in items}
    returned: list[TodoItem] = []
    for (item_id, period_id), r in latest.items():
        if r.state is ReviewState.RETURNED and r.department == dept and item_id in order:
            period = parse_period(period_id)
            due = due_date(period, work.schedule.due_days)
            returned.append(
                TodoItem(item_id, "", "", period, due, (due - at).days, r.state, item_url(plan_id, item_id), r)
            )
    owed = [
        TodoItem(
            o.item_id,
            o.no,
            o.title,
            work.period,
            o.due,
            o.days_left,
            o.state,
            item_url(plan_id, o.item_id),
            latest.get((o.item_id, o.period_id)),
        )
        for o in (r.owed for r in work.owed)
        if o.owed and o.state is not ReviewState.RETURNED
    ]
    returned.sort(key=lambda t: (t.period.start, order[t.item_id]))
    return (
        TodoPlan(work.plan, _by_task(draft, known, plan_id, returned)),
        TodoPlan(work.plan, _by_task(draft, known, plan_id, owed)),
    )


def _by_task(draft: PlanDraft, found: dict[str, ReportItem], plan_id: int, items: list[TodoItem]) -> list[TodoTask]:
    """``items`` under their tasks (in the order given), each with the number and title a person reads."""
    tasks = {t.id: t for t in draft.tasks}
    groups: dict[str, TodoTask] = {}
    for item in items:
        known = found[item.item_id]
        task = tasks[known.task_id]
        group = groups.get(task.id)
        if group is None:
            group = groups[task.id] = TodoTask(task.no, task.title or task.text[:40], item_url(plan_id, task.id))
        is_task = known.item_id == known.task_id
        group.items.append(
            TodoItem(
                item.item_id,
                "" if is_task else known.no,
                "" if is_task else known.title,
                item.period,
                item.due,
                item.days_left,
                item.state,
                item.url,
                item.report,
            )
        )
    return list(groups.values())
