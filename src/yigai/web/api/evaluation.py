"""Schedules, evaluation, the office's scoring weights, comparison and bulletins (通报)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from yigai import clock
from yigai.domain.periods import PeriodType
from yigai.domain.reports import due_date
from yigai.evaluation.scoring import default_scheme_dict
from yigai.services.bulletins import write_bulletin
from yigai.services.compare import compare_plans, compare_regions
from yigai.services.evaluate import evaluate_plan
from yigai.services.schedules import get_schedule, set_schedule
from yigai.services.scoring import OfficeScheme, office_scheme, reset_office_scheme, set_office_scheme
from yigai.storage.audit import jsonable
from yigai.storage.report_repository import ReportingSchedule
from yigai.web.deps import CurrentUser, DbInt, UowDep
from yigai.web.exports import XLSX_TYPE
from yigai.web.files import download, scratch_file

router = APIRouter(tags=["evaluation"])

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class BulletinFormat(StrEnum):
    DOCX = "docx"
    XLSX = "xlsx"
    HTML = "html"


BULLETIN_TYPES = {
    BulletinFormat.DOCX: DOCX_TYPE,
    BulletinFormat.XLSX: XLSX_TYPE,
    BulletinFormat.HTML: "text/html; charset=utf-8",
}


class ScheduleBody(BaseModel):
    type: PeriodType
    first: str = Field(max_length=20, description="first period, e.g. 2021Q3 or 2021年第3季度")
    last: str = Field(max_length=20, description="last period, e.g. 2025Q4 or 2025年第4季度")
    due_days: DbInt = Field(default=15, description="days after a period's end within which a report is on time")


def schedule_view(s: ReportingSchedule) -> dict[str, Any]:
    return {
        "plan_id": s.plan_id,
        "type": s.type.value,
        "first": s.first,
        "last": s.last,
        "due_days": s.due_days,
        "updated_by": s.updated_by,
        "updated_at": s.updated_at.isoformat() if s.updated_at else None,
        "periods": [
            {
                "id": p.id,
                "label": p.label,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "due": due_date(p, s.due_days).isoformat(),
            }
            for p in s.periods
        ],
    }


def _day(at: dt.date | None) -> dt.date:
    return at or clock.now().date()


@router.get("/plans/{plan}/schedule", summary="The plan's reporting periods with their due dates")
def schedule(plan: str, uow: UowDep, _: CurrentUser) -> dict[str, Any]:
    return schedule_view(get_schedule(uow, plan))


@router.put("/plans/{plan}/schedule", summary="Office: set the plan's reporting schedule")
def schedule_set(plan: str, body: ScheduleBody, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return schedule_view(set_schedule(uow, user, plan, body.type, body.first, body.last, body.due_days))


@router.get("/plans/{plan}/evaluation", summary="Status of every item, targets, scores and ranking at a date")
def evaluation(plan: str, uow: UowDep, _: CurrentUser, at: dt.date | None = None, org_unit: str | None = None) -> Any:
    return jsonable(evaluate_plan(uow, plan, _day(at), org_unit=org_unit))


@router.get("/compare", summary="Rank plans on an indicator, or (with plan and org_unit) regions on a plan's target")
def compare(
    indicator: str,
    uow: UowDep,
    _: CurrentUser,
    at: dt.date | None = None,
    plan: str | None = None,
    org_unit: Annotated[list[str] | None, Query()] = None,
) -> list[Any]:
    if plan is not None:
        return [jsonable(r) for r in compare_regions(uow, plan, indicator, org_unit or [], _day(at))]
    return [jsonable(r) for r in compare_plans(uow, indicator, _day(at))]


@router.get("/plans/{plan}/bulletin", summary="The bulletin (通报) of a period as DOCX, XLSX or HTML")
def bulletin(
    plan: str,
    period: str,
    uow: UowDep,
    _: CurrentUser,
    fmt: Annotated[BulletinFormat, Query(alias="format")] = BulletinFormat.DOCX,
    at: dt.date | None = None,
) -> Any:
    with scratch_file(f"bulletin.{fmt.value}") as path:
        write_bulletin(uow, plan, period, fmt.value, path, at=at)
        data = path.read_bytes()
    return download(
        data, f"计划{plan}-{period}-通报.{fmt.value}", BULLETIN_TYPES[fmt], inline=fmt is BulletinFormat.HTML
    )


class SchemeBody(BaseModel):
    values: dict[str, Any] = Field(
        description='the keys to change, nested as in scoring.yaml, e.g. {"parts": {"tasks": 70, "indicators": 30}}'
    )
    note: str = Field(default="", max_length=500)


def scheme_json(scheme: OfficeScheme) -> dict[str, Any]:
    stored = scheme.stored
    return {
        "values": scheme.values,
        "default": default_scheme_dict(),
        "is_default": scheme.is_default,
        "version": stored.version if stored else None,
        "saved_by": stored.created_by if stored else None,
        "saved_at": stored.created_at.isoformat() if stored else None,
        "note": stored.note if stored else "",
    }


@router.get("/scoring", summary="The office's scoring weights in effect (and the shipped default)")
def scoring(uow: UowDep, _: CurrentUser) -> dict[str, Any]:
    return scheme_json(office_scheme(uow))


@router.put("/scoring", summary="Office: change scoring weights (validated; stored as a new version, audited)")
def scoring_set(body: SchemeBody, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return scheme_json(set_office_scheme(uow, user, body.values, note=body.note))


@router.post("/scoring/reset", summary="Office: back to the shipped default weights (a new version, audited)")
def scoring_reset(uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return scheme_json(reset_office_scheme(uow, user))
