"""The review desk page (审核台, office admins): filter what waits, 采纳 many at once, 退回 one with a comment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yigai.domain.errors import YigaiError
from yigai.domain.users import Role, User
from yigai.services.review_desk import BatchOutcome, review_batch
from yigai.web.deps import AppDep, DbInt, require_role, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.render import render
from yigai.web.viewmodels.common import today
from yigai.web.viewmodels.review_desk import DeskQuery, desk_page, parse_key

OfficeAdmin = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN, page=True))]
router = APIRouter()
write = APIRouter(dependencies=[Depends(verify_csrf)])
DONE = {"accepted": "已采纳 {n} 份报告。", "returned": "已退回 {n} 份报告，部门将在其工作台看到退回意见。"}


def _query(plan: str, dept: str, period: str, state: str, when: str, page: str) -> DeskQuery:
    return DeskQuery(
        plan.strip(),
        dept.strip(),
        period.strip(),
        state.strip() or "submitted",
        when.strip(),
        int(page) if page.strip().isdigit() else 1,
    )


def _render(
    request: Request,
    app: AppDep,
    query: DeskQuery,
    *,
    message: str = "",
    ok: bool = True,
    refused: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        view = desk_page(app.uow(), query, today())
    except YigaiError as exc:  # a bad filter in the URL: the page without filters, and why
        view = desk_page(app.uow(), DeskQuery(), today())
        message, ok, status_code = exc.message_zh, False, status_for(exc)
    return render(
        request,
        "review_desk.html",
        {"view": view, "message": message, "ok": ok, "refused": refused or []},
        status_code=status_code,
    )


@router.get("/review")
def review_desk(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    plan: str = "",
    dept: str = "",
    period: str = "",
    state: str = "submitted",
    when: str = "",
    page: str = "1",
    done: str = "",
    n: DbInt = 0,
) -> Response:
    message = DONE[done].format(n=n) if done in DONE else ""
    return _render(request, app, _query(plan, dept, period, state, when, page), message=message)


def _outcome(request: Request, app: AppDep, query: DeskQuery, outcome: BatchOutcome, done: str) -> Response:
    if not outcome.refused:
        return RedirectResponse(query.url(done=done, n=len(outcome.done)), status_code=303)
    return _render(
        request,
        app,
        query,
        message=outcome.headline_zh,
        ok=outcome.saved,
        refused=[f"{r.name}：{r.message_zh}" for r in outcome.refused],
        status_code=200 if outcome.saved else 409 if outcome.conflict else 422,
    )


@write.post("/review/accept")
def accept(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    items: Annotated[list[str] | None, Form()] = None,
    partial: Annotated[str, Form()] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
    plan: Annotated[str, Form()] = "",
    dept: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    state: Annotated[str, Form()] = "",
    when: Annotated[str, Form()] = "",
    page: Annotated[str, Form()] = "1",
) -> Response:
    """采纳 every ticked report in one transaction (all or nothing unless ``partial``)."""
    query = _query(plan, dept, period, state, when, page)
    try:
        picks = [parse_key(k) for k in items or []]
        outcome = review_batch(app.uow(), user, picks, accept=True, partial=bool(partial), comment=comment)
    except YigaiError as exc:
        return _render(request, app, query, message=exc.message_zh, ok=False, status_code=status_for(exc))
    return _outcome(request, app, query, outcome, "accepted")


@write.post("/review/return")
def return_(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    item: Annotated[str, Form()],
    comment: Annotated[str, Form(max_length=2000)] = "",
    plan: Annotated[str, Form()] = "",
    dept: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    state: Annotated[str, Form()] = "",
    when: Annotated[str, Form()] = "",
    page: Annotated[str, Form()] = "1",
) -> Response:
    """退回 one report with its comment (required)."""
    query = _query(plan, dept, period, state, when, page)
    try:
        outcome = review_batch(app.uow(), user, [parse_key(item, comment)], accept=False)
    except YigaiError as exc:
        return _render(request, app, query, message=exc.message_zh, ok=False, status_code=status_for(exc))
    return _outcome(request, app, query, outcome, "returned")
