"""Plans: the list, the plan page (section tree, tasks with status chips, filters), the XLSX export, and
(office admins) departments for many tasks at once."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yigai.domain.errors import YigaiError
from yigai.domain.users import Role, User
from yigai.reports.xlsx_export import write_plan_xlsx
from yigai.services.assignment import assign_plan_departments
from yigai.services.plans import get_plan
from yigai.web.deps import AppDep, DbInt, PageUser, UowDep, require_role, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.files import XLSX, attachment, produce
from yigai.web.pages.render import is_htmx, render
from yigai.web.viewmodels.assign import assign_page
from yigai.web.viewmodels.common import parse_day
from yigai.web.viewmodels.plans import Filters, plan_page, plans_list
from yigai.web.viewmodels.review import assign_form

router = APIRouter()
write = APIRouter(dependencies=[Depends(verify_csrf)])
OfficeAdmin = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN, page=True))]


@router.get("/plans")
def plans(request: Request, user: PageUser, uow: UowDep, at: str | None = None) -> Response:
    return render(request, "plans.html", {"rows": plans_list(uow, parse_day(at))})


@router.get("/plans/{plan_id:int}")
def plan(
    request: Request,
    user: PageUser,
    uow: UowDep,
    plan_id: DbInt,
    department: str = "",
    status: str = "",
    category: str = "",
    deadline: str = "",
    at: str | None = None,
) -> Response:
    view = plan_page(uow, plan_id, parse_day(at), Filters(department, status, category, deadline))
    template = (
        "_plan_tasks.html" if is_htmx(request) and request.headers.get("HX-Target") == "task-list" else "plan.html"
    )
    return render(request, template, {"view": view})


@router.get("/plans/{plan_id:int}/export.xlsx")
def export(user: PageUser, uow: UowDep, plan_id: DbInt) -> Response:
    draft = get_plan(uow, plan_id, shared=True).draft
    name = f"{draft.meta.title or draft.source_name}-任务清单.xlsx"
    return attachment(produce(name, lambda path: write_plan_xlsx(draft, path)), name, XLSX)


def _assign(
    request: Request,
    app: AppDep,
    plan_id: int,
    *,
    error: str = "",
    done: str = "",
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    view = assign_page(app.uow(), plan_id)
    typed = typed or {}
    view.selected = set(typed.get("items", ()))
    form = assign_form(
        f"/plans/{plan_id}/assign",
        len(view.unassigned),
        view.departments,
        typed.get("lead", ""),
        typed.get("cooperating", ""),
        typed.get("mode", "add"),
    )
    form["error"], form["done"] = error, done
    return render(request, "plan_assign.html", {"view": view, "assign": form}, status_code=status_code)


@router.get("/plans/{plan_id:int}/assign")
def assign(request: Request, user: OfficeAdmin, app: AppDep, plan_id: DbInt, done: DbInt | None = None) -> Response:
    """Tasks with no lead department first; tick many, pick departments from the registry, assign."""
    message = (
        f"已为 {done} 项事项调整责任部门，进展报告保持不变。"
        if done
        else ("所选事项的部门没有变化。" if done == 0 else "")
    )
    return _assign(request, app, plan_id, done=message)


@write.post("/plans/{plan_id:int}/assign")
def assign_post(
    request: Request,
    user: OfficeAdmin,
    app: AppDep,
    plan_id: DbInt,
    items: Annotated[list[str] | None, Form()] = None,
    lead: Annotated[str, Form(max_length=2000)] = "",
    cooperating: Annotated[str, Form(max_length=2000)] = "",
    mode: Annotated[str, Form()] = "add",
) -> Response:
    try:
        result = assign_plan_departments(app.uow(), user, plan_id, items or [], lead, cooperating, mode=mode)
    except YigaiError as exc:
        typed = {"items": items or [], "lead": lead, "cooperating": cooperating, "mode": mode}
        return _assign(request, app, plan_id, error=exc.message_zh, typed=typed, status_code=status_for(exc))
    return RedirectResponse(f"/plans/{plan_id}/assign?done={len(result.changed)}", status_code=303)
