"""The review desk (审核台): every progress report the office has to review, across plans, reviewed in batches.

Not the plan-draft review of ``plan_review`` (a document before it is published): this is
the quarterly review of the departments' reports. ``desk`` lists the reports whose latest
version is submitted (待审核), returned or accepted, filtered by plan, department, period,
state and timeliness (on time or late against the period's due day in office time), each
with what it is compared with: the previous version of the same period (a resubmission) or
else the item's report of the period before.

``review_batch`` accepts (采纳) or returns (退回, a comment per report) many reports in one
transaction, each move audited as its own ``report.accept`` / ``report.return``. A report is
named by the version the reviewer saw: one that changed since (resubmitted, reviewed by a
colleague) is refused by name, and then either nothing is saved or, when the reviewer chose
so (``partial``), the others are. ``BatchOutcome.message_zh`` says which.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from yigai import clock
from yigai.domain.diff import TextOp, compact_ops, rewrite_ops
from yigai.domain.errors import YigaiError
from yigai.domain.periods import Period, parse_period
from yigai.domain.plan import Task
from yigai.domain.reports import (
    REVIEW_LABELS,
    Evidence,
    ProgressReport,
    ReviewState,
    Timeliness,
    due_date,
    timeliness,
)
from yigai.domain.users import User
from yigai.services.concurrency import retrying
from yigai.services.departments import resolve_department
from yigai.services.errors import IllegalTransitionError, InvalidInputError, InvalidReportError
from yigai.services.items import ReportItem, report_items, require_admin
from yigai.services.memo import memoised
from yigai.services.plans import find_plan
from yigai.services.reports import open_context
from yigai.services.review import check_comment, move_in
from yigai.storage.uow import UnitOfWork

DESK_STATES = (ReviewState.SUBMITTED, ReviewState.RETURNED, ReviewState.ACCEPTED)  # drafts are the department's
STATE_LABELS = {ReviewState.SUBMITTED: "待审核", ReviewState.RETURNED: "已退回", ReviewState.ACCEPTED: "已采纳"}
TIMELINESS_LABELS = {Timeliness.ON_TIME: "按时", Timeliness.LATE: "逾期"}
MAX_BATCH = 500
CONTENT_FIELDS = (("narrative", "进展情况"), ("problems", "存在问题"), ("next_steps", "下步打算"))


@dataclass(frozen=True, slots=True)
class DeskFilter:
    plan_id: int | None = None
    department: str = ""  # as typed: aliases resolve per plan
    period_id: str = ""
    state: ReviewState | None = ReviewState.SUBMITTED  # None: submitted, returned and accepted
    timeliness: Timeliness | None = None  # ON_TIME or LATE


@dataclass(frozen=True, slots=True)
class TextChange:
    field: str
    label: str
    ops: list[TextOp]  # compact: long unchanged runs cut


@dataclass(frozen=True, slots=True)
class ReportChange:
    """What a report changed against its baseline (content only: the review state is shown apart)."""

    status: tuple[str, str] | None
    percent: tuple[float, float] | None
    texts: list[TextChange]
    new_evidence: list[Evidence]

    @property
    def none(self) -> bool:
        return not (self.status or self.percent or self.texts or self.new_evidence)

    @property
    def summary(self) -> str:
        """One line for a list or a spreadsheet: 完成百分比 40%→60%；进展情况有修改."""
        parts = []
        if self.status:
            parts.append(f"进展状态 {self.status[0]}→{self.status[1]}")
        if self.percent:
            parts.append(f"完成百分比 {self.percent[0]:g}%→{self.percent[1]:g}%")
        parts += [f"{t.label}有修改" for t in self.texts]
        if self.new_evidence:
            parts.append(f"新增佐证材料 {len(self.new_evidence)} 份")
        return "；".join(parts) or "内容无变化"


@functools.lru_cache(maxsize=2048)
def _compact_diff(before: str, after: str) -> tuple[TextOp, ...]:
    """The desk's diff of two texts; two versions' texts never change, and the desk shows them on every visit."""
    return tuple(compact_ops(rewrite_ops(before, after)))


def report_change(old: ProgressReport, new: ProgressReport) -> ReportChange:
    texts = [
        TextChange(name, label, list(_compact_diff(getattr(old, name), getattr(new, name))))
        for name, label in CONTENT_FIELDS
        if getattr(old, name) != getattr(new, name)
    ]
    known = {e.sha256 for e in old.evidence}
    return ReportChange(
        (old.status.value, new.status.value) if old.status is not new.status else None,
        (old.percent, new.percent) if old.percent != new.percent else None,
        texts,
        [e for e in new.evidence if e.sha256 not in known],
    )


@dataclass(frozen=True, slots=True)
class DeskEntry:
    """One report on the desk: where it sits in its plan, when it was due, and its baseline."""

    plan_id: int
    plan_title: str
    task_no: str
    task_title: str
    item: ReportItem
    period: Period
    due: dt.date
    timeliness: Timeliness
    report: ProgressReport
    baseline: ProgressReport | None  # the previous version of this period, else the item's previous period
    baseline_label: str

    @property
    def days_late(self) -> int:
        submitted = self.report.submitted_at
        return max(0, (submitted.date() - self.due).days) if submitted else 0

    @property
    def change(self) -> ReportChange | None:
        return None if self.baseline is None else report_change(self.baseline, self.report)

    @property
    def name(self) -> str:
        return report_name(self.task_no, self.task_title, self.item, self.report.department, self.period)


@dataclass(frozen=True, slots=True)
class Facet:
    value: str
    label: str
    count: int


@dataclass(slots=True)
class Desk:
    entries: list[DeskEntry]
    plans: list[Facet] = field(default_factory=list)  # what the other filters leave, with counts
    departments: list[Facet] = field(default_factory=list)
    periods: list[Facet] = field(default_factory=list)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else f"{text[:n]}…"


def report_name(task_no: str, task_title: str, item: ReportItem, department: str, period: Period) -> str:
    """A report as a person names it: 「22 建立分级诊疗医保… › (3) 探索建立更灵敏…」（区医保局，2026年第3季度）."""
    if item.task_id == item.item_id:
        what = f"{item.no} {_short(item.title, 24)}"
    else:
        what = f"{task_no} {_short(task_title, 12)} › {item.no} {_short(item.title, 20)}"
    return f"「{what.strip()}」（{department}，{period.label}）"


def _baseline(history: list[ProgressReport], latest: ProgressReport) -> tuple[ProgressReport | None, str]:
    """The version before ``latest`` in the item's standing history (drafts never count)."""
    earlier = [
        r
        for r in history
        if r.state is not ReviewState.DRAFT and (r.period_id, r.version) < (latest.period_id, latest.version)
    ]
    if not earlier:
        return None, ""
    base = earlier[-1]
    state = REVIEW_LABELS[base.state]
    if base.period_id == latest.period_id:
        return base, f"第{base.version}版（{state}）"
    return base, f"上期{parse_period(base.period_id).label}（{state}）"


