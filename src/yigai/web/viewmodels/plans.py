"""The plans list and the plan page: section tree, tasks with status chips, filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from yigai.domain.plan import PlanDraft, Section, Task
from yigai.evaluation.results import ITEM_STATUS_LABELS, ItemEvaluation, ItemStatus, PlanEvaluation
from yigai.reports.bulletin_data import STATUS_ORDER
from yigai.services.evaluate import PLAN_ENTITIES
from yigai.services.items import ReportItem, report_items
from yigai.services.memo import memoised
from yigai.services.plans import get_plan, get_summary, list_plans
from yigai.services.schedules import find_schedule, plan_schedules
from yigai.storage.report_repository import ReportingSchedule
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork
from yigai.web.viewmodels.common import (
    categories_of,
    deadline_bucket,
    deadline_text,
    item_url,
    plan_evaluation,
    status_css,
    status_label,
    worst,
)

CATEGORIES = ("措施类", "政策类", "指标类")


@dataclass(slots=True)
class PlanListRow:
    summary: PlanSummary
    schedule: ReportingSchedule | None
    completion_rate: float | None
    score: float | None


def plans_list(uow: UnitOfWork, at: dt.date) -> list[PlanListRow]:
    """Every plan; those with a reporting schedule with their completion rate and score at ``at``."""
    rows = []
    summaries = list_plans(uow)
    schedules = plan_schedules(uow, [s.id for s in summaries])
    for summary in summaries:
        schedule = schedules.get(summary.id)
        ev = plan_evaluation(uow, summary.id, at) if schedule is not None else None
        rows.append(PlanListRow(summary, schedule, ev.completion_rate if ev else None, ev.score if ev else None))
    return rows


@dataclass(slots=True)
class ItemRow:
    item_id: str
    no: str
    title: str
    lead: tuple[str, ...]
    cooperating: tuple[str, ...]
    deadline: str
    categories: tuple[str, ...]
    status: ItemStatus | None
    percent: float | None
    reason: str
    url: str

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def status_css(self) -> str:
        return status_css(self.status)


@dataclass(slots=True)
class TaskRow:
    id: str
    no: str
    title: str
    url: str
    lead: tuple[str, ...]
    cooperating: tuple[str, ...]
    deadline: str
    categories: tuple[str, ...]
    items: list[ItemRow]
    has_measures: bool
    status: ItemStatus | None = None
    score: float | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def status_css(self) -> str:
        return status_css(self.status)


@dataclass(slots=True)
class SectionNode:
    id: str
    marker: str
    title: str
    level: int
    children: list[SectionNode] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)

    @property
    def task_count(self) -> int:
        return len(self.tasks) + sum(c.task_count for c in self.children)


@dataclass(slots=True)
class Filters:
    department: str = ""
    status: str = ""
    category: str = ""
    deadline: str = ""

    @property
    def active(self) -> bool:
        return any((self.department, self.status, self.category, self.deadline))

    def query(self) -> str:
        from urllib.parse import urlencode

        return urlencode(
            {
                k: v
                for k, v in (
                    ("department", self.department),
                    ("status", self.status),
                    ("category", self.category),
                    ("deadline", self.deadline),
                )
                if v
            }
        )


@dataclass(slots=True)
class FilterOptions:
    departments: list[str]
    statuses: list[tuple[str, str]]  # value, label
    categories: list[str]
    deadlines: list[tuple[str, str]]


@dataclass(slots=True)
class PlanPage:
    summary: PlanSummary
    draft: PlanDraft
    schedule: ReportingSchedule | None
    evaluation: PlanEvaluation | None
    at: dt.date
    tree: list[SectionNode]
    loose: list[TaskRow]  # tasks outside every section
    filters: Filters
    options: FilterOptions
    shown_items: int
    total_items: int
    status_counts: list[tuple[str, str, int]]  # css, label, count
    without_lead: int = 0  # reportable items no department leads: nobody can report on them


def _item_row(plan_id: int, item: ReportItem, ev: ItemEvaluation | None, categories: tuple[str, ...]) -> ItemRow:
    return ItemRow(
        item.item_id,
        item.no,
        item.title,
        item.lead,
        item.cooperating,
        deadline_text(item.deadline),
        categories,
        ev.status if ev else None,
        ev.percent if ev else None,
        ev.reason if ev else "",
        item_url(plan_id, item),
    )


def _matches(row: ItemRow, item: ReportItem, f: Filters) -> bool:
    if f.department and f.department not in (*row.lead, *row.cooperating):
        return False
    if f.status and (row.status.value if row.status else "none") != f.status:
        return False
    if f.category and f.category not in row.categories:
        return False
    return not f.deadline or deadline_bucket(item.deadline) == f.deadline


def _task_rows(plan_id: int, draft: PlanDraft, ev: PlanEvaluation | None, f: Filters) -> tuple[list[TaskRow], int]:
    by_item = {i.item_id: i for i in ev.items} if ev else {}
    items_by_task: dict[str, list[ReportItem]] = {}
    for item in report_items(draft):
        items_by_task.setdefault(item.task_id, []).append(item)
    measures = {m.id: m for t in draft.tasks for m in t.measures}
    rows, shown = [], 0
    for task in draft.tasks:
        all_rows = []
        for item in items_by_task.get(task.id, []):
            m = measures.get(item.item_id)
            cats = categories_of(m.categories if m and m.categories else task.categories)
            row = _item_row(plan_id, item, by_item.get(item.item_id), cats)
            if _matches(row, item, f):
                all_rows.append(row)
        if not all_rows:
            continue
        shown += len(all_rows)
        status = worst([r.status for r in all_rows if r.status is not None]) if ev else None
        rows.append(
            TaskRow(
                task.id,
                task.no,
                task.title or task.text[:40],
                item_url(plan_id, task.id),
                tuple(dict.fromkeys(r.name for r in task.responsibility.lead)),
                tuple(dict.fromkeys(r.name for r in task.responsibility.cooperating)),
                deadline_text(task.deadline),
                categories_of(task.categories),
                all_rows,
                bool(task.measures),
                status,
                ev.task_scores.get(task.id) if ev else None,
            )
        )
    return rows, shown


def _is_own_heading(section: Section, tasks: list[TaskRow], draft_tasks: dict[str, Task]) -> bool:
    """A leaf section that is nothing but one task's heading (1. 完善…机制): shown as the task."""
    return not section.children and len(tasks) == 1 and draft_tasks[tasks[0].id].title == section.title


