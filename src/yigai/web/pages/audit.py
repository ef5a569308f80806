"""The audit-log browser (office admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from yigai.domain.users import Role, User
from yigai.web.deps import DbInt, UowDep, require_role
from yigai.web.pages.render import render
from yigai.web.viewmodels.audit import AuditFilters, audit_page
from yigai.web.viewmodels.common import parse_day

router = APIRouter()
OfficeAdmin = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN, page=True))]


@router.get("/audit")
def audit(
    request: Request,
    user: OfficeAdmin,
    uow: UowDep,
    actor: str = "",
    action: str = "",
    entity: str = "",
    key: str = "",
    since: str = "",
    until: str = "",
    page: DbInt = 1,
) -> Response:
    filters = AuditFilters(
        actor, action, entity, key, parse_day(since) if since else None, parse_day(until) if until else None
    )
    return render(request, "audit.html", {"view": audit_page(uow, user, filters, page)})
