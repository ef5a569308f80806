"""HTTP side of sign-in: the session cookie, CSRF tokens, client addresses, response headers.

The use cases (password check, rate limiting, session store) are in ``yigai.services.auth``;
this module turns them into cookies and checks.

- Session cookie ``yigai_session``: a random token, HttpOnly, SameSite=Lax, Path=/, Secure
  when the request came over HTTPS. A new token at every sign-in (no fixation); sign-out
  deletes the server-side session, so a copied cookie is dead too.
- CSRF: every state-changing request made with a session carries the session's CSRF token,
  in the header ``X-CSRF-Token`` (HTMX, fetch, API clients) or the form field ``csrf_token``.
  Before sign-in (the login form) the token is a random value in the cookie ``yigai_csrf``
  that the form must echo (double submit).
- Every response gets ``nosniff``, ``frame-ancestors 'none'`` and a Content-Security-Policy
  that allows only this host: the app runs on an intranet and loads nothing from outside.
"""

from __future__ import annotations

import hmac
import json
import secrets

from fastapi import Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yigai.services.auth import ActiveSession, session_user

SESSION_COOKIE = "yigai_session"
CSRF_COOKIE = "yigai_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_STATE_SESSION = "yigai_session"
_STATE_COOKIES = "yigai_set_cookies"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def client_address(request: Request) -> str:
    """The address sign-in throttling and the audit log count.

    The TCP peer, or, when the peer is one of ``Settings.trusted_proxies``, the client its
    ``X-Forwarded-For`` names (``create_app`` installs uvicorn's ``ProxyHeadersMiddleware`` for
    exactly those proxies). From any other peer the header is ignored: a forged one picks nothing.
    """
    return request.client.host if request.client else ""


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def current_session(request: Request) -> ActiveSession | None:
    """The live session of this request (looked up once per request), or None."""
    state = request.scope.setdefault("state", {})
    if _STATE_SESSION not in state:
        token = request.cookies.get(SESSION_COOKIE, "")
        state[_STATE_SESSION] = session_user(request.app.state.yigai.uow(), token) if token else None
    found: ActiveSession | None = state[_STATE_SESSION]
    return found


def session_token(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """Put a freshly signed-in session on the response (and drop the pre-login CSRF cookie)."""
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=is_https(request), path="/")
    response.delete_cookie(CSRF_COOKIE, path="/", samesite="lax", secure=is_https(request))


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request))


def csrf_token(request: Request) -> str:
    """The token a form or HTMX request must send back: the session's, or a pre-login one.

    For a visitor without a session a random token is set as the ``yigai_csrf`` cookie
    on the response (by ``SecurityHeadersMiddleware``) unless the request already has one.
    """
    active = current_session(request)
    if active is not None:
        return active.session.csrf_token
    existing = request.cookies.get(CSRF_COOKIE, "")
    if 20 <= len(existing) <= 128:
        return existing
    state = request.scope.setdefault("state", {})
    pending = state.setdefault(_STATE_COOKIES, {})
    if CSRF_COOKIE not in pending:
        pending[CSRF_COOKIE] = secrets.token_urlsafe(32)
    token: str = pending[CSRF_COOKIE]
    return token


def _same(sent: str, expected: str) -> bool:
    return bool(sent) and bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


async def sent_csrf_token(request: Request) -> str:
    """The token the request carries: the header, else the ``csrf_token`` form field."""
    header = request.headers.get(CSRF_HEADER, "")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def csrf_ok(request: Request, *, anonymous: bool) -> bool:
    """Whether a state-changing request carries the right token.

    With a session: the session's token. Without one: if ``anonymous`` (the login form)
    the token of the ``yigai_csrf`` cookie, else True (the request will be refused as
    unauthenticated anyway, with 401 rather than a CSRF error).
    """
    if request.method in SAFE_METHODS:
        return True
    active = current_session(request)
    if active is not None:
        return _same(await sent_csrf_token(request), active.session.csrf_token)
    if not anonymous:
        return True
    return _same(await sent_csrf_token(request), request.cookies.get(CSRF_COOKIE, ""))


class SecurityHeadersMiddleware:
    """Adds the security headers and any cookie queued by ``csrf_token`` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                pending = scope.get("state", {}).get(_STATE_COOKIES, {})
                for name, value in pending.items():
                    secure = "; Secure" if https else ""
                    headers.append("Set-Cookie", f"{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """Refuses a request body larger than ``limit`` bytes with 413, before it is spooled to disk."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(send, self.limit)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "error": {
                "message": f"上传内容过大（上限 {limit // (1024 * 1024)} MiB）",
                "message_en": f"request body too large (limit {limit} bytes)",
                "where": "body",
            }
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def safe_next(url: str | None, default: str = "/") -> str:
    """A local path to go to after sign-in; anything else (another host, ``//x``, ``\\x``) is ``default``."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")) or any(c in url for c in "\r\n\\"):
        return default
    return url
