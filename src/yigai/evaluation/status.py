"""Status of every measure (or task without measures) at an evaluation date, from its reports.

Which report counts: per item × period the *latest version* among those submitted or
accepted; drafts and returned versions are ignored, so a report returned and resubmitted
counts by its resubmission, and one returned and not yet resubmitted counts as not received.
Versions submitted after the evaluation date are ignored too (the evaluation is "as of").

Timeliness per period (DHIS2's model): the first submission of that item × period decides
on time or late (a resubmission after a return does not make it late); nothing received and
the due day passed is missing.

Which periods owe a report: every period of the plan that has ended, for every item, until a
non-continuous item is completed; a continuous item (持续实施) owes one every period for good.

Status, first rule that applies:

1. COMPLETED     the latest counted report says 已完成 or 100% (not continuous items);
2. OVERDUE       a dated deadline has passed and the item is not completed;
3. NOT_REPORTED  the latest period whose report is due has none, and no later one came in;
4. COMPLETED     a continuous item whose latest report says 已完成;
5. NOT_STARTED   no report yet (and none due);
6. AT_RISK       reported 滞后 or 受阻; or a dated / by-schedule item whose percent is below
                 the pro-rata progress (first period start → deadline, at the reported
                 period's end) by more than the margin; or a dated deadline falls before the
                 end of the next period and the percent is below the near-deadline bar;
7. NOT_STARTED   reported 未启动;
8. ON_TRACK      otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from yigai.domain.formatting import fmt_date, percent_text
from yigai.domain.periods import Period
from yigai.domain.plan import Deadline, DeadlineKind, PlanDraft
from yigai.domain.reports import ProgressReport, ProgressStatus, ReviewState, Timeliness, timeliness
from yigai.evaluation.results import ItemEvaluation, ItemStatus

COUNTED_STATES = frozenset({ReviewState.SUBMITTED, ReviewState.ACCEPTED})
SUBMITTED_STATES = frozenset({ReviewState.SUBMITTED, ReviewState.ACCEPTED, ReviewState.RETURNED})
DEFAULT_PRO_RATA_MARGIN = 20.0
DEFAULT_NEAR_DEADLINE_PERCENT = 80.0
UNSECTIONED = "其他"

REASON_COMPLETED = "{period}报告已完成"
REASON_OVERDUE = "完成时限{deadline}已过，尚未完成{progress}"
REASON_NOT_REPORTED = "{period}进展未报送"
REASON_NO_REPORT = "尚无进展报告，暂无到期未报"
REASON_REPORTED_NOT_STARTED = "{period}报告为未启动"
REASON_REPORTED_TROUBLE = "{period}报告为{status}"
REASON_BEHIND = "进度{percent}%，低于序时进度{expected}%"
REASON_NEAR_DEADLINE = "完成时限{deadline}临近，进度仅{percent}%"
REASON_ON_TRACK = "{period}报告{status}，进度{percent}%"
PROGRESS_SUFFIX = "（最新进度{percent}%）"


@dataclass(frozen=True, slots=True)
class PlanItem:
    """What reports are filed against: a measure, or a task that has no measures."""

    item_id: str
    task_id: str
    title: str
    lead: tuple[str, ...]
    deadline: Deadline
    section: str


def task_sections(draft: PlanDraft) -> dict[str, str]:
    """task id → the section it is scored under: its top-level heading.

    Headings every task shares (a plan whose tasks all sit under 主要任务) do not tell
    sections apart, so they are skipped and the next level is used.
    """
    paths = [t.path for t in draft.tasks if t.path]
    depth = 0
    while paths and all(len(p) > depth + 1 and p[depth] == paths[0][depth] for p in paths):
        depth += 1
    return {t.id: (t.path[min(depth, len(t.path) - 1)] if t.path else UNSECTIONED) for t in draft.tasks}


def plan_items(draft: PlanDraft) -> list[PlanItem]:
    """Measures in plan order; a task without measures is an item itself.

    A measure without its own deadline or lead department inherits the task's.
    """
    items: list[PlanItem] = []
    sections = task_sections(draft)
    for task in draft.tasks:
        section = sections[task.id]
        task_lead = tuple(d.name for d in task.responsibility.lead if d.name)
        if not task.measures:
            items.append(PlanItem(task.id, task.id, task.title, task_lead, task.deadline, section))
        for m in task.measures:
            lead = tuple(d.name for d in m.responsibility.lead if d.name) or task_lead
            deadline = m.deadline if m.deadline.kind is not DeadlineKind.UNSPECIFIED else task.deadline
            items.append(PlanItem(m.id, task.id, m.text, lead, deadline, section))
    return items


def index_reports(
    reports: Iterable[ProgressReport],
    plan_id: int | None = None,
) -> dict[str, dict[str, list[ProgressReport]]]:
    """item id → period id → versions (every version, any state)."""
    out: dict[str, dict[str, list[ProgressReport]]] = defaultdict(lambda: defaultdict(list))
    for r in reports:
        if plan_id is None or r.plan_id == plan_id:
            out[r.item_id][r.period_id].append(r)
    return out


def _submitted_on(r: ProgressReport) -> dt.date | None:
    stamp = r.submitted_at or r.saved_at
    return stamp.date() if stamp is not None else None


def _is_complete(r: ProgressReport) -> bool:
    return r.status is ProgressStatus.COMPLETED or r.percent >= 100.0


@dataclass(slots=True)
class _PeriodReport:
    period: Period
    counted: ProgressReport | None  # the version that counts, None when not received
    first_submitted: dt.date | None  # the first submission, decides on time vs late


def _period_report(period: Period, versions: list[ProgressReport], at: dt.date) -> _PeriodReport:
    counted: ProgressReport | None = None
    first: dt.date | None = None
    for v in versions:
        on = _submitted_on(v)
        if on is not None and on > at:
            continue  # not yet submitted as of the evaluation date
        state = v.state
        if state is ReviewState.RETURNED and v.reviewed_at is not None and v.reviewed_at.date() > at:
            state = ReviewState.SUBMITTED  # returned only after the evaluation date
        if state in SUBMITTED_STATES and on is not None and (first is None or on < first):
            first = on
        if state in COUNTED_STATES and (counted is None or v.version > counted.version):
            counted = v
    return _PeriodReport(period, counted, first)


def item_status(
    item: PlanItem,
    by_period: dict[str, list[ProgressReport]],
    periods: list[Period],
    at: dt.date,
    due_days: int,
    plan_start: dt.date | None,
    plan_end: dt.date | None,
    *,
    pro_rata_margin: float = DEFAULT_PRO_RATA_MARGIN,
    near_deadline_percent: float = DEFAULT_NEAR_DEADLINE_PERCENT,
) -> ItemEvaluation:
    """Status, timeliness and reason for one item; see the module docstring for the rules."""
    kind = item.deadline.kind
    continuous = kind is DeadlineKind.CONTINUOUS
    deadline = (
        item.deadline.date if kind is DeadlineKind.DATE else plan_end if kind is DeadlineKind.BY_SCHEDULE else None
    )
    timely: dict[str, Timeliness] = {}
    latest: _PeriodReport | None = None  # the latest period with a counted report
    completed_on: dt.date | None = None  # start of the trailing run of completed reports
    last_due: str | None = None  # the latest owed period whose due day has passed
    for period in periods:
        if period.start > at:
            break
        versions = by_period.get(period.id)
        pr = _period_report(period, versions, at) if versions else _PeriodReport(period, None, None)
        owed = period.end <= at and (continuous or completed_on is None)
        if owed:
            t = timeliness(
                None if pr.counted is None else dt.datetime.combine(pr.first_submitted or period.end, dt.time()),
                period,
                due_days,
                at,
            )
            timely[period.id] = t
            if t is not Timeliness.NOT_DUE:
                last_due = period.id
        if pr.counted is not None:
            latest = pr
            if _is_complete(pr.counted):
                if completed_on is None:
                    completed_on = _submitted_on(pr.counted) or period.end
            else:
                completed_on = None
    report = latest.counted if latest is not None else None
    percent = report.percent if report is not None else None
    completed = report is not None and _is_complete(report)
    period_label = latest.period.label if latest is not None else ""

    def result(status: ItemStatus, reason: str) -> ItemEvaluation:
        return ItemEvaluation(
            item_id=item.item_id,
            task_id=item.task_id,
            title=item.title,
            lead=list(item.lead),
            status=status,
            percent=percent,
            deadline=deadline,
            latest_period=latest.period.id if latest is not None else None,
            timeliness=timely,
            reason=reason,
            completed_on=completed_on if completed else None,
        )

    if completed and not continuous:
        return result(ItemStatus.COMPLETED, REASON_COMPLETED.format(period=period_label))
    if kind is DeadlineKind.DATE and deadline is not None and deadline < at and not completed:
        progress = PROGRESS_SUFFIX.format(percent=percent_text(percent)) if percent is not None else ""
        return result(ItemStatus.OVERDUE, REASON_OVERDUE.format(deadline=fmt_date(deadline), progress=progress))
    if (
        last_due is not None
        and timely[last_due] is Timeliness.MISSING
        and (latest is None or latest.period.end <= _period_end(periods, last_due))
    ):
        label = next(p.label for p in periods if p.id == last_due)
        return result(ItemStatus.NOT_REPORTED, REASON_NOT_REPORTED.format(period=label))
    if completed:
        return result(ItemStatus.COMPLETED, REASON_COMPLETED.format(period=period_label))
    if report is None or latest is None:
        return result(ItemStatus.NOT_STARTED, REASON_NO_REPORT)
    if report.status in (ProgressStatus.DELAYED, ProgressStatus.BLOCKED):
        return result(ItemStatus.AT_RISK, REASON_REPORTED_TROUBLE.format(period=period_label, status=report.status))
    if deadline is not None and plan_start is not None and deadline > plan_start:
        span = (deadline - plan_start).days
        expected = 100.0 * min(1.0, max(0.0, (min(latest.period.end, at) - plan_start).days / span))
        if report.percent < expected - pro_rata_margin:
            return result(
                ItemStatus.AT_RISK,
                REASON_BEHIND.format(percent=percent_text(report.percent), expected=percent_text(round(expected))),
            )
    if kind is DeadlineKind.DATE and deadline is not None and report.percent < near_deadline_percent:
        horizon = _next_period_end(periods, at)
        if horizon is not None and deadline <= horizon:
            return result(
                ItemStatus.AT_RISK,
                REASON_NEAR_DEADLINE.format(deadline=fmt_date(deadline), percent=percent_text(report.percent)),
            )
    if report.status is ProgressStatus.NOT_STARTED:
        return result(ItemStatus.NOT_STARTED, REASON_REPORTED_NOT_STARTED.format(period=period_label))
    return result(
        ItemStatus.ON_TRACK,
        REASON_ON_TRACK.format(period=period_label, status=report.status, percent=percent_text(report.percent)),
    )


def _period_end(periods: list[Period], pid: str) -> dt.date:
    return next(p.end for p in periods if p.id == pid)


def _next_period_end(periods: list[Period], at: dt.date) -> dt.date | None:
    """End of the period after the latest one ended by ``at``: "deadline within the next period"."""
    ended = [p for p in periods if p.end <= at]
    base = ended[-1] if ended else (periods[0].previous() if periods else None)
    return base.next().end if base is not None else None


def latest_ended(periods: list[Period], at: dt.date) -> Period | None:
    ended = [p for p in periods if p.end <= at]
    return ended[-1] if ended else None


def evaluate_items(
    draft: PlanDraft,
    periods: list[Period],
    reports: Iterable[ProgressReport],
    at: dt.date,
    due_days: int = 15,
    *,
    plan_id: int | None = None,
    pro_rata_margin: float = DEFAULT_PRO_RATA_MARGIN,
    near_deadline_percent: float = DEFAULT_NEAR_DEADLINE_PERCENT,
) -> list[ItemEvaluation]:
    """Every item of the plan with its status at ``at`` (scores are filled in by scoring)."""
    ordered = sorted(periods)
    index = index_reports(reports, plan_id)
    plan_start = ordered[0].start if ordered else None
    plan_end = ordered[-1].end if ordered else draft.meta.valid_until
    empty: dict[str, list[ProgressReport]] = {}
    return [
        item_status(
            item,
            index.get(item.item_id, empty),
            ordered,
            at,
            due_days,
            plan_start,
            plan_end,
            pro_rata_margin=pro_rata_margin,
            near_deadline_percent=near_deadline_percent,
        )
        for item in plan_items(draft)
    ]


__all__ = [
    "PlanItem",
    "plan_items",
    "task_sections",
    "index_reports",
    "item_status",
    "evaluate_items",
    "latest_ended",
    "UNSECTIONED",
]
