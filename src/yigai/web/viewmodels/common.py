"""Helpers every view model shares: the evaluation date, a plan's evaluation, labels and chip colours."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from yigai import clock
from yigai.domain.errors import YigaiError
from yigai.domain.plan import Category, Deadline, DeadlineKind
from yigai.evaluation.results import ITEM_STATUS_LABELS, ItemStatus, PlanEvaluation
from yigai.services.errors import InvalidInputError, ScheduleMissingError
from yigai.services.evaluate import evaluate_plan
from yigai.services.items import ReportItem
from yigai.storage.uow import UnitOfWork

# Worst first: a task shows the status of its worst item.
SEVERITY = (
    ItemStatus.OVERDUE,
    ItemStatus.AT_RISK,
    ItemStatus.NOT_REPORTED,
    ItemStatus.NOT_STARTED,
    ItemStatus.ON_TRACK,
    ItemStatus.COMPLETED,
)
STATUS_CSS = {
    ItemStatus.COMPLETED: "done",
    ItemStatus.ON_TRACK: "ok",
    ItemStatus.AT_RISK: "risk",
    ItemStatus.OVERDUE: "late",
    ItemStatus.NOT_REPORTED: "missing",
    ItemStatus.NOT_STARTED: "idle",
}
UNSUPERVISED = "未纳入督办"  # the plan has no reporting schedule yet


def today() -> dt.date:
    return clock.now().date()


def parse_day(raw: str | None, default: dt.date | None = None) -> dt.date:
    """``2023-12-31`` → date; empty → ``default`` (today); refused with the field named otherwise."""
    if not raw:
        return default or today()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInputError(
            f"not a date: {raw!r} (YYYY-MM-DD)", message_zh=f"日期「{raw}」格式错误（应为 2023-12-31）", where="at"
        ) from None


def plan_evaluation(uow: UnitOfWork, plan_id: int, at: dt.date) -> PlanEvaluation | None:
    """The plan's evaluation at ``at``; None when it has no reporting schedule yet."""
    try:
        return evaluate_plan(uow, plan_id, at)
    except ScheduleMissingError:
        return None


def worst(statuses: list[ItemStatus]) -> ItemStatus | None:
    return min(statuses, key=SEVERITY.index) if statuses else None


def status_label(status: ItemStatus | None) -> str:
    return UNSUPERVISED if status is None else ITEM_STATUS_LABELS[status]


def status_css(status: ItemStatus | None) -> str:
    return "none" if status is None else STATUS_CSS[status]


def deadline_text(deadline: Deadline) -> str:
    if deadline.date is not None:
        return f"{deadline.date.year}年{deadline.date.month}月{deadline.date.day}日"
    labels = {
        DeadlineKind.CONTINUOUS: "持续实施",
        DeadlineKind.BY_SCHEDULE: "按序时进度",
        DeadlineKind.BY_SUPERIORS: "按上级部署",
        DeadlineKind.ADJUST_AS_NEEDED: "适时调整",
        DeadlineKind.UNSPECIFIED: "未明确",
    }
    return deadline.raw or labels.get(deadline.kind, "—")


def deadline_bucket(deadline: Deadline) -> str:
    """The deadline filter's value: the year of a dated deadline, else ``undated``."""
    return str(deadline.date.year) if deadline.date is not None else "undated"


def categories_of(categories: list[Category]) -> tuple[str, ...]:
    return tuple(c.value for c in categories)


def item_url(plan_id: int, item: ReportItem | str) -> str:
    item_id = item if isinstance(item, str) else item.item_id
    return f"/plans/{plan_id}/tasks/{quote(item_id, safe='')}"


def error_text(exc: YigaiError) -> str:
    """What a page shows for a refused action: the Chinese message, with the field when known."""
    return exc.message_zh
