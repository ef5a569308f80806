"""The department workspace and its Excel round trip (download the template, upload it filled)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from yigai.domain.errors import YigaiError
from yigai.reports.template_import import TemplateError
from yigai.reports.template_xlsx import MAX_FILE_BYTES
from yigai.services.templates import (
    RowResult,
    TemplateImport,
    TemplateRowsRefusedError,
    import_department_template,
    write_department_template,
)
from yigai.web.deps import AppDep, DbInt, PageUser, UowDep, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.files import XLSX, attachment, produce, saved_upload
from yigai.web.pages.render import render
from yigai.web.viewmodels.common import item_url, parse_day
from yigai.web.viewmodels.workspace import workspace

router = APIRouter()
write = APIRouter(dependencies=[Depends(verify_csrf)])


@router.get("/workspace")
def workspace_page(request: Request, user: PageUser, uow: UowDep, dept: str = "", at: str | None = None) -> Response:
    return render(request, "workspace.html", {"view": workspace(uow, user, parse_day(at), dept)})


@router.get("/workspace/template.xlsx")
def template(user: PageUser, uow: UowDep, plan: DbInt, dept: str, period: str) -> Response:
    name = f"{dept}-{period}-进展填报模板.xlsx"
    data = produce(name, lambda path: write_department_template(uow, plan, dept, period, path, viewer=user))
    return attachment(data, name, XLSX)


@write.post("/workspace/template")
def upload(
    request: Request,
    user: PageUser,
    app: AppDep,
    plan: Annotated[DbInt, Form()],
    dept: Annotated[str, Form()],
    period: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    submit: Annotated[str, Form()] = "",
    save_rest: Annotated[str, Form()] = "",
) -> Response:
    """Import a filled template; the page lists the rows saved, unchanged and refused."""
    result: TemplateImport | None = None
    message, problems, status = "", [], 200
    try:
        with saved_upload(file, (".xlsx",), MAX_FILE_BYTES, "填好的进展填报模板") as path:
            result = import_department_template(
                app.uow(), user, plan, dept, period, path, submit=bool(submit), save_rest=bool(save_rest)
            )
        message = import_summary(result)
    except TemplateRowsRefusedError as exc:
        result, status = exc.result, 422
        message = exc.message_zh.splitlines()[0]
    except TemplateError as exc:
        message, status = f"填报模板有 {len(exc.problems)} 处错误，未保存任何内容：", 422
        problems = [f"{p.where_zh()}：{p.message_zh}" if p.where_zh() else p.message_zh for p in exc.problems]
    except YigaiError as exc:
        message, status = exc.message_zh, status_for(exc)
    groups = (
        []
        if result is None
        else [
            (key, title, [_row_view(result.plan_id, result.period_id, r) for r in rows])
            for key, title, rows in (
                ("refused", "不能保存", result.refused),
                ("saved", "已保存" if result.committed else "可以保存（本次未保存）", result.saved),
                ("unchanged", "未变化，未重复保存", result.unchanged),
            )
        ]
    )
    return render(
        request,
        "template_result.html",
        {
            "result": result,
            "groups": groups,
            "message": message,
            "problems": problems,
            "ok": status == 200,
            "department": result.department if result else dept,
            "period_label": result.period_label if result else "",
            "plan_id": plan,
            "period_id": period,
            "can_upload": status != 403,
        },
        status_code=status,
    )


def import_summary(result: TemplateImport) -> str:
    """导入完成：保存 2 行（已提交），未变化 18 行…"""
    text = (
        f"导入完成：保存 {len(result.saved)} 行（{'已提交' if result.submit else '草稿'}），"
        f"未变化 {len(result.unchanged)} 行"
    )
    if result.refused:
        text += f"；{len(result.refused)} 行不能保存，其余各行已保存"
    return text + "。"


def _row_view(plan_id: int, period_id: str, row: RowResult) -> dict[str, object]:
    return {
        "sheet": row.sheet,
        "row": row.row,
        "label": row.label or row.item_id,
        "note_zh": row.note_zh,
        "url": f"{item_url(plan_id, row.item_id)}?period={period_id}#history" if row.item_id else "#",
    }