def waiting_count(uow: UnitOfWork) -> int:
    """Reports waiting for the office (latest version submitted), every plan: the navigation's badge.

    Every page the office opens shows it: memoised until the next write.
    """

    def count() -> int:
        with uow:
            return uow.reports.count_standing(ReviewState.SUBMITTED)

    return memoised(uow, ("waiting_count",), count)


def desk(uow: UnitOfWork, flt: DeskFilter = DeskFilter(), *, at: dt.date | None = None) -> Desk:
    """The reports on the desk, by plan, period and document order, with the filters' choices and counts."""
    day = at or clock.now().date()
    states = DESK_STATES if flt.state is None else (flt.state,)
    period_id = parse_period(flt.period_id).id if flt.period_id else ""
    out = Desk([])
    plans: dict[int, tuple[str, int]] = {}
    departments: dict[str, int] = {}
    periods: dict[str, int] = {}
    with uow:
        for summary in uow.plans.summaries():
            schedule = uow.reports.schedule(summary.id)
            if schedule is None:
                continue
            plan = find_plan(uow, summary.id, shared=True)
            dept = resolve_department(uow, flt.department, plan.draft.meta.region) if flt.department else ""
            history: dict[str, list[ProgressReport]] = {}
            latest: dict[tuple[str, str], ProgressReport] = {}
            for r in uow.reports.for_plan(summary.id, shared=True):
                history.setdefault(r.item_id, []).append(r)
                latest[(r.period_id, r.item_id)] = r
            items = {i.item_id: (n, i) for n, i in enumerate(report_items(plan.draft))}
            tasks: dict[str, Task] = {t.id: t for t in plan.draft.tasks}
            chosen: list[tuple[int, DeskEntry]] = []
            for (pid, item_id), report in latest.items():
                if report.state not in states or item_id not in items:
                    continue
                period = parse_period(pid)
                when = timeliness(report.submitted_at, period, schedule.due_days, day)
                if flt.timeliness is not None and when is not flt.timeliness:
                    continue
                in_plan = flt.plan_id is None or flt.plan_id == summary.id
                in_dept = not dept or report.department == dept
                in_period = not period_id or pid == period_id
                if in_dept and in_period:
                    count = plans.get(summary.id, (summary.title, 0))[1]
                    plans[summary.id] = (summary.title, count + 1)
                if in_plan and in_period:
                    departments[report.department] = departments.get(report.department, 0) + 1
                if in_plan and in_dept:
                    periods[pid] = periods.get(pid, 0) + 1
                if not (in_plan and in_dept and in_period):
                    continue
                order, item = items[item_id]
                task = tasks[item.task_id]
                base, label = _baseline(history[item_id], report)
                chosen.append(
                    (
                        order,
                        DeskEntry(
                            summary.id,
                            summary.title,
                            task.no,
                            task.title or task.text[:40],
                            item,
                            period,
                            due_date(period, schedule.due_days),
                            when,
                            report,
                            base,
                            label,
                        ),
                    )
                )
            chosen.sort(key=lambda c: (c[1].period.start, c[0]))
            out.entries += [e for _, e in chosen]
    out.plans = [Facet(str(pid), title, n) for pid, (title, n) in plans.items()]
    out.departments = [Facet(d, d, n) for d, n in sorted(departments.items(), key=lambda d: (-d[1], d[0]))]
    out.periods = [Facet(p, parse_period(p).label, n) for p, n in sorted(periods.items(), reverse=True)]
    return out


