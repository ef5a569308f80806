"""What a plan asks departments to report on, and who may do what.

A report is owed per *item*: each measure, or the task itself when it has no
measures (the issue's rule). A measure that names no department of its own
inherits its task's lead and cooperating departments, as the documents intend
when a responsibility clause closes a whole task.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from yigai.domain.plan import Deadline, DeadlineKind, Measure, PlanDraft, Responsibility, Task
from yigai.domain.reports import ProgressReport, ReviewState
from yigai.domain.users import ROLE_LABELS, User
from yigai.services.errors import PermissionDeniedError, UnknownItemError


@dataclass(frozen=True, slots=True)
class ReportItem:
    item_id: str  # measure id ("T4.M2") or task id ("T4")
    task_id: str
    no: str  # as printed: "（三）" for a task, "3." for a measure
    title: str  # task title, or the measure's text
    section: str  # outermost section title, for grouping
    lead: tuple[str, ...]
    cooperating: tuple[str, ...]
    deadline: Deadline


def _names(resp: Responsibility, fallback: Responsibility | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    lead = [r.name for r in resp.lead] or ([r.name for r in fallback.lead] if fallback else [])
    coop = [r.name for r in resp.cooperating]
    if not resp.lead and not resp.cooperating and fallback:
        coop = [r.name for r in fallback.cooperating]
    return tuple(dict.fromkeys(lead)), tuple(n for n in dict.fromkeys(coop) if n not in lead)


def report_items(draft: PlanDraft) -> list[ReportItem]:
    """Every reportable item of a plan, in document order."""
    return [item for task in draft.tasks for item in _task_items(task)]


def _task_items(task: Task) -> list[ReportItem]:
    section = task.path[0] if task.path else ""
    if not task.measures:
        lead, coop = _names(task.responsibility)
        return [ReportItem(task.id, task.id, task.no, task.title, section, lead, coop, task.deadline)]
    items = []
    for m in task.measures:
        lead, coop = _names(m.responsibility, task.responsibility)
        deadline = task.deadline if m.deadline.kind is DeadlineKind.UNSPECIFIED else m.deadline
        items.append(ReportItem(m.id, task.id, m.no, m.text, section, lead, coop, deadline))
    return items


def locate(draft: PlanDraft, item_id: str) -> tuple[Task, Measure | None] | None:
    """The one lookup of an id in a plan: ``T4`` → (task, None), ``T4.M2`` → (task, measure); None if absent."""
    for task in draft.tasks:
        if item_id == task.id:
            return task, None
        for measure in task.measures:
            if measure.id == item_id:
                return task, measure
    return None


def find_thing(draft: PlanDraft, item_id: str, *, in_draft: bool = False, where: str = "items") -> Task | Measure:
    """The task or measure with this id (``T4``, ``T4.M2``); ``where`` names the field in the error."""
    found = locate(draft, item_id)
    if found is None:
        what, what_zh = ("draft", "草稿") if in_draft else ("plan", "计划")
        raise UnknownItemError(
            f"no task or measure {item_id!r} in this {what}",
            message_zh=f"{what_zh}中没有任务或措施「{item_id}」",
            where=where,
        )
    return found[1] or found[0]


def find_item(draft: PlanDraft, item_id: str) -> ReportItem:
    """The reportable item with this id: a measure, or a task without measures."""
    found = locate(draft, item_id)
    if found is not None:
        for item in _task_items(found[0]):
            if item.item_id == item_id:
                return item
    hint = "；该任务有具体措施，请按措施填报（如 T4.M1）" if found else ""
    hint_en = "; that task has measures: report per measure (e.g. T4.M1)" if found else ""
    raise UnknownItemError(
        f"no task or measure {item_id!r} in this plan{hint_en}; `yigai show PLAN --tasks` lists them",
        message_zh=f"计划中没有任务或措施「{item_id}」{hint}（用 yigai show PLAN --tasks 查看）",
        where="item",
    )


def require_admin(user: User, what: str, what_zh: str) -> None:
    """Only the reform office manages plans, schedules, users, catalogues and reviews."""
    if not user.can_review:
        raise PermissionDeniedError(
            f"{user.username} ({user.role.value}) may not {what}; only an office admin may",
            message_zh=f"用户 {user.username}（{ROLE_LABELS[user.role]}）无权{what_zh}，仅医改办管理员可操作",
            where="user",
        )


def require_reporter(user: User, department: str) -> None:
    if not user.can_report_for(department):
        raise PermissionDeniedError(
            f"{user.username} ({user.role.value}) may not report for {department}",
            message_zh=f"用户 {user.username}（{ROLE_LABELS[user.role]}）无权以「{department}」名义填报",
            where="user",
        )


def visible_reports(user: User, item: ReportItem | None, reports: Iterable[ProgressReport]) -> list[ProgressReport]:
    """The versions ``user`` may read: an unsubmitted draft only by the departments that write it and the office.

    The item's lead and cooperating departments write its report (co-leads share one thread, cooperating
    departments add their input to the draft); everyone else sees the submitted and reviewed versions only.
    """
    writers = (*item.lead, *item.cooperating) if item is not None else ()
    return [r for r in reports if r.state is not ReviewState.DRAFT or user.sees_drafts_of((*writers, r.department))]
