"""Dependencies shared by the API and the pages (``Annotated`` aliases, as in FastAPI's template).

- ``AppDep``: the ``yigai.bootstrap.App`` (settings and units of work) of this server.
- ``UowDep``: a fresh unit of work (use it in a ``with`` block, or pass it to a service).
- ``CurrentUser``: the signed-in user, else 401 (API).
- ``PageUser``: the signed-in user, else a redirect to ``/login?next=…`` (pages).
- ``OptionalUser``: the signed-in user or None.
- ``DbInt``: the one type of every integer a request carries (ids, versions, pages): 0 to the
  largest stored integer, else 422 — a number beyond it never reaches the database driver.
- ``require_role(Role.OFFICE_ADMIN, …)``: a dependency returning the user if they have one
  of the roles, else 403 (401 when nobody is signed in); ``page=True`` redirects instead.
- ``csrf_token(request)``: the token a page puts in its forms (``<input name="csrf_token">``)
  and in ``hx-headers='{"X-CSRF-Token": "…"}'``.
- ``verify_csrf``: a dependency for every state-changing page route (the login form
  included); 403 when the token is missing or wrong. The API checks it on its own for every
  write made with a session cookie.

Services still check roles and scopes on every write; these dependencies only say who acts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from pydantic import Field

from yigai.bootstrap import App
from yigai.domain.ids import MAX_STORED_INT
from yigai.domain.users import ROLE_LABELS, Role, User
from yigai.storage.uow import SqlUnitOfWork
from yigai.web.errors import LoginRequired
from yigai.web.security import csrf_ok, csrf_token, current_session

__all__ = [
    "AppDep",
    "CurrentUser",
    "DbInt",
    "OptionalUser",
    "PageUser",
    "UowDep",
    "csrf_token",
    "require_role",
    "verify_csrf",
]


DbInt = Annotated[int, Field(ge=0, le=MAX_STORED_INT)]


def get_app(request: Request) -> App:
    app: App = request.app.state.yigai
    return app


AppDep = Annotated[App, Depends(get_app)]


def get_uow(app: AppDep) -> SqlUnitOfWork:
    return app.uow()


UowDep = Annotated[SqlUnitOfWork, Depends(get_uow)]


def not_signed_in() -> HTTPException:
    return HTTPException(
        401,
        {"message": "请先登录", "message_en": "sign in first", "where": "session"},
        headers={"WWW-Authenticate": 'Cookie realm="yigai"'},
    )


def optional_user(request: Request) -> User | None:
    active = current_session(request)
    return None if active is None else active.user


OptionalUser = Annotated[User | None, Depends(optional_user)]


def api_user(user: OptionalUser) -> User:
    if user is None:
        raise not_signed_in()
    return user


CurrentUser = Annotated[User, Depends(api_user)]


def _next_url(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def page_user(request: Request, user: OptionalUser) -> User:
    if user is None:
        raise LoginRequired(_next_url(request))
    return user


PageUser = Annotated[User, Depends(page_user)]


def require_role(*roles: Role, page: bool = False) -> Callable[..., User]:
    """``Depends(require_role(Role.OFFICE_ADMIN))``: the user, if one of ``roles``; else 403."""
    allowed = frozenset(roles)

    def dependency(request: Request, user: OptionalUser) -> User:
        if user is None:
            if page:
                raise LoginRequired(_next_url(request))
            raise not_signed_in()
        if user.role not in allowed:
            names = "、".join(ROLE_LABELS[r] for r in roles)
            raise HTTPException(
                403,
                {
                    "message": f"无权访问：仅{names}可操作",
                    "message_en": f"only {', '.join(r.value for r in roles)} may do this",
                    "where": "user",
                },
            )
        return user

    return dependency


def csrf_refused() -> HTTPException:
    return HTTPException(
        403,
        {
            "message": "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试",
            "message_en": "missing or wrong CSRF token",
            "where": "csrf_token",
        },
    )


async def verify_csrf(request: Request) -> None:
    """For page routes that change state (including the login form): 403 without the right token."""
    if not await csrf_ok(request, anonymous=True):
        raise csrf_refused()


async def verify_api_csrf(request: Request) -> None:
    """For the API: a write made with a session cookie must carry the session's token."""
    if not await csrf_ok(request, anonymous=False):
        raise csrf_refused()
