"""Sign-in, sign-out, the current user and password changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from yigai.domain.users import ROLE_LABELS, User
from yigai.services import auth
from yigai.web.deps import AppDep, CurrentUser, OptionalUser
from yigai.web.security import clear_session_cookie, client_address, csrf_token, session_token, set_session_cookie

# The login route is the one write without a session, so it lives outside the CSRF-checked router.
public = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(prefix="/auth", tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class PasswordChange(BaseModel):
    password: str = Field(max_length=256)
    current_password: str = Field(default="", max_length=256, description="required")


def user_view(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "role_label": ROLE_LABELS[user.role],
        "departments": sorted(user.departments),
        "org_units": sorted(user.org_units),
        "active": user.active,
        "active_label": "启用" if user.active else "已停用",
    }


@public.post("/login", summary="Sign in (sets the session cookie; returns the CSRF token)")
def login(body: Credentials, request: Request, response: Response, app: AppDep) -> dict[str, Any]:
    signed = auth.login(
        app.uow(),
        body.username,
        body.password,
        client=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    set_session_cookie(response, request, signed.token)
    return {"user": user_view(signed.user), "csrf_token": signed.csrf_token}


@router.post("/logout", summary="Sign out (ends the server-side session)")
def logout(request: Request, response: Response, app: AppDep, user: OptionalUser) -> dict[str, bool]:
    token = session_token(request)
    if token:
        auth.logout(app.uow(), token, user.username if user else "")
    clear_session_cookie(response, request)
    return {"ok": True}


@router.get("/me", summary="The signed-in user and the CSRF token for writes")
def me(request: Request, user: CurrentUser) -> dict[str, Any]:
    return {"user": user_view(user), "csrf_token": csrf_token(request)}


@router.post("/password", summary="Change your own password, giving the current one (ends your sessions)")
def change_password(
    body: PasswordChange, app: AppDep, user: CurrentUser, request: Request, response: Response
) -> dict[str, bool]:
    auth.change_own_password(app.uow(), user, body.current_password, body.password)
    clear_session_cookie(response, request)
    return {"ok": True}
