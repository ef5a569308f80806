"""Sign-in and sign-out pages, and one's own password (any signed-in user)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yigai.domain.errors import YigaiError
from yigai.domain.users import Role, User
from yigai.services import auth
from yigai.services.errors import AuthenticationError, InvalidInputError, TooManyAttemptsError
from yigai.services.passwords import POLICY_ZH
from yigai.web.deps import AppDep, DbInt, OptionalUser, PageUser, verify_csrf
from yigai.web.errors import status_for
from yigai.web.pages.render import render
from yigai.web.security import clear_session_cookie, client_address, safe_next, session_token, set_session_cookie

router = APIRouter()


def landing(user: User, next_url: str) -> str:
    """Where sign-in leads: the page asked for, else a department reporter's to-do (the workspace), else 总览."""
    target = safe_next(next_url)
    if target == "/" and user.role is Role.DEPARTMENT_REPORTER:
        return "/workspace"
    return target


PASSWORD_CHANGED = "密码已修改，所有已登录的会话均已结束，请用新密码重新登录。"


@router.get("/login")
def login_form(request: Request, user: OptionalUser, next: str = "/", changed: DbInt = 0) -> Response:
    if user is not None:
        return RedirectResponse(landing(user, next), status_code=303)
    return render(
        request,
        "login.html",
        {"next": safe_next(next), "username": "", "error": "", "notice": PASSWORD_CHANGED if changed else ""},
    )


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    app: AppDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        signed = auth.login(
            app.uow(),
            username,
            password,
            client=client_address(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except AuthenticationError as exc:
        status = 429 if isinstance(exc, TooManyAttemptsError) else 401
        page = render(
            request,
            "login.html",
            {"next": safe_next(next), "username": username, "error": exc.message_zh},
            status_code=status,
        )
        if isinstance(exc, TooManyAttemptsError):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    response = RedirectResponse(landing(signed.user, next), status_code=303)
    set_session_cookie(response, request, signed.token)
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, app: AppDep, user: OptionalUser) -> Response:
    token = session_token(request)
    if token:
        auth.logout(app.uow(), token, user.username if user else "")
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request)
    return response


@router.get("/account")
def account(request: Request, user: PageUser) -> Response:
    return render(request, "account.html", {"policy": POLICY_ZH, "error": ""})


@router.post("/account/password", dependencies=[Depends(verify_csrf)])
def change_password(
    request: Request,
    app: AppDep,
    user: PageUser,
    current_password: Annotated[str, Form(max_length=256)],
    password: Annotated[str, Form(max_length=256)],
    confirm: Annotated[str, Form(max_length=256)],
) -> Response:
    """Change one's own password with the current one; every session ends, so sign in again."""
    try:
        if password != confirm:
            raise InvalidInputError(
                "the two new passwords differ", message_zh="两次输入的新密码不一致", where="confirm"
            )
        auth.change_own_password(app.uow(), user, current_password, password)
    except YigaiError as exc:
        return render(
            request, "account.html", {"policy": POLICY_ZH, "error": exc.message_zh}, status_code=status_for(exc)
        )
    response = RedirectResponse("/login?changed=1", status_code=303)
    clear_session_cookie(response, request)
    return response
