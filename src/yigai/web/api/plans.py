"""Plans: list, one plan, its source, tasks and measures, items, targets, responsibility matrix, XLSX export."""

from __future__ import annotations

import dataclasses
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query

from yigai.domain.plan import Category
from yigai.domain.serialize import meta_dict, section_dict, target_dict, task_dict
from yigai.reports.xlsx_export import build_workbook
from yigai.services.assignment import assign_plan_departments
from yigai.services.items import report_items
from yigai.services.plans import (
    department_matrix,
    get_plan,
    get_summary,
    list_plans,
    tasks_for_department,
)
from yigai.storage.repository import PlanSummary
from yigai.web.api.drafts import Assign, assignment_view
from yigai.web.deps import AppDep, CurrentUser, UowDep
from yigai.web.exports import XLSX_TYPE, ListFormat, export
from yigai.web.files import download

router = APIRouter(prefix="/plans", tags=["plans"])

PLAN_COLUMNS = [
    ("id", "编号"),
    ("title", "标题"),
    ("doc_number", "文号"),
    ("issuer", "发文机关"),
    ("date", "成文日期"),
    ("region", "地区"),
    ("tasks", "任务数"),
    ("measures", "措施数"),
    ("departments", "部门数"),
    ("targets", "指标目标数"),
    ("imported_at", "导入时间"),
]
MATRIX_COLUMNS = [
    ("name", "部门"),
    ("kind", "类型"),
    ("lead_tasks", "牵头任务"),
    ("cooperating_tasks", "配合任务"),
    ("lead_measures", "牵头措施"),
    ("cooperating_measures", "配合措施"),
    ("lead_projects", "牵头项目"),
    ("cooperating_projects", "配合项目"),
]
ITEM_COLUMNS = [
    ("item_id", "事项编号"),
    ("no", "序号"),
    ("section", "所属部分"),
    ("title", "事项"),
    ("lead", "牵头部门"),
    ("cooperating", "配合部门"),
    ("deadline", "完成时间"),
]
Fmt = Annotated[ListFormat, Query(alias="format", description="json, csv or xlsx")]


def summary_view(s: PlanSummary) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "doc_number": s.doc_number,
        "issuer": s.issuer,
        "date": s.date.isoformat() if s.date else None,
        "region": s.region,
        "source_name": s.source_name,
        "imported_at": s.imported_at.isoformat(),
        **dataclasses.asdict(s.counts),
    }


@router.get("", summary="Imported plans with their counts")
def plans(uow: UowDep, _: CurrentUser, fmt: Fmt = ListFormat.JSON) -> Any:
    return export(PLAN_COLUMNS, [summary_view(s) for s in list_plans(uow)], fmt, "计划列表")


@router.get("/{plan}", summary="One plan (by id or 文号): metadata, counts and section tree")
def plan(plan: str, app: AppDep, _: CurrentUser) -> dict[str, Any]:
    record = get_plan(app.uow(), plan, shared=True)
    summary = get_summary(app.uow(), record.id)
    return {
        "id": record.id,
        "meta": meta_dict(record.draft.meta),
        "summary": summary_view(summary),
        "sections": [section_dict(s) for s in record.draft.sections],
    }


@router.get("/{plan}/source", summary="The plan's source text (provenance spans index into it)")
def source(plan: str, uow: UowDep, _: CurrentUser) -> dict[str, Any]:
    record = get_plan(uow, plan, shared=True)
    return {"id": record.id, "source_name": record.draft.source_name, "text": record.draft.source_text}


@router.get("/{plan}/tasks", summary="Tasks with their measures, optionally one department's or one category's")
def tasks(
    plan: str, uow: UowDep, _: CurrentUser, department: str | None = None, category: Category | None = None
) -> list[dict[str, Any]]:
    draft = get_plan(uow, plan, shared=True).draft
    selected = tasks_for_department(draft, department) if department else draft.tasks
    if category is not None:
        selected = [
            t for t in selected if category in t.categories or any(category in m.categories for m in t.measures)
        ]
    return [task_dict(t) for t in selected]


@router.get("/{plan}/items", summary="Reportable items (measures, or tasks without measures) with lead departments")
def items(
    plan: str,
    uow: UowDep,
    _: CurrentUser,
    department: str | None = None,
    without_lead: Annotated[bool, Query(description="only the items no department leads")] = False,
    fmt: Fmt = ListFormat.JSON,
) -> Any:
    rows = [
        {
            "item_id": i.item_id,
            "task_id": i.task_id,
            "no": i.no,
            "title": i.title,
            "section": i.section,
            "lead": list(i.lead),
            "cooperating": list(i.cooperating),
            "deadline": i.deadline.raw,
            "deadline_date": i.deadline.date.isoformat() if i.deadline.date else None,
        }
        for i in report_items(get_plan(uow, plan, shared=True).draft)
        if (department is None or department in i.lead or department in i.cooperating) and not (without_lead and i.lead)
    ]
    return export(ITEM_COLUMNS, rows, fmt, f"计划{plan}事项")


@router.post(
    "/{plan}/assignments",
    summary="Assign lead and cooperating departments to many tasks or measures "
    "of a published plan at once (office only; audited; progress reports are kept)",
)
def assign(plan: str, body: Assign, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return assignment_view(
        assign_plan_departments(uow, user, plan, body.items, body.lead, body.cooperating, mode=body.mode)
    )


@router.get("/{plan}/targets", summary="The plan's quantitative targets, numbered from 0")
def targets(plan: str, uow: UowDep, _: CurrentUser) -> list[dict[str, Any]]:
    return [{"index": i, **target_dict(t)} for i, t in enumerate(get_plan(uow, plan, shared=True).draft.targets)]


@router.get("/{plan}/departments", summary="Responsibility matrix: department × tasks and measures led or supported")
def departments(plan: str, uow: UowDep, _: CurrentUser, fmt: Fmt = ListFormat.JSON) -> Any:
    rows = [
        {**dataclasses.asdict(d), "lead": d.lead, "cooperating": d.cooperating}
        for d in department_matrix(get_plan(uow, plan, shared=True).draft)
    ]
    return export(MATRIX_COLUMNS, rows, fmt, f"计划{plan}部门分工")


@router.get(
    "/{plan}/export.xlsx",
    summary="The plan as a workbook: 任务清单, 指标目标, 项目清单",
    responses={200: {"content": {XLSX_TYPE: {}}}},
)
def export_xlsx(plan: str, uow: UowDep, _: CurrentUser) -> Any:
    record = get_plan(uow, plan, shared=True)
    out = io.BytesIO()
    build_workbook(record.draft).save(out)
    name = record.draft.meta.doc_number or record.draft.meta.title or f"plan-{record.id}"
    return download(out.getvalue(), f"{name}-任务清单.xlsx", XLSX_TYPE)
