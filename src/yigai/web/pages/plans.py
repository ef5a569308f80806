"""Plans: the list, the plan page (section tree, tasks with status chips, filters), the XLSX export."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yigai.reports.xlsx_export import write_plan_xlsx
from yigai.services.plans import get_plan
from yigai.web.deps import PageUser, UowDep
from yigai.web.pages.files import XLSX, attachment, produce
from yigai.web.pages.render import is_htmx, render
from yigai.web.viewmodels.common import parse_day
from yigai.web.viewmodels.plans import Filters, plan_page, plans_list

router = APIRouter()


@router.get("/plans")
def plans(request: Request, user: PageUser, uow: UowDep, at: str | None = None) -> Response:
    return render(request, "plans.html", {"rows": plans_list(uow, parse_day(at))})


@router.get("/plans/{plan_id:int}")
def plan(request: Request, user: PageUser, uow: UowDep, plan_id: int, department: str = "", status: str = "",
         category: str = "", deadline: str = "", at: str | None = None) -> Response:
    view = plan_page(uow, plan_id, parse_day(at), Filters(department, status, category, deadline))
    template = "_plan_tasks.html" if is_htmx(request) and request.headers.get("HX-Target") == "task-list" \
        else "plan.html"
    return render(request, template, {"view": view})


@router.get("/plans/{plan_id:int}/export.xlsx")
def export(user: PageUser, uow: UowDep, plan_id: int) -> Response:
    draft = get_plan(uow, plan_id).draft
    name = f"{draft.meta.title or draft.source_name}-任务清单.xlsx"
    return attachment(produce(name, lambda path: write_plan_xlsx(draft, path)), name, XLSX)
