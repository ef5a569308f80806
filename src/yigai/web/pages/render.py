"""Rendering for the pages: the Jinja environment, its filters, the page context and error pages.

Every page gets ``user``, ``csrf`` (the token forms put in ``<input name="csrf_token">`` and
HTMX sends as ``X-CSRF-Token``), ``nav`` (the menu for the user's role) and ``assets`` (the
vendored files, with their versions in the names). URLs are relative: nothing refers to
another host.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from yigai.clock import aware
from yigai.domain.formatting import fmt_number, fmt_percent, fmt_rate
from yigai.domain.periods import period_label
from yigai.domain.users import ROLE_LABELS, Role, User
from yigai.services.review_desk import waiting_count
from yigai.web.deps import csrf_token
from yigai.web.security import current_session
from yigai.web.viewmodels.audit_labels import ACTION_LABELS

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
HTMX_VERSION = "2.0.11"
ECHARTS_VERSION = "6.1.0"
APP_ASSETS_VERSION = "0.1.0"
ASSETS = {
    "htmx": f"/static/vendor/htmx-{HTMX_VERSION}.min.js",
    "echarts": f"/static/vendor/echarts-{ECHARTS_VERSION}.min.js",
    "app_js": f"/static/app-{APP_ASSETS_VERSION}.js",
    "app_css": f"/static/app-{APP_ASSETS_VERSION}.css",
}

# (path, label, roles that see it; None: everyone signed in)
NAV: tuple[tuple[str, str, frozenset[Role] | None], ...] = (
    ("/", "总览", None),
    ("/plans", "计划与任务", None),
    ("/workspace", "部门工作台", frozenset({Role.OFFICE_ADMIN, Role.DEPARTMENT_REPORTER})),
    ("/review", "审核台", frozenset({Role.OFFICE_ADMIN})),
    ("/indicators", "指标监测", None),
    ("/bulletins", "通报", None),
    ("/plans/import", "导入计划", frozenset({Role.OFFICE_ADMIN})),
    ("/admin", "系统管理", frozenset({Role.OFFICE_ADMIN})),
    ("/audit", "审计日志", frozenset({Role.OFFICE_ADMIN})),
)


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = (aware(value) or value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _datetime(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    local = aware(value) or value
    return local.strftime("%Y-%m-%d %H:%M")


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MiB" if n >= 1048576 else f"{max(1, n // 1024)} KiB"


def _clamp(percent: float) -> float:
    """A bar's width: the percent within 0–100 (Jinja's min/max filters cost more than the bar)."""
    return max(0.0, min(100.0, percent))


def _environment() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters.update(
        rate=fmt_rate,
        pct=fmt_percent,
        num=fmt_number,
        cdate=_date,
        cdatetime=_datetime,
        size=_size,
        period=period_label,
        clamp=_clamp,
    )
    env.globals.update(assets=ASSETS, role_labels=ROLE_LABELS, Role=Role, action_labels=ACTION_LABELS)
    env.auto_reload = False  # the templates ship with the package: no stat of each file per page
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


templates = _environment()


def nav_for(user: User | None, path: str, badges: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The menu for the user's role; ``badges`` puts a count beside an entry (审核台: reports waiting)."""
    if user is None:
        return []
    items = []
    for href, label, roles in NAV:
        if roles is not None and user.role not in roles:
            continue
        active = path == href if href in ("/", "/plans") else path.startswith(href)
        if (
            href == "/plans"
            and path.startswith("/plans")
            and not path.startswith("/plans/import")
            and not path.startswith("/plans/review")
        ):
            active = True
        items.append({"href": href, "label": label, "active": active, "badge": (badges or {}).get(href, 0)})
    return items


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render a page (or, for an HTMX request, a partial template) with the common context."""
    active = current_session(request)
    user = active.user if active else None
    badges = {"/review": waiting_count(request.app.state.yigai.uow())} if user is not None and user.can_review else {}
    ctx = {
        "user": user,
        "csrf": csrf_token(request),
        "nav": nav_for(user, request.url.path, badges),
        "path": request.url.path,
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_error(request: Request, status: int, error: dict[str, Any]) -> HTMLResponse:
    """The error page (``web.errors`` calls this for every page route): the message in Chinese."""
    return render(request, "error.html", {"status": status, "error": error}, status_code=status)
