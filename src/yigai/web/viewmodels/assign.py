"""Departments for many items of a published plan at once: the tasks no department leads first.

Each task is a row with its measures under it; a task is ``needs_lead`` when one of its
reportable items (a measure, or the task itself without measures) has no lead department,
and nobody can report on it until one is assigned (``services.assignment``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yigai.domain.plan import Measure, Task
from yigai.services.assignment import DepartmentOption, department_options, unassigned_items, unassigned_tasks
from yigai.services.items import report_items
from yigai.services.plans import get_plan, get_summary
from yigai.services.reports import count_reports
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork


@dataclass(slots=True)
class AssignRow:
    id: str
    kind: str  # task | measure
    no: str
    title: str
    lead: list[str]
    cooperating: list[str]
    needs_lead: bool
    measures: list[AssignRow] = field(default_factory=list)


@dataclass(slots=True)
class AssignPage:
    summary: PlanSummary
    unassigned: list[AssignRow]  # tasks with an item no department leads
    assigned: list[AssignRow]
    items: int  # reportable items
    items_without_lead: int
    reports: int  # progress report versions of the plan (kept as they are)
    departments: list[DepartmentOption]
    selected: set[str] = field(default_factory=set)


def _row(thing: Task | Measure, needs_lead: bool) -> AssignRow:
    resp = thing.responsibility
    title = thing.title if isinstance(thing, Task) else thing.text
    return AssignRow(
        thing.id,
        "task" if isinstance(thing, Task) else "measure",
        thing.no,
        title,
        [r.name for r in resp.lead],
        [r.name for r in resp.cooperating],
        needs_lead,
    )


def assign_page(uow: UnitOfWork, plan_id: int) -> AssignPage:
    summary = get_summary(uow, plan_id)
    draft = get_plan(uow, plan_id).draft
    reports = count_reports(uow, plan_id)
    without = set(unassigned_tasks(draft))
    item_gaps = set(unassigned_items(draft))
    rows = []
    for task in draft.tasks:
        row = _row(task, task.id in without)
        row.measures = [_row(m, m.id in item_gaps) for m in task.measures]
        rows.append(row)
    return AssignPage(
        summary,
        [r for r in rows if r.needs_lead],
        [r for r in rows if not r.needs_lead],
        len(report_items(draft)),
        len(item_gaps),
        reports,
        department_options(uow, draft.meta),
    )
