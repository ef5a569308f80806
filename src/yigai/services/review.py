"""The review workflow: submit, return with the office's comment, accept, resubmit.

draft → submitted → returned (comment) → submitted again … → accepted. Each
move is a new version (``TRANSITIONS`` in ``yigai.domain.reports`` says which
moves exist); the department moves its own report, the office reviews it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from yigai import clock
from yigai.domain.reports import ProgressReport, ReviewState
from yigai.domain.users import User
from yigai.services.concurrency import retrying
from yigai.services.errors import IllegalTransitionError, InvalidReportError
from yigai.services.items import require_admin, require_reporter
from yigai.services.reports import check_move, open_context, report_key
from yigai.storage.uow import UnitOfWork

MAX_COMMENT = 2000


def _move(
    uow: UnitOfWork,
    user: User,
    plan_ref: str | int,
    item_id: str,
    period_id: str,
    target: ReviewState,
    *,
    action: str,
    what: str,
    what_zh: str,
    comment: str = "",
    review: bool,
    require: ReviewState | None = None,
    now: dt.datetime | None = None,
) -> ProgressReport:
    at = now or clock.now()

    def attempt() -> ProgressReport:
        with uow:
            report = move_in(
                uow,
                user,
                plan_ref,
                item_id,
                period_id,
                target,
                action=action,
                what=what,
                what_zh=what_zh,
                comment=comment,
                review=review,
                require=require,
                at=at,
            )
            uow.commit()
        return report

    return retrying(attempt)


def move_in(
    uow: UnitOfWork,
    user: User,
    plan_ref: str | int,
    item_id: str,
    period_id: str,
    target: ReviewState,
    *,
    action: str,
    what: str,
    what_zh: str,
    comment: str = "",
    review: bool,
    require: ReviewState | None = None,
    at: dt.datetime,
) -> ProgressReport:
    """One review move inside a unit of work the caller opened and commits (a batch is one transaction)."""
    ctx = open_context(uow, plan_ref, item_id, period_id)
    latest = uow.reports.latest(ctx.plan.id, item_id, ctx.period.id)
    if latest is None:
        raise IllegalTransitionError(
            f"cannot {what}: no report for {item_id} in {ctx.period.id}",
            message_zh=f"不能{what_zh}：{item_id} 在{ctx.period.label}尚无报告",
            where="state",
        )
    if review:
        require_admin(user, what, what_zh)
    else:
        require_reporter(user, latest.department)
    if require is not None and latest.state is not require:
        raise IllegalTransitionError(
            f"cannot {what}: version {latest.version} is {latest.state.value}",
            message_zh=f"不能{what_zh}：第{latest.version}版状态不符",
            where="state",
        )
    check_move(latest, target, what, what_zh)
    if review:
        report = dataclasses.replace(
            latest,
            state=target,
            version=latest.version + 1,
            saved_at=at,
            author=latest.author,
            reviewed_at=at,
            reviewer=user.username,
            review_comment=comment,
        )
    else:
        report = dataclasses.replace(
            latest,
            state=target,
            version=latest.version + 1,
            saved_at=at,
            author=user.username,
            submitted_at=at,
            reviewed_at=None,
            reviewer="",
            review_comment="",
        )
    uow.reports.add(report)
    uow.audit.record(user.username, action, "progress_report", report_key(report), before=latest, after=report, at=at)
    return report


def submit_report(
    uow: UnitOfWork, user: User, plan_ref: str | int, item_id: str, period_id: str, *, now: dt.datetime | None = None
) -> ProgressReport:
    """Submit the latest draft (or a returned report, which is a resubmission)."""
    return _move(
        uow,
        user,
        plan_ref,
        item_id,
        period_id,
        ReviewState.SUBMITTED,
        action="report.submit",
        what="submit",
        what_zh="提交",
        review=False,
        now=now,
    )


def resubmit_report(
    uow: UnitOfWork, user: User, plan_ref: str | int, item_id: str, period_id: str, *, now: dt.datetime | None = None
) -> ProgressReport:
    """Submit again a report the office returned (unchanged, or after ``save_report`` edits)."""
    return _move(
        uow,
        user,
        plan_ref,
        item_id,
        period_id,
        ReviewState.SUBMITTED,
        action="report.resubmit",
        what="resubmit",
        what_zh="重新提交",
        review=False,
        require=ReviewState.RETURNED,
        now=now,
    )


def check_comment(comment: str, required: bool) -> str:
    """The review comment, trimmed; refused when a return has none or it is too long."""
    text = comment.strip()
    if required and not text:
        raise InvalidReportError(
            "a returned report needs a comment saying what to fix", message_zh="退回报告须填写退回意见", where="comment"
        )
    if len(text) > MAX_COMMENT:
        raise InvalidReportError(
            f"the comment is longer than {MAX_COMMENT} characters",
            message_zh=f"意见超过 {MAX_COMMENT} 字",
            where="comment",
        )
    return text


def return_report(
    uow: UnitOfWork,
    user: User,
    plan_ref: str | int,
    item_id: str,
    period_id: str,
    comment: str,
    *,
    now: dt.datetime | None = None,
) -> ProgressReport:
    """The office sends a submitted report back with a comment (退回)."""
    text = check_comment(comment, required=True)
    return _move(
        uow,
        user,
        plan_ref,
        item_id,
        period_id,
        ReviewState.RETURNED,
        action="report.return",
        what="return the report",
        what_zh="退回报告",
        comment=text,
        review=True,
        now=now,
    )


def accept_report(
    uow: UnitOfWork,
    user: User,
    plan_ref: str | int,
    item_id: str,
    period_id: str,
    comment: str = "",
    *,
    now: dt.datetime | None = None,
) -> ProgressReport:
    """The office accepts a submitted report (采纳); an accepted report is final."""
    text = check_comment(comment, required=False)
    return _move(
        uow,
        user,
        plan_ref,
        item_id,
        period_id,
        ReviewState.ACCEPTED,
        action="report.accept",
        what="accept the report",
        what_zh="采纳报告",
        comment=text,
        review=True,
        now=now,
    )
