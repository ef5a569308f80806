"""The department workspace and its Excel round trip (download the template, upload it filled)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from yigai.domain.errors import YigaiError
from yigai.domain.periods import period_label
from yigai.reports.template_import import TemplateError
from yigai.reports.template_xlsx import MAX_FILE_BYTES
from yigai.services.templates import import_department_template, write_department_template
from yigai.web.deps import AppDep, PageUser, UowDep, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.files import XLSX, attachment, produce, saved_upload
from yigai.web.pages.render import render
from yigai.web.viewmodels.common import parse_day, today
from yigai.web.viewmodels.workspace import workspace

router = APIRouter()
write = APIRouter(dependencies=[Depends(verify_csrf)])


@router.get("/workspace")
def workspace_page(request: Request, user: PageUser, uow: UowDep, dept: str = "", at: str | None = None) -> Response:
    return render(request, "workspace.html", {"view": workspace(uow, user, parse_day(at), dept)})


@router.get("/workspace/template.xlsx")
def template(user: PageUser, uow: UowDep, plan: int, dept: str, period: str) -> Response:
    name = f"{dept}-{period}-进展填报模板.xlsx"
    data = produce(name, lambda path: write_department_template(uow, plan, dept, period, path))
    return attachment(data, name, XLSX)


@write.post("/workspace/template")
def upload(request: Request, user: PageUser, app: AppDep, plan: Annotated[int, Form()], dept: Annotated[str, Form()],
           period: Annotated[str, Form()], file: Annotated[UploadFile, File()],
           submit: Annotated[str, Form()] = "") -> Response:
    message, problems, status = "", [], 200
    try:
        with saved_upload(file, (".xlsx",), MAX_FILE_BYTES, "填好的进展填报模板") as path:
            result = import_department_template(app.uow(), user, plan, dept, period, path, submit=bool(submit))
        message = f"已导入 {len(result.reports)} 条进展报告（{period_label(result.period_id)}，{'已提交' if submit else '草稿'}）。"
    except TemplateError as exc:
        message, status = f"填报模板有 {len(exc.problems)} 处错误，未保存任何内容：", 422
        problems = [f"{p.where_zh()}：{p.message_zh}" if p.where_zh() else p.message_zh for p in exc.problems]
    except YigaiError as exc:
        message, status = exc.message_zh, status_for(exc)
    view = workspace(app.uow(), user, today(), dept)
    return render(request, "workspace.html", {"view": view, "message": message, "problems": problems,
                                              "ok": status == 200}, status_code=status)
