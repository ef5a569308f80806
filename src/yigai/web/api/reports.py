"""Progress reports (督办): save, contribute, submit, review, history, what is owed, evidence, templates.

Items are measure ids (``T4.M2``) or task ids of tasks without measures (``T4``); periods
are the plan's reporting periods (``2023Q4``). Who may do what is decided by the services:
a department reporter writes only for its own departments, only the office reviews.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from yigai.domain.reports import ProgressReport, ProgressStatus
from yigai.services import review
from yigai.services.errors import EvidenceRejectedError
from yigai.services.evidence import EvidenceUpload, read_evidence
from yigai.services.reminders import owed_reports
from yigai.services.reports import add_contribution, latest_reports, report_history, save_report
from yigai.services.templates import (
    RowResult,
    TemplateImport,
    TemplateRowsRefusedError,
    import_department_template,
    write_department_template,
)
from yigai.settings import MAX_EVIDENCE_BYTES
from yigai.storage.audit import jsonable
from yigai.storage.evidence_store import EvidenceStore
from yigai.web.deps import AppDep, CurrentUser, DbInt, UowDep
from yigai.web.errors import error_body
from yigai.web.exports import XLSX_TYPE, ListFormat, export
from yigai.web.files import check_extension, download, read_upload, saved_upload, scratch_file

router = APIRouter(tags=["reports"])
Fmt = Annotated[ListFormat, Query(alias="format", description="json, csv or xlsx")]
MAX_FILES = 20
TEXT = 20_000
BASE_VERSION = (
    "the version this save edits: the report's current version as last read (0 when there is none "
    "yet); when someone saved a newer one since, nothing is saved and the answer is 409 with "
    "error.current, that newer version"
)

REPORT_COLUMNS = [
    ("period_id", "报告期"),
    ("item_id", "事项编号"),
    ("department", "牵头部门"),
    ("status", "进展状态"),
    ("percent", "完成百分比"),
    ("narrative", "进展情况"),
    ("problems", "存在问题"),
    ("next_steps", "下步打算"),
    ("state", "审核状态"),
    ("version", "版本"),
    ("author", "填报人"),
    ("saved_at", "保存时间"),
    ("submitted_at", "提交时间"),
    ("reviewer", "审核人"),
    ("review_comment", "审核意见"),
]
OWED_COLUMNS = [
    ("department", "牵头部门"),
    ("item_id", "事项编号"),
    ("no", "序号"),
    ("title", "事项"),
    ("period_id", "报告期"),
    ("due", "报送截止"),
    ("days_left", "剩余天数"),
    ("label", "状态"),
    ("timeliness", "时效"),
]


class ReportBody(BaseModel):
    department: str = Field(max_length=200)
    status: ProgressStatus
    percent: float = Field(ge=0, le=100)
    base_version: DbInt = Field(description=BASE_VERSION)
    narrative: str = Field(default="", max_length=TEXT)
    problems: str = Field(default="", max_length=TEXT)
    next_steps: str = Field(default="", max_length=TEXT)
    submit: bool = False


class Contribution(BaseModel):
    department: str = Field(max_length=200)
    text: str = Field(max_length=TEXT)


class Comment(BaseModel):
    comment: str = Field(default="", max_length=TEXT)


def report_view(r: ProgressReport) -> dict[str, Any]:
    data: dict[str, Any] = jsonable(r)
    data["evidence"] = [{**jsonable(e), "url": f"/api/v1/evidence/{e.sha256}"} for e in r.evidence]
    return data


def _store(app: Any) -> EvidenceStore:
    return EvidenceStore(app.settings.evidence_dir)


@router.get("/plans/{plan}/reports", summary="Current version of every report (filter by period, department)")
def reports(
    plan: str,
    uow: UowDep,
    user: CurrentUser,
    period: str | None = None,
    department: str | None = None,
    fmt: Fmt = ListFormat.JSON,
) -> Any:
    rows = [report_view(r) for r in latest_reports(uow, plan, viewer=user, period_id=period, department=department)]
    return export(REPORT_COLUMNS, rows, fmt, f"计划{plan}进展报告")


@router.get("/plans/{plan}/reports/{item}/{period}", summary="Every version of one report, oldest first")
def history(plan: str, item: str, period: str, uow: UowDep, user: CurrentUser) -> list[dict[str, Any]]:
    return [report_view(r) for r in report_history(uow, plan, item, period, viewer=user)]


@router.post(
    "/plans/{plan}/reports/{item}/{period}",
    status_code=201,
    summary="Save a new version (draft, or submitted with submit=true) of the version named by base_version",
)
def save(plan: str, item: str, period: str, body: ReportBody, app: AppDep, user: CurrentUser) -> dict[str, Any]:
    return report_view(
        save_report(
            app.uow(),
            user,
            plan,
            item,
            period,
            body.department,
            body.status,
            body.percent,
            narrative=body.narrative,
            problems=body.problems,
            next_steps=body.next_steps,
            submit=body.submit,
            base_version=body.base_version,
        )
    )


@router.post(
    "/plans/{plan}/reports/{item}/{period}/upload",
    status_code=201,
    summary="Save a new version with evidence files (multipart form)",
)
async def save_with_evidence(
    plan: str,
    item: str,
    period: str,
    app: AppDep,
    user: CurrentUser,
    department: Annotated[str, Form(max_length=200)],
    status: Annotated[ProgressStatus, Form()],
    percent: Annotated[float, Form(ge=0, le=100)],
    base_version: Annotated[DbInt, Form(description=BASE_VERSION)],
    narrative: Annotated[str, Form(max_length=TEXT)] = "",
    problems: Annotated[str, Form(max_length=TEXT)] = "",
    next_steps: Annotated[str, Form(max_length=TEXT)] = "",
    submit: Annotated[bool, Form()] = False,
    evidence: Annotated[list[UploadFile] | None, File(description="pdf ofd docx xlsx doc xls jpg png txt")] = None,
) -> dict[str, Any]:
    files = (evidence or [])[: MAX_FILES + 1]
    if len(files) > MAX_FILES:
        raise EvidenceRejectedError(
            f"at most {MAX_FILES} files per save", message_zh=f"每次最多上传 {MAX_FILES} 个文件", where="evidence"
        )
    uploads = [
        EvidenceUpload(f.filename or "file", await read_upload(f, MAX_EVIDENCE_BYTES, field="evidence")) for f in files
    ]
    return report_view(
        save_report(
            app.uow(),
            user,
            plan,
            item,
            period,
            department,
            status,
            percent,
            narrative=narrative,
            problems=problems,
            next_steps=next_steps,
            submit=submit,
            evidence=uploads,
            store=_store(app),
            base_version=base_version,
        )
    )


@router.post(
    "/plans/{plan}/reports/{item}/{period}/contribute",
    status_code=201,
    summary="A cooperating department's input (配合意见), as a new version",
)
def contribute(plan: str, item: str, period: str, body: Contribution, uow: UowDep, user: CurrentUser) -> Any:
    return report_view(add_contribution(uow, user, plan, item, period, body.department, body.text))


@router.post("/plans/{plan}/reports/{item}/{period}/submit", summary="Submit the latest draft")
def submit(plan: str, item: str, period: str, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return report_view(review.submit_report(uow, user, plan, item, period))


@router.post("/plans/{plan}/reports/{item}/{period}/resubmit", summary="Submit again a returned report")
def resubmit(plan: str, item: str, period: str, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return report_view(review.resubmit_report(uow, user, plan, item, period))


@router.post("/plans/{plan}/reports/{item}/{period}/return", summary="Office: return a submitted report (退回)")
def return_(plan: str, item: str, period: str, body: Comment, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return report_view(review.return_report(uow, user, plan, item, period, body.comment))


@router.post("/plans/{plan}/reports/{item}/{period}/accept", summary="Office: accept a submitted report (采纳)")
def accept(
    plan: str, item: str, period: str, uow: UowDep, user: CurrentUser, body: Comment | None = None
) -> dict[str, Any]:
    return report_view(review.accept_report(uow, user, plan, item, period, body.comment if body else ""))


@router.get("/plans/{plan}/owed", summary="What each lead department owes for a period (default: last ended)")
def owed(
    plan: str,
    uow: UowDep,
    _: CurrentUser,
    department: str | None = None,
    period: str | None = None,
    all: bool = False,
    fmt: Fmt = ListFormat.JSON,
) -> Any:  # noqa: A002
    rows = owed_reports(uow, plan, period_id=period, department=department)
    shown = [{**jsonable(r), "label": r.label, "due_soon": r.due_soon} for r in rows if all or r.owed]
    return export(OWED_COLUMNS, shown, fmt, f"计划{plan}待报清单")


@router.get("/evidence/{sha256}", summary="Download an evidence file by its SHA-256")
def evidence(sha256: str, app: AppDep, _: CurrentUser) -> Any:
    ev, data = read_evidence(app.uow(), _store(app), sha256)
    inline = ev.content_type.startswith(("image/", "application/pdf"))
    return download(data, ev.filename, ev.content_type, inline=inline)


@router.get(
    "/plans/{plan}/template",
    summary="A department's progress template for a period (XLSX)",
    responses={200: {"content": {XLSX_TYPE: {}}}},
)
def template(plan: str, department: str, period: str, uow: UowDep, user: CurrentUser) -> Any:
    with scratch_file("template.xlsx") as path:
        write_department_template(uow, plan, department, period, path, viewer=user)
        data = path.read_bytes()
    return download(data, f"{department}-{period}-进展填报.xlsx", XLSX_TYPE)


@router.post(
    "/plans/{plan}/template",
    status_code=201,
    summary="Import a filled template: changed rows become new versions, unchanged rows are skipped",
    description="Every row is listed as saved, unchanged or refused (sheet, row, item, reason). All or "
    "nothing by default: with a refused row nothing is saved and the answer is 422 with "
    "`error.rows` listing every row; `save_rest=true` saves the other rows.",
)
async def template_import(
    plan: str,
    app: AppDep,
    user: CurrentUser,
    file: UploadFile,
    department: Annotated[str, Form(max_length=200)],
    period: Annotated[str, Form(max_length=8)],
    submit: Annotated[bool, Form()] = False,
    save_rest: Annotated[bool, Form(description="save the savable rows when some are refused")] = False,
) -> Any:
    name = file.filename or "template.xlsx"
    check_extension(name, (".xlsx",))
    data = await read_upload(file, app.settings.max_document_bytes)
    try:
        with saved_upload(data, name) as path:
            result = import_department_template(
                app.uow(), user, plan, department, period, path, submit=submit, save_rest=save_rest
            )
    except TemplateRowsRefusedError as exc:
        return JSONResponse({"error": {**error_body(exc), "rows": template_import_view(exc.result)}}, status_code=422)
    return template_import_view(result)


def template_import_view(result: TemplateImport) -> dict[str, Any]:
    def row(r: RowResult) -> dict[str, Any]:
        return {
            "sheet": r.sheet,
            "row": r.row,
            "item_id": r.item_id,
            "item": r.label,
            "note": r.note_zh,
            "note_en": r.note_en,
            "report": report_view(r.report) if r.report is not None else None,
        }

    return {
        "plan_id": result.plan_id,
        "department": result.department,
        "period_id": result.period_id,
        "submit": result.submit,
        "committed": result.committed,
        "saved": [row(r) for r in result.saved],
        "unchanged": [row(r) for r in result.unchanged],
        "refused": [row(r) for r in result.refused],
        "reports": [report_view(r) for r in result.reports],
    }
