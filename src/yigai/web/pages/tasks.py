"""The task and measure page and its forms: report (with evidence), contribute, review; evidence downloads."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from yigai.domain.errors import NotFoundError, YigaiError
from yigai.domain.users import User
from yigai.services.evidence import EvidenceUpload, read_evidence
from yigai.services.reports import add_contribution, save_report
from yigai.services.review import accept_report, resubmit_report, return_report
from yigai.settings import MAX_EVIDENCE_BYTES
from yigai.storage.evidence_store import EvidenceStore
from yigai.storage.uow import UnitOfWork
from yigai.web.deps import AppDep, DbInt, PageUser, UowDep, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.files import attachment
from yigai.web.pages.render import render
from yigai.web.viewmodels.common import item_url, parse_day
from yigai.web.viewmodels.tasks import task_page

router = APIRouter()
write = APIRouter(dependencies=[Depends(verify_csrf)])

DONE = {
    "saved": "已保存草稿。",
    "submitted": "已提交进展报告。",
    "contributed": "已提交配合意见。",
    "accepted": "已采纳该报告。",
    "returned": "已退回该报告。",
    "resubmitted": "已重新提交。",
}


def _page(
    request: Request,
    uow: UnitOfWork,
    user: User,
    plan_id: int,
    item_id: str,
    *,
    period: str | None,
    at: str | None = None,
    error: str = "",
    status_code: int = 200,
    done: str = "",
    typed: dict[str, object] | None = None,
) -> Response:
    """The page; after a refusal ``typed`` holds what was typed (``form`` names the form), shown as typed."""
    view = task_page(uow, user, plan_id, item_id, parse_day(at), period)
    return render(
        request,
        "task.html",
        {"view": view, "error": error, "done": DONE.get(done, ""), "typed": typed or {}},
        status_code=status_code,
    )


def _back(plan_id: int, item_id: str, period: str, done: str) -> RedirectResponse:
    query = urlencode({"period": period, "done": done})
    return RedirectResponse(f"{item_url(plan_id, item_id)}?{query}#history", status_code=303)


@router.get("/plans/{plan_id:int}/tasks/{item_id}")
def task(
    request: Request,
    user: PageUser,
    uow: UowDep,
    plan_id: DbInt,
    item_id: str,
    period: str | None = None,
    at: str | None = None,
    done: str = "",
) -> Response:
    return _page(request, uow, user, plan_id, item_id, period=period, at=at, done=done)


@write.post("/plans/{plan_id:int}/tasks/{item_id}/report")
async def submit(
    request: Request,
    user: PageUser,
    app: AppDep,
    plan_id: DbInt,
    item_id: str,
    period: Annotated[str, Form()],
    department: Annotated[str, Form()],
    status: Annotated[str, Form()],
    percent: Annotated[str, Form()],
    base_version: Annotated[DbInt, Form()],
    narrative: Annotated[str, Form(max_length=20000)] = "",
    problems: Annotated[str, Form(max_length=20000)] = "",
    next_steps: Annotated[str, Form(max_length=20000)] = "",
    action: Annotated[str, Form()] = "submit",
    evidence: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    uploads = [
        EvidenceUpload(f.filename or "", await f.read(MAX_EVIDENCE_BYTES + 1)) for f in evidence or [] if f.filename
    ]
    try:
        try:
            value = float(percent)
        except ValueError:
            value = float("nan")
        save_report(
            app.uow(),
            user,
            plan_id,
            item_id,
            period,
            department,
            status,
            value,
            narrative=narrative,
            problems=problems,
            next_steps=next_steps,
            submit=action == "submit",
            evidence=uploads,
            store=EvidenceStore(app.settings.evidence_dir),
            base_version=base_version,
        )
    except YigaiError as exc:
        typed: dict[str, object] = {
            "form": "report",
            "department": department,
            "status": status,
            "percent": percent,
            "narrative": narrative,
            "problems": problems,
            "next_steps": next_steps,
            "files": [u.filename for u in uploads],
        }
        return _page(
            request,
            app.uow(),
            user,
            plan_id,
            item_id,
            period=period,
            error=exc.message_zh,
            status_code=status_for(exc),
            typed=typed,
        )
    return _back(plan_id, item_id, period, "submitted" if action == "submit" else "saved")


@write.post("/plans/{plan_id:int}/tasks/{item_id}/contribute")
def contribute(
    request: Request,
    user: PageUser,
    app: AppDep,
    plan_id: DbInt,
    item_id: str,
    period: Annotated[str, Form()],
    department: Annotated[str, Form()],
    text: Annotated[str, Form(max_length=20000)],
) -> Response:
    try:
        add_contribution(app.uow(), user, plan_id, item_id, period, department, text)
    except YigaiError as exc:
        return _page(
            request,
            app.uow(),
            user,
            plan_id,
            item_id,
            period=period,
            error=exc.message_zh,
            status_code=status_for(exc),
            typed={"form": "contribute", "department": department, "text": text},
        )
    return _back(plan_id, item_id, period, "contributed")


@write.post("/plans/{plan_id:int}/tasks/{item_id}/review")
def review(
    request: Request,
    user: PageUser,
    app: AppDep,
    plan_id: DbInt,
    item_id: str,
    period: Annotated[str, Form()],
    decision: Annotated[str, Form()],
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    try:
        if decision == "accept":
            accept_report(app.uow(), user, plan_id, item_id, period, comment)
        elif decision == "return":
            return_report(app.uow(), user, plan_id, item_id, period, comment)
        elif decision == "resubmit":
            resubmit_report(app.uow(), user, plan_id, item_id, period)
        else:
            raise NotFoundError(f"unknown decision {decision!r}", message_zh="未知的审核操作", where="decision")
    except YigaiError as exc:
        return _page(
            request,
            app.uow(),
            user,
            plan_id,
            item_id,
            period=period,
            error=exc.message_zh,
            status_code=status_for(exc),
            typed={"form": "review", "comment": comment},
        )
    return _back(plan_id, item_id, period, {"accept": "accepted", "return": "returned"}.get(decision, "resubmitted"))


@router.get("/evidence/{sha256}")
def evidence(user: PageUser, app: AppDep, uow: UowDep, sha256: str) -> Response:
    """An evidence file, by its SHA-256, under the name it was uploaded with and the type of its extension.

    Every signed-in user may read what the reports show; PDFs and images open in the browser.
    """
    ev, data = read_evidence(uow, EvidenceStore(app.settings.evidence_dir), sha256)
    return attachment(
        data, ev.filename, ev.content_type or None, inline=ev.content_type.startswith(("image/", "application/pdf"))
    )
