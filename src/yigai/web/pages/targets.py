"""A plan's targets and their indicators: everyone reads; the office asks for suggestions and confirms links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yigai.domain.errors import YigaiError
from yigai.domain.users import Role, User
from yigai.services.targets import link_target, suggest_links
from yigai.web.deps import AppDep, DbInt, PageUser, UowDep, require_role, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.render import render
from yigai.web.viewmodels.targets import targets_page

OfficeAdmin = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN, page=True))]
router = APIRouter()
write = APIRouter(dependencies=[Depends(verify_csrf)])
DONE = {"suggested": "已按名称和单位推荐关联指标（待确认）。", "linked": "已确认关联。"}


@router.get("/plans/{plan_id:int}/targets")
def targets(request: Request, user: PageUser, uow: UowDep, plan_id: DbInt, done: str = "") -> Response:
    return render(
        request, "targets.html", {"view": targets_page(uow, plan_id), "message": DONE.get(done, ""), "ok": True}
    )


def _back(request: Request, app: AppDep, plan_id: int, action: Callable[[], object], done: str) -> Response:
    try:
        action()
    except YigaiError as exc:
        return render(
            request,
            "targets.html",
            {"view": targets_page(app.uow(), plan_id), "message": exc.message_zh, "ok": False},
            status_code=status_for(exc),
        )
    return RedirectResponse(f"/plans/{plan_id}/targets?done={done}", status_code=303)


@write.post("/plans/{plan_id:int}/targets/suggest")
def suggest(request: Request, user: OfficeAdmin, app: AppDep, plan_id: DbInt) -> Response:
    return _back(request, app, plan_id, lambda: suggest_links(app.uow(), user, plan_id), "suggested")


@write.post("/plans/{plan_id:int}/targets/{index:int}")
def link(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    plan_id: DbInt,
    index: DbInt,
    indicator: Annotated[str, Form(max_length=100)],
) -> Response:
    return _back(request, app, plan_id, lambda: link_target(app.uow(), user, plan_id, index, indicator), "linked")
