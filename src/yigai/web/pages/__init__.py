"""The server-rendered Chinese pages (Jinja2 + HTMX): one router per area, combined as ``router``.

``create_app`` includes ``router`` and uses ``render_error`` for the error pages.
Handlers are short: they call a view model (``yigai.web.viewmodels``) or a service and
render a template; every state-changing route checks the CSRF token (``verify_csrf``).
"""

from __future__ import annotations

from fastapi import APIRouter

from yigai.web.pages import (
    admin,
    audit,
    auth,
    bulletins,
    dashboard,
    indicators,
    plans,
    review,
    review_desk,
    targets,
    tasks,
    workspace,
)
from yigai.web.pages.render import render_error

__all__ = ["render_error", "router"]

router = APIRouter(include_in_schema=False)
for _module in (
    auth,
    dashboard,
    review,
    review_desk,
    plans,
    targets,
    tasks,
    workspace,
    indicators,
    bulletins,
    admin,
    audit,
):
    router.include_router(_module.router)
    if hasattr(_module, "write"):
        router.include_router(_module.write)
