"""Progress reports (督办): save a version, add a cooperating department's contribution, read history.

Every save inserts a new version; nothing is overwritten. Every check runs
before the first write, so a refused report saves nothing (evidence bytes
included: files are checked before any is stored). The review moves (submit,
return, accept, resubmit) are in ``yigai.services.review``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from yigai import clock
from yigai.domain.periods import Period, parse_period
from yigai.domain.reports import REVIEW_LABELS, TRANSITIONS, Evidence, ProgressReport, ProgressStatus, ReviewState
from yigai.domain.users import User
from yigai.services.concurrency import retrying
from yigai.services.departments import resolve_department
from yigai.services.errors import (
    IllegalTransitionError,
    InvalidReportError,
    NotLeadDepartmentError,
    StaleVersionError,
)
from yigai.services.evidence import EvidenceUpload, check_uploads, store_uploads
from yigai.services.items import ReportItem, find_item, report_items, require_reporter, visible_reports
from yigai.services.plans import find_plan
from yigai.services.schedules import require_schedule, schedule_period
from yigai.storage.evidence_store import EvidenceStore
from yigai.storage.report_repository import ReportingSchedule
from yigai.storage.repository import PlanRecord
from yigai.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class ReportContext:
    plan: PlanRecord
    schedule: ReportingSchedule
    period: Period
    item: ReportItem


def open_context(uow: UnitOfWork, plan_ref: str | int, item_id: str, period_id: str) -> ReportContext:
    """Plan, schedule, period and item, each checked (inside an open unit of work)."""
    plan = find_plan(uow, plan_ref, shared=True)
    schedule = require_schedule(uow, plan.id)
    period = schedule_period(schedule, period_id)
    return ReportContext(plan, schedule, period, find_item(plan.draft, item_id))


def parse_status(value: ProgressStatus | str) -> ProgressStatus:
    """``推进中`` or ``in_progress`` → ProgressStatus.IN_PROGRESS."""
    if isinstance(value, ProgressStatus):
        return value
    text = value.strip()
    for status in ProgressStatus:
        if text in (status.value, status.name, status.name.lower()):
            return status
    raise InvalidReportError(
        f"unknown status {value!r}; one of {', '.join(s.value for s in ProgressStatus)}",
        message_zh=f"进展状态「{value}」无效（{'、'.join(s.value for s in ProgressStatus)}）",
        where="status",
    )


def check_percent(percent: float, status: ProgressStatus) -> float:
    if not isinstance(percent, int | float) or not math.isfinite(percent) or not 0 <= percent <= 100:
        raise InvalidReportError(
            f"percent must be between 0 and 100, got {percent}",
            message_zh=f"完成百分比须在 0-100 之间（收到 {percent}）",
            where="percent",
        )
    if status is ProgressStatus.COMPLETED and percent != 100:
        raise InvalidReportError(
            f"status 已完成 needs percent 100, got {percent:g}",
            message_zh=f"状态为已完成时完成百分比应为 100（收到 {percent:g}）",
            where="percent",
        )
    if status is ProgressStatus.NOT_STARTED and percent != 0:
        raise InvalidReportError(
            f"status 未启动 needs percent 0, got {percent:g}",
            message_zh=f"状态为未启动时完成百分比应为 0（收到 {percent:g}）",
            where="percent",
        )
    return float(percent)


def check_move(latest: ProgressReport | None, target: ReviewState, what: str, what_zh: str) -> None:
    """Refuse a review move that TRANSITIONS does not allow, saying what state the report is in."""
    current = ReviewState.DRAFT if latest is None else latest.state  # a first save starts from a draft
    if target in TRANSITIONS[current]:
        return
    state_zh = "尚无报告" if latest is None else f"当前为「{REVIEW_LABELS[current]}」（第{latest.version}版）"
    state_en = "there is no report yet" if latest is None else f"version {latest.version} is {current.value}"
    raise IllegalTransitionError(f"cannot {what}: {state_en}", message_zh=f"不能{what_zh}：{state_zh}", where="state")


def check_base_version(latest: ProgressReport | None, base_version: int | None) -> None:
    """A save names the version it edits (0: there is none yet); a newer one means someone saved in between.

    ``None`` (the command line, the demo generator) saves after whatever is there.
    """
    current = latest.version if latest is not None else 0
    if base_version is None or base_version == current:
        return
    if latest is None:
        raise StaleVersionError(
            f"you edited version {base_version} but the report has no version",
            message_zh=f"您编辑的是第{base_version}版，但该报告尚无任何版本；请刷新后重新填写",
            where="base_version",
            current=None,
        )
    saved = latest.saved_at.astimezone(clock.OFFICE_TZ).strftime("%Y-%m-%d %H:%M") if latest.saved_at else ""
    by = "、".join(x for x in (latest.author, saved) if x)
    edited = f"第{base_version}版" if base_version else "尚未填报时的空白报告"
    raise StaleVersionError(
        f"version {latest.version} ({latest.state.value}, {latest.status.value} {latest.percent:g}%, by {by}) was "
        f"saved after version {base_version} that you edited; nothing was saved — look at it and save again",
        message_zh=f"您编辑的是{edited}，此后已有人保存了第{latest.version}版（{by}，"
        f"{REVIEW_LABELS[latest.state]}，{latest.status.value} {latest.percent:g}%），为免覆盖，本次未保存。"
        "请查看最新版本后再保存",
        where="base_version",
        current=latest,
    )


def _lead_department(uow: UnitOfWork, ctx: ReportContext, department: str) -> str:
    name = resolve_department(uow, department, ctx.plan.draft.meta.region)
    if name in ctx.item.lead:
        return name
    leads = "、".join(ctx.item.lead) or "（未列明）"
    if name in ctx.item.cooperating:
        raise NotLeadDepartmentError(
            f"{name} cooperates on {ctx.item.item_id} but does not lead it (leads: {', '.join(ctx.item.lead)}); "
            "add its input with `yigai report contribute`",
            message_zh=f"{name} 是 {ctx.item.item_id} 的配合部门而非牵头部门（牵头：{leads}），"
            "请用 yigai report contribute 提交配合意见",
            where="department",
        )
    raise NotLeadDepartmentError(
        f"{name} does not lead {ctx.item.item_id} (leads: {', '.join(ctx.item.lead) or 'none named'})",
        message_zh=f"{name} 不是 {ctx.item.item_id} 的牵头部门（牵头：{leads}）",
        where="department",
    )


def save_report(
    uow: UnitOfWork,
    user: User,
    plan_ref: str | int,
    item_id: str,
    period_id: str,
    department: str,
    status: ProgressStatus | str,
    percent: float,
    *,
    narrative: str = "",
    problems: str = "",
    next_steps: str = "",
    submit: bool = False,
    evidence: Sequence[EvidenceUpload] = (),
    store: EvidenceStore | None = None,
    now: dt.datetime | None = None,
    base_version: int | None = None,
) -> ProgressReport:
    """Save a new version of the lead department's report, as a draft or submitted.

    Evidence of the previous version is kept; new files are added to it. ``base_version`` is the
    version the user edited (0: none yet): a newer one raises ``StaleVersionError`` (optimistic
    concurrency: the web pages and the API always name it).
    """
    at = now or clock.now()

    def attempt() -> ProgressReport:
        with uow:
            report = save_in(
                uow,
                user,
                plan_ref,
                item_id,
                period_id,
                department,
                status,
                percent,
                narrative=narrative,
                problems=problems,
                next_steps=next_steps,
                submit=submit,
                evidence=evidence,
                store=store,
                at=at,
                base_version=base_version,
            )
            uow.commit()
        return report

    return retrying(attempt)


def save_in(
    uow: UnitOfWork,
    user: User,
    plan_ref: str | int,
    item_id: str,
    period_id: str,
    department: str,
    status: ProgressStatus | str,
    percent: float,
    *,
    narrative: str = "",
    problems: str = "",
    next_steps: str = "",
    submit: bool = False,
    evidence: Sequence[EvidenceUpload] = (),
    store: EvidenceStore | None = None,
    at: dt.datetime,
    base_version: int | None = None,
) -> ProgressReport:
    """``save_report`` inside a unit of work the caller opened and commits (a batch is one transaction)."""
    the_status = parse_status(status)
    the_percent = check_percent(percent, the_status)
    check_uploads(evidence)
    if evidence and store is None:
        raise ValueError("evidence given without an EvidenceStore")
    ctx = open_context(uow, plan_ref, item_id, period_id)
    dept = _lead_department(uow, ctx, department)
    require_reporter(user, dept)
    latest = uow.reports.latest(ctx.plan.id, item_id, ctx.period.id)
    target = ReviewState.SUBMITTED if submit else ReviewState.DRAFT
    check_move(latest, target, "save", "保存")  # a submitted or accepted report is refused whichever version
    check_base_version(latest, base_version)
    files: list[Evidence] = list(latest.evidence) if latest else []
    if evidence and store is not None:
        known = {e.sha256 for e in files}
        files += [e for e in store_uploads(uow, user, store, evidence, now=at) if e.sha256 not in known]
    report = ProgressReport(
        plan_id=ctx.plan.id,
        item_id=item_id,
        period_id=ctx.period.id,
        department=dept,
        status=the_status,
        percent=the_percent,
        narrative=narrative.strip(),
        problems=problems.strip(),
        next_steps=next_steps.strip(),
        evidence=files,
        contributions=dict(latest.contributions) if latest else {},
        state=target,
        version=(latest.version + 1) if latest else 1,
        author=user.username,
        saved_at=at,
        submitted_at=at if submit else None,
    )
    uow.reports.add(report)
    uow.audit.record(
        user.username,
        "report.submit" if submit else "report.save",
        "progress_report",
        report_key(report),
        before=latest,
        after=report,
        at=at,
    )
    return report


def add_contribution(
    uow: UnitOfWork,
    user: User,
    plan_ref: str | int,
    item_id: str,
    period_id: str,
    department: str,
    text: str,
    *,
    now: dt.datetime | None = None,
) -> ProgressReport:
    """A cooperating department's input (配合部门意见), saved as a new version of the item's report.

    When the lead has not reported yet, the contribution starts a draft in the
    lead's name (status 未启动) that the lead completes.
    """
    if not text.strip():
        raise InvalidReportError("the contribution is empty", message_zh="配合意见不能为空", where="text")
    at = now or clock.now()

    def attempt() -> ProgressReport:
        with uow:
            ctx = open_context(uow, plan_ref, item_id, period_id)
            dept = resolve_department(uow, department, ctx.plan.draft.meta.region)
            if dept not in ctx.item.cooperating:
                coop = "、".join(ctx.item.cooperating) or "（无）"
                raise NotLeadDepartmentError(
                    f"{dept} is not a cooperating department of {item_id} ({', '.join(ctx.item.cooperating) or 'none'})",
                    message_zh=f"{dept} 不是 {item_id} 的配合部门（配合：{coop}）",
                    where="department",
                )
            require_reporter(user, dept)
            latest = uow.reports.latest(ctx.plan.id, item_id, ctx.period.id)
            check_move(latest, ReviewState.DRAFT, "save", "补充配合意见")
            if latest is None:
                base = ProgressReport(
                    ctx.plan.id,
                    item_id,
                    ctx.period.id,
                    ctx.item.lead[0] if ctx.item.lead else dept,
                    ProgressStatus.NOT_STARTED,
                    0.0,
                    version=0,
                )
            else:
                base = latest
            report = dataclasses.replace(
                base,
                contributions={**base.contributions, dept: text.strip()},
                state=ReviewState.DRAFT,
                version=base.version + 1,
                author=user.username,
                saved_at=at,
                submitted_at=None,
                reviewed_at=None,
                reviewer="",
                review_comment="",
                evidence=list(base.evidence),
            )
            uow.reports.add(report)
            uow.audit.record(
                user.username,
                "report.contribute",
                "progress_report",
                report_key(report),
                before=latest,
                after={"department": dept, "text": text.strip(), "version": report.version},
                at=at,
            )
            uow.commit()
        return report

    return retrying(attempt)


def report_history(
    uow: UnitOfWork, plan_ref: str | int, item_id: str, period_id: str, *, viewer: User | None = None
) -> list[ProgressReport]:
    """Every version ``viewer`` may read (``visible_reports``; None: all, as the office), oldest first."""
    with uow:
        ctx = open_context(uow, plan_ref, item_id, period_id)
        versions = uow.reports.versions(ctx.plan.id, item_id, ctx.period.id)
    return versions if viewer is None else visible_reports(viewer, ctx.item, versions)


def report_key(report: ProgressReport) -> str:
    """The audit key of a report: plan/item/period."""
    return f"{report.plan_id}/{report.item_id}/{report.period_id}"


def latest_reports(
    uow: UnitOfWork,
    plan_ref: str | int,
    *,
    viewer: User | None = None,
    period_id: str | None = None,
    department: str | None = None,
) -> list[ProgressReport]:
    """The current version of every report of a plan that ``viewer`` may read, by period then item.

    Optionally one period or department. For a reader who may not see a draft, the current
    version is the latest submitted or reviewed one (``viewer`` None: every version, as the office).
    """
    with uow:
        plan = find_plan(uow, plan_ref, shared=True)
        dept = resolve_department(uow, department, plan.draft.meta.region) if department else None
        period = parse_period(period_id).id if period_id else None
        items = {i.item_id: i for i in report_items(plan.draft)}
        latest: dict[tuple[str, str], ProgressReport] = {}
        for report in uow.reports.for_plan(plan.id, period, shared=True):
            if viewer is None or visible_reports(viewer, items.get(report.item_id), [report]):
                latest[(report.period_id, report.item_id)] = report
    return [r for r in latest.values() if dept is None or r.department == dept]


def count_reports(uow: UnitOfWork, plan_id: int) -> int:
    """How many progress report versions the plan holds (every version, drafts included)."""
    with uow:
        return uow.reports.count_for_plan(plan_id)


def item_reports(uow: UnitOfWork, plan_id: int, item_id: str) -> list[ProgressReport]:
    """Every version of one item's reports, drafts included, by period then version (filter with
    ``visible_reports`` before showing them)."""
    with uow:
        return uow.reports.for_item(plan_id, item_id)


def plan_reports(uow: UnitOfWork, plan_id: int, *, shared: bool = False) -> list[ProgressReport]:
    """Each report's standing history for the plan (``ReportRepository.for_plan``); ``shared``: the
    cache's own objects, for readers that never change them."""
    with uow:
        return uow.reports.for_plan(plan_id, shared=shared)