def _tree(sections: list[Section], rows: list[TaskRow], draft: PlanDraft) -> tuple[list[SectionNode], list[TaskRow]]:
    section_of = {t.id: t.section_id for t in draft.tasks}
    by_section: dict[str | None, list[TaskRow]] = {}
    for row in rows:
        by_section.setdefault(section_of.get(row.id), []).append(row)
    draft_tasks = {t.id: t for t in draft.tasks}
    placed: set[str] = set()

    def build(section: Section) -> SectionNode | list[TaskRow] | None:
        own = by_section.get(section.id, [])
        if _is_own_heading(section, own, draft_tasks):
            placed.add(own[0].id)
            return own
        node = SectionNode(section.id, section.marker, section.title, section.level)
        for child in section.children:
            built = build(child)
            if isinstance(built, list):
                node.tasks.extend(built)
            elif built is not None:
                node.children.append(built)
        node.tasks.extend(own)
        placed.update(r.id for r in own)
        return node if node.task_count else None

    tree: list[SectionNode] = []
    for s in sections:
        built = build(s)
        if isinstance(built, SectionNode):
            tree.append(built)
        elif isinstance(built, list):
            tree.append(SectionNode(s.id, s.marker, s.title, s.level, tasks=built))
    loose = [r for r in rows if r.id not in placed]
    return tree, loose


def filter_options(draft: PlanDraft, has_schedule: bool) -> FilterOptions:
    items = report_items(draft)
    departments = sorted({n for i in items for n in (*i.lead, *i.cooperating)})
    statuses = [(s.value, ITEM_STATUS_LABELS[s]) for s in STATUS_ORDER] if has_schedule else []
    years = sorted({deadline_bucket(i.deadline) for i in items} - {"undated"})
    deadlines = [(y, f"{y}年") for y in years] + [("undated", "持续实施等无具体日期")]
    return FilterOptions(departments, statuses, list(CATEGORIES), deadlines)


def plan_page(uow: UnitOfWork, plan_id: int, at: dt.date, filters: Filters) -> PlanPage:
    """The plan's page, memoised until a write that concerns this plan (a report on another plan leaves it)."""
    key = ("plan page", plan_id, at, filters.department, filters.status, filters.category, filters.deadline)
    return memoised(uow, key, lambda: _plan_page(uow, plan_id, at, filters), plan=plan_id, plan_entities=PLAN_ENTITIES)


def _plan_page(uow: UnitOfWork, plan_id: int, at: dt.date, filters: Filters) -> PlanPage:
    summary = get_summary(uow, plan_id)
    record = get_plan(uow, plan_id, shared=True)
    schedule = find_schedule(uow, plan_id)
    ev = plan_evaluation(uow, plan_id, at) if schedule is not None else None
    rows, shown = _task_rows(plan_id, record.draft, ev, filters)
    tree, loose = _tree(record.draft.sections, rows, record.draft)
    counts = []
    if ev is not None:
        counts = [(status_css(s), ITEM_STATUS_LABELS[s], ev.counts.get(s, 0)) for s in STATUS_ORDER]
    return PlanPage(
        summary,
        record.draft,
        schedule,
        ev,
        at,
        tree,
        loose,
        filters,
        filter_options(record.draft, schedule is not None),
        shown,
        len(report_items(record.draft)),
        counts,
        sum(1 for i in report_items(record.draft) if not i.lead),
    )
