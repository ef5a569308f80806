"""Indicators: the catalogue, one indicator's page, value entry and file import."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from yigai.domain.errors import YigaiError
from yigai.domain.periods import period_label
from yigai.services.errors import ImportFileError, UnconfirmedValueError
from yigai.services.values import enter_value, import_values
from yigai.web.deps import AppDep, PageUser, UowDep, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.files import saved_upload
from yigai.web.pages.render import render
from yigai.web.viewmodels.common import parse_day
from yigai.web.viewmodels.indicators import indicator_list, indicator_page

router = APIRouter()
write = APIRouter(dependencies=[Depends(verify_csrf)])
MAX_IMPORT_BYTES = 20 * 1024 * 1024
DONE = {"entered": "已保存。", "same": "与现有值相同，未改变。", "outlier": "已确认保存；该值已标记为可疑值。"}


@router.get("/indicators")
def indicators(request: Request, user: PageUser, uow: UowDep) -> Response:
    return render(request, "indicators.html", {"rows": indicator_list(uow)})


@router.get("/indicators/{code}")
def indicator(
    request: Request, user: PageUser, uow: UowDep, code: str, at: str | None = None, done: str = ""
) -> Response:
    view = indicator_page(uow, user, code, parse_day(at))
    return render(request, "indicator.html", {"view": view, "message": DONE.get(done, ""), "ok": True})


@write.post("/indicators/{code}/values")
def enter(
    request: Request,
    user: PageUser,
    app: AppDep,
    code: str,
    org_unit: Annotated[str, Form()],
    period: Annotated[str, Form()],
    value: Annotated[str, Form()],
    comment: Annotated[str, Form(max_length=2000)] = "",
    plan: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    try:
        saved = enter_value(
            app.uow(),
            user,
            code,
            org_unit,
            period,
            value,
            comment=comment,
            plan_ref=int(plan) if plan.isdigit() else None,
            confirm=bool(confirm),
        )
    except YigaiError as exc:
        # What was typed stays in the form; a suspicious value asks to be confirmed.
        view = indicator_page(app.uow(), user, code)
        form = {"org_unit": org_unit, "period": period, "value": value, "comment": comment, "plan": plan}
        if isinstance(exc, UnconfirmedValueError):
            message, reasons = "该数值可疑，尚未保存。请核实后勾选「已核实，确认保存」再保存。", exc.reasons
        else:
            message, reasons = exc.message_zh, []
        return render(
            request,
            "indicator.html",
            {"view": view, "entry_error": message, "form": form, "reasons": reasons},
            status_code=status_for(exc),
        )
    done = "outlier" if saved.outlier else ("entered" if saved.changed else "same")
    return RedirectResponse(f"/indicators/{quote(code)}?done={done}", status_code=303)


@write.post("/indicators/{code}/import")
def upload(
    request: Request,
    user: PageUser,
    app: AppDep,
    code: str,
    file: Annotated[UploadFile, File()],
    plan: Annotated[str, Form()] = "",
) -> Response:
    problems: list[str] = []
    try:
        with saved_upload(file, (".csv", ".xlsx"), MAX_IMPORT_BYTES, "数据文件") as path:
            saved = import_values(app.uow(), user, path, plan_ref=int(plan) if plan.isdigit() else None)
        changed = sum(1 for s in saved if s.changed)
        suspicious = [s for s in saved if s.changed and s.outlier]
        message, status = (
            f"已导入 {len(saved)} 行，其中新值或修改 {changed} 个，可疑值 {len(suspicious)} 个（已标记）。",
            200,
        )
        problems = [
            f"{s.value.org_unit} {period_label(s.value.period_id)} = {s.value.value:g}："
            + "；".join(c.message_zh for c in s.concerns)
            for s in suspicious
        ]
    except ImportFileError as exc:
        message, status = exc.message_zh, 422
        problems = [f"第{e.row}行 {e.column}：{e.message_zh}" for e in exc.errors]
    except YigaiError as exc:
        message, status = exc.message_zh, status_for(exc)
    view = indicator_page(app.uow(), user, code)
    return render(
        request,
        "indicator.html",
        {"view": view, "message": message, "problems": problems, "ok": status == 200},
        status_code=status,
    )