# -- review in batches


@dataclass(frozen=True, slots=True)
class Pick:
    """A report as the reviewer saw it: which one, and its version then."""

    plan_id: int
    item_id: str
    period_id: str
    version: int
    comment: str = ""  # a return's comment (退回意见) for this report

    @property
    def key(self) -> tuple[int, str, str]:
        return self.plan_id, self.item_id, self.period_id


@dataclass(frozen=True, slots=True)
class Refusal:
    pick: Pick
    name: str  # the report as a person reads it
    message_zh: str
    message: str
    conflict: bool  # the report changed since the reviewer saw it


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    accept: bool  # 采纳; else 退回
    done: list[ProgressReport]
    refused: list[Refusal]
    partial: bool  # the reviewer chose to go on without the refused ones
    asked: int

    @property
    def saved(self) -> bool:
        return bool(self.done)

    @property
    def conflict(self) -> bool:
        """A refused report had changed since the reviewer saw it (HTTP 409 when nothing was saved)."""
        return any(r.conflict for r in self.refused)

    @property
    def headline_zh(self) -> str:
        """What happened, without the names: 已采纳 19 份报告；1 份不能采纳（…）."""
        verb = "采纳" if self.accept else "退回"
        if not self.refused:
            return f"已{verb} {len(self.done)} 份报告。"
        k = len(self.refused)
        conflicts = sum(1 for r in self.refused if r.conflict)
        why = f"{k} 份不能{verb}" + (
            f"（其中 {conflicts} 份在页面打开后已有变化，请刷新后重新审核）" if conflicts else ""
        )
        if self.partial:
            return (f"已{verb} {len(self.done)} 份报告" if self.done else f"未{verb}任何报告") + f"；{why}。"
        rest = self.asked - k
        tail = f"；其余 {rest} 份也未{verb}（未选择“其余照常{verb}”）" if rest else ""
        return f"未{verb}任何报告：{why}{tail}。"

    @property
    def message_zh(self) -> str:
        """The headline, then each refused report by name with the reason."""
        return self.headline_zh + "；".join(f"{r.name}：{r.message_zh}" for r in self.refused)

    @property
    def message(self) -> str:
        verb = "accepted" if self.accept else "returned"
        if not self.refused:
            return f"{len(self.done)} report(s) {verb}"
        names = "; ".join(f"{r.pick.plan_id}/{r.pick.item_id}/{r.pick.period_id}: {r.message}" for r in self.refused)
        if self.partial:
            return f"{len(self.done)} report(s) {verb}, {len(self.refused)} refused: {names}"
        return f"nothing {verb}: {len(self.refused)} of {self.asked} refused (all or nothing): {names}"


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def _review_one(uow: UnitOfWork, user: User, pick: Pick, accept: bool, comment: str, at: dt.datetime) -> ProgressReport:
    plain = f"{pick.plan_id}/{pick.item_id}/{pick.period_id}"
    try:
        ctx = open_context(uow, pick.plan_id, pick.item_id, pick.period_id)
    except YigaiError as exc:
        raise _Refused(Refusal(pick, f"「{plain}」", exc.message_zh, str(exc), False)) from None
    latest = uow.reports.latest(ctx.plan.id, ctx.item.item_id, ctx.period.id)
    task = next((t for t in ctx.plan.draft.tasks if t.id == ctx.item.task_id), None)
    dept = latest.department if latest else (ctx.item.lead[0] if ctx.item.lead else "")
    name = report_name(
        task.no if task else "", (task.title or task.text[:40]) if task else "", ctx.item, dept, ctx.period
    )
    if latest is None:
        raise _Refused(Refusal(pick, name, "尚无报告", "there is no report", False))
    if latest.version != pick.version:
        raise _Refused(
            Refusal(
                pick,
                name,
                f"页面打开后已有变化：您审阅的是第{pick.version}版，现为第{latest.version}版（{REVIEW_LABELS[latest.state]}）",
                f"changed since the page was loaded: you saw version {pick.version}, "
                f"it is now version {latest.version} ({latest.state.value})",
                True,
            )
        )
    try:
        text = check_comment(pick.comment or comment, required=not accept)
        return move_in(
            uow,
            user,
            ctx.plan.id,
            ctx.item.item_id,
            ctx.period.id,
            ReviewState.ACCEPTED if accept else ReviewState.RETURNED,
            action="report.accept" if accept else "report.return",
            what="accept the report" if accept else "return the report",
            what_zh="采纳报告" if accept else "退回报告",
            comment=text,
            review=True,
            at=at,
        )
    except (IllegalTransitionError, InvalidReportError) as exc:
        raise _Refused(Refusal(pick, name, exc.message_zh, str(exc), False)) from None


