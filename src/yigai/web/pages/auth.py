"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yigai.domain.users import Role, User
from yigai.services import auth
from yigai.services.errors import AuthenticationError, TooManyAttemptsError
from yigai.web.deps import AppDep, OptionalUser, verify_csrf
from yigai.web.pages.render import render
from yigai.web.security import client_address, clear_session_cookie, safe_next, session_token, set_session_cookie

router = APIRouter()


def landing(user: User, next_url: str) -> str:
    """Where sign-in leads: the page asked for, else a department reporter's to-do (the workspace), else 总览."""
    target = safe_next(next_url)
    if target == "/" and user.role is Role.DEPARTMENT_REPORTER:
        return "/workspace"
    return target


@router.get("/login")
def login_form(request: Request, user: OptionalUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(landing(user, next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "username": "", "error": ""})


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(request: Request, app: AppDep, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)], next: Annotated[str, Form()] = "/") -> Response:
    try:
        signed = auth.login(app.uow(), username, password, client=client_address(request),
                            user_agent=request.headers.get("user-agent", ""))
    except AuthenticationError as exc:
        status = 429 if isinstance(exc, TooManyAttemptsError) else 401
        page = render(request, "login.html", {"next": safe_next(next), "username": username,
                                              "error": exc.message_zh}, status_code=status)
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
