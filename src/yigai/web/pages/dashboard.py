"""The dashboard (总览): one plan's standing at a date."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yigai.web.deps import DbInt, PageUser, UowDep
from yigai.web.pages.render import render
from yigai.web.viewmodels.common import parse_day
from yigai.web.viewmodels.dashboard import dashboard

router = APIRouter()


@router.get("/")
def dashboard_page(
    request: Request, user: PageUser, uow: UowDep, plan: DbInt | None = None, at: str | None = None
) -> Response:
    view = dashboard(uow, parse_day(at), plan)
    return render(request, "dashboard.html", {"view": view})