def review_batch(
    uow: UnitOfWork,
    user: User,
    picks: Sequence[Pick],
    *,
    accept: bool,
    partial: bool = False,
    comment: str = "",
    now: dt.datetime | None = None,
) -> BatchOutcome:
    """Accept (or return) every picked report in one transaction; all or nothing unless ``partial``.

    ``comment`` is the comment for every report whose pick carries none (a return needs one per
    report, so a return without either is refused by name).
    """
    verb, verb_en = ("采纳", "accept") if accept else ("退回", "return")
    require_admin(user, f"{verb_en} reports", f"{verb}报告")
    unique = list({p.key: p for p in picks}.values())
    if not unique:
        raise InvalidInputError(f"no report chosen to {verb_en}", message_zh=f"请先勾选要{verb}的报告", where="reports")
    if len(unique) > MAX_BATCH:
        raise InvalidInputError(
            f"at most {MAX_BATCH} reports at once, got {len(unique)}",
            message_zh=f"一次最多{verb} {MAX_BATCH} 份报告（收到 {len(unique)} 份）",
            where="reports",
        )
    at = now or clock.now()

    def attempt() -> BatchOutcome:
        done: list[ProgressReport] = []
        refused: list[Refusal] = []
        with uow:
            for pick in unique:
                try:
                    done.append(_review_one(uow, user, pick, accept, comment, at))
                except _Refused as exc:
                    refused.append(exc.refusal)
            if refused and not partial:
                return BatchOutcome(accept, [], refused, partial, len(unique))  # leaving unsaved rolls back
            if done:
                uow.commit()
        return BatchOutcome(accept, done, refused, partial, len(unique))

    return retrying(attempt)
