"""The review desk (审核台) through the API: what waits for the office, and batch accept / return.

``GET /review/reports`` lists the reports (default: waiting, 待审核) across plans, filtered by plan,
department, period, state and timeliness; each carries the version the reviewer sees, which a
batch then names. ``POST /review/accept`` and ``POST /review/return`` review many reports in one
transaction: a report changed since (another version now) is refused by name; with
``partial`` the others are saved, without it nothing is (409).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from yigai.domain.reports import REVIEW_LABELS, ReviewState, Timeliness
from yigai.domain.users import Role, User
from yigai.services.review_desk import (
    MAX_BATCH,
    TIMELINESS_LABELS,
    BatchOutcome,
    DeskEntry,
    DeskFilter,
    Pick,
    desk,
    review_batch,
    waiting_count,
)
from yigai.storage.audit import jsonable
from yigai.web.api.reports import TEXT, report_view
from yigai.web.deps import CurrentUser, DbInt, UowDep, require_role
from yigai.web.exports import ListFormat, export

router = APIRouter(prefix="/review", tags=["review desk"])
Office = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN))]
Fmt = Annotated[ListFormat, Query(alias="format", description="json, csv or xlsx")]

COLUMNS = [
    ("plan_title", "计划"),
    ("task_title", "任务"),
    ("item_title", "事项"),
    ("department", "牵头部门"),
    ("period_label", "报告期"),
    ("due", "报送截止"),
    ("submitted_at", "提交时间"),
    ("timeliness_label", "时效"),
    ("days_late", "逾期天数"),
    ("state_label", "审核状态"),
    ("version", "版本"),
    ("status", "进展状态"),
    ("percent", "完成百分比"),
    ("narrative", "进展情况"),
    ("problems", "存在问题"),
    ("next_steps", "下步打算"),
    ("change_summary", "与上一版相比"),
    ("review_comment", "审核意见"),
]


class DeskState(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    ALL = "all"


class DeskTimeliness(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"


class ReportRef(BaseModel):
    plan: DbInt = Field(ge=1)
    item: str = Field(max_length=64)
    period: str = Field(max_length=16)
    version: DbInt = Field(ge=1, description="the version the reviewer saw (as listed)")
    comment: str = Field(default="", max_length=TEXT, description="退回意见 for this report")


class Batch(BaseModel):
    reports: list[ReportRef] = Field(max_length=MAX_BATCH)
    partial: bool = Field(default=False, description="save the others when some are refused (else nothing)")
    comment: str = Field(default="", max_length=TEXT, description="for every report whose own comment is empty")


def entry_view(e: DeskEntry) -> dict[str, Any]:
    r = e.report
    change = e.change
    return {
        **report_view(r),
        "plan_title": e.plan_title,
        "period_label": e.period.label,
        "due": e.due.isoformat(),
        "task": {"id": e.item.task_id, "no": e.task_no, "title": e.task_title},
        "item": {"id": e.item.item_id, "no": e.item.no, "title": e.item.title},
        "task_title": f"{e.task_no} {e.task_title}".strip(),
        "item_title": f"{e.item.no} {e.item.title}".strip(),
        "timeliness": e.timeliness.value,
        "timeliness_label": TIMELINESS_LABELS.get(e.timeliness, ""),
        "days_late": e.days_late,
        "state_label": REVIEW_LABELS[r.state],
        "name": e.name,
        "url": f"/plans/{e.plan_id}/tasks/{quote(e.item.item_id, safe='')}?period={e.period.id}",
        "change": None
        if change is None or e.baseline is None
        else {
            "against": {
                "period_id": e.baseline.period_id,
                "version": e.baseline.version,
                "state": e.baseline.state.value,
                "label": e.baseline_label,
            },
            "status": change.status,
            "percent": change.percent,
            "summary": change.summary,
            "text": [
                {"field": t.field, "label": t.label, "ops": [{"op": o.op, "text": o.text} for o in t.ops]}
                for t in change.texts
            ],
            "new_evidence": [jsonable(ev) for ev in change.new_evidence],
        },
        "change_summary": "首次报送" if change is None else change.summary,
    }


def outcome_view(outcome: BatchOutcome) -> JSONResponse:
    """200 when something was saved or nothing was refused; else (nothing saved) 409 when a report had
    changed since it was listed, 422 when a report could not be reviewed (a return without a comment …)."""
    body = {
        "saved": outcome.saved,
        "message": outcome.message_zh,
        "message_en": outcome.message,
        "reports": [report_view(r) for r in outcome.done],
        "refused": [
            {
                "plan": f.pick.plan_id,
                "item": f.pick.item_id,
                "period": f.pick.period_id,
                "version": f.pick.version,
                "name": f.name,
                "message": f.message_zh,
                "message_en": f.message,
                "conflict": f.conflict,
            }
            for f in outcome.refused
        ],
    }
    if outcome.refused and not outcome.saved:
        body["error"] = {"message": outcome.message_zh, "message_en": outcome.message, "where": "reports"}
        return JSONResponse(body, status_code=409 if outcome.conflict else 422)
    return JSONResponse(body)


def _picks(batch: Batch) -> list[Pick]:
    return [Pick(r.plan, r.item, r.period, r.version, r.comment) for r in batch.reports]


@router.get("/reports", summary="Reports on the review desk (default: waiting for review), across plans")
def reports(
    uow: UowDep,
    _: Office,
    plan: DbInt | None = None,
    department: str = Query("", max_length=200),
    period: str = Query("", max_length=16),
    state: DeskState = DeskState.SUBMITTED,
    timeliness: DeskTimeliness | None = None,
    fmt: Fmt = ListFormat.JSON,
) -> Any:
    flt = DeskFilter(
        plan,
        department,
        period,
        None if state is DeskState.ALL else ReviewState(state.value),
        None if timeliness is None else Timeliness(timeliness.value),
    )
    return export(COLUMNS, [entry_view(e) for e in desk(uow, flt).entries], fmt, "审核台")


@router.get("/count", summary="How many reports wait for review (the navigation's badge)")
def count(uow: UowDep, _: Office) -> dict[str, int]:
    return {"waiting": waiting_count(uow)}


@router.post("/accept", summary="Accept many reports (采纳) in one transaction")
def accept(batch: Batch, uow: UowDep, user: CurrentUser) -> JSONResponse:
    return outcome_view(
        review_batch(uow, user, _picks(batch), accept=True, partial=batch.partial, comment=batch.comment)
    )


@router.post("/return", summary="Return many reports (退回), each with its comment, in one transaction")
def return_(batch: Batch, uow: UowDep, user: CurrentUser) -> JSONResponse:
    return outcome_view(
        review_batch(uow, user, _picks(batch), accept=False, partial=batch.partial, comment=batch.comment)
    )
