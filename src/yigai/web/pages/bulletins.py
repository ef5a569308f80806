"""Bulletins (通报): choose a plan and a period, preview, download as DOCX, XLSX or HTML."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yigai.domain.errors import NotFoundError
from yigai.reports.bulletin_render import render_bulletin
from yigai.services.bulletins import FORMATS, bulletin_data
from yigai.web.deps import DbInt, PageUser, UowDep
from yigai.web.pages.files import attachment, produce
from yigai.web.pages.render import render
from yigai.web.viewmodels.bulletins import bulletin_page

router = APIRouter()


@router.get("/bulletins")
def bulletins(
    request: Request, user: PageUser, uow: UowDep, plan: DbInt | None = None, period: str | None = None
) -> Response:
    view = bulletin_page(uow, plan, period)
    return render(request, "bulletins.html", {"view": view}, status_code=view.status)


@router.get("/bulletins/{plan_id:int}/{period}.{fmt}")
def download(user: PageUser, uow: UowDep, plan_id: DbInt, period: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        raise NotFoundError(f"no bulletin format {fmt!r}", message_zh=f"不支持的通报格式「{fmt}」", where="format")
    data = bulletin_data(uow, plan_id, period)
    name = f"{data.title}.{fmt}"
    return attachment(produce(name, lambda path: render_bulletin(data, fmt, path)), name)
