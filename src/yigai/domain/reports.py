"""Progress reports (督办): per measure (or task) × period, versioned, with a review workflow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from yigai.domain.periods import Period


class ProgressStatus(StrEnum):
    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    COMPLETED = "已完成"
    DELAYED = "滞后"
    BLOCKED = "受阻"


class ReviewState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


REVIEW_LABELS = {
    ReviewState.DRAFT: "草稿",
    ReviewState.SUBMITTED: "已提交",
    ReviewState.RETURNED: "已退回",
    ReviewState.ACCEPTED: "已采纳",
}

# Which review moves are allowed: the office returns or accepts what was submitted;
# the department resubmits what was returned.
TRANSITIONS: dict[ReviewState, frozenset[ReviewState]] = {
    ReviewState.DRAFT: frozenset({ReviewState.DRAFT, ReviewState.SUBMITTED}),
    ReviewState.SUBMITTED: frozenset({ReviewState.RETURNED, ReviewState.ACCEPTED}),
    ReviewState.RETURNED: frozenset({ReviewState.DRAFT, ReviewState.SUBMITTED}),
    ReviewState.ACCEPTED: frozenset(),
}


class Timeliness(StrEnum):
    ON_TIME = "on_time"  # 按时
    LATE = "late"  # 逾期提交
    MISSING = "missing"  # 未报送
    NOT_DUE = "not_due"  # 尚未到期


@dataclass(frozen=True, slots=True)
class Evidence:
    """An evidence file, stored content-addressed under the data directory."""

    sha256: str
    filename: str
    size: int
    content_type: str


@dataclass(slots=True)
class ProgressReport:
    """One version of a report. A save creates a new version; none is overwritten."""

    plan_id: int
    item_id: str  # a measure id ("T4.M2") or, for a task without measures, the task id ("T4")
    period_id: str
    department: str  # canonical name of the reporting (lead) department
    status: ProgressStatus
    percent: float  # 0-100
    narrative: str = ""  # 进展情况
    problems: str = ""  # 存在问题
    next_steps: str = ""  # 下步打算
    evidence: list[Evidence] = field(default_factory=list)
    contributions: dict[str, str] = field(default_factory=dict)  # cooperating department → text
    state: ReviewState = ReviewState.DRAFT
    version: int = 1
    author: str = ""
    saved_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    reviewed_at: dt.datetime | None = None
    reviewer: str = ""
    review_comment: str = ""


def due_date(period: Period, due_days: int) -> dt.date:
    """Reports for ``period`` are due ``due_days`` days after it ends."""
    return period.end + dt.timedelta(days=due_days)


def timeliness(submitted_at: dt.datetime | None, period: Period, due_days: int, at: dt.date) -> Timeliness:
    """On time, late or missing against the due day (DHIS2's on-time rate is the model)."""
    deadline = due_date(period, due_days)
    if submitted_at is None:
        return Timeliness.MISSING if at > deadline else Timeliness.NOT_DUE
    return Timeliness.ON_TIME if submitted_at.date() <= deadline else Timeliness.LATE
