"""Errors as HTTP responses: ``{"error": {"message": 中文, "message_en": English, "where": field}}``.

Status by exception type::

    AuthenticationError 401 (TooManyAttemptsError 429 with Retry-After)
    PermissionDeniedError, OutOfScopeError 403
    NotFoundError 404
    DuplicateError, PlanHasReportsError, IllegalTransitionError 409; StaleVersionError 409 with "current",
    the newer version of the report
    DocumentTooLargeError 413
    InvalidInputError (every other), PeriodError, TemplateError 422; "errors" lists an import file's rows
    DocumentError 400; ConfigurationError 500; any other YigaiError 400

A request the API cannot parse is 422 with the field named; anything unexpected is 500
with a generic message (the traceback goes to the server log, never to the client).
Under /api the body is JSON; for pages, ``yigai.web.pages.render_error(request, status,
error)`` renders it when the pages module provides one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from yigai.domain.errors import ConfigurationError, DocumentError, DocumentTooLargeError, NotFoundError, YigaiError
from yigai.domain.periods import PeriodError
from yigai.reports.template_import import TemplateError
from yigai.services.errors import (
    AuthenticationError,
    DuplicateError,
    IllegalTransitionError,
    ImportFileError,
    InvalidInputError,
    OutOfScopeError,
    PermissionDeniedError,
    PlanHasReportsError,
    StaleVersionError,
    TooManyAttemptsError,
    UnconfirmedValueError,
)
from yigai.storage.audit import jsonable

log = logging.getLogger("yigai.web")

ErrorRenderer = Callable[[Request, int, dict[str, Any]], Response]

_STATUS: list[tuple[type[YigaiError], int]] = [
    (TooManyAttemptsError, 429),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (OutOfScopeError, 403),
    (NotFoundError, 404),
    (DuplicateError, 409),
    (PlanHasReportsError, 409),
    (IllegalTransitionError, 409),
    (StaleVersionError, 409),
    (DocumentTooLargeError, 413),
    (InvalidInputError, 422),
    (PeriodError, 422),
    (TemplateError, 422),
    (DocumentError, 400),
    (ConfigurationError, 500),
]

_HTTP_ZH = {
    400: "请求有误",
    401: "请先登录",
    403: "无权访问",
    404: "未找到",
    405: "不支持的请求方法",
    409: "与当前状态冲突",
    413: "上传内容过大",
    415: "不支持的内容类型",
    422: "请求参数有误",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误",
}


class RowProblem(BaseModel):
    row: int | None
    column: str
    message: str
    message_en: str
    sheet: str | None = None  # a workbook's sheet (progress templates)
    item: str | None = None  # the task or measure of the row (progress templates)


class FieldProblem(BaseModel):
    where: str
    message_en: str


class ErrorDetail(BaseModel):
    message: str  # Chinese, for people
    message_en: str
    where: str  # the field, file, row or column concerned
    errors: list[RowProblem] | None = None  # an import file's bad rows
    details: list[FieldProblem] | None = None  # a request that could not be parsed
    confirm: list[str] | None = None  # why a value is held: send it again with confirm: true to save it
    current: dict[str, Any] | None = None  # a stale save: the newer version (send its version as base_version)


class ErrorResponse(BaseModel):
    """Every error the API returns has this body."""

    error: ErrorDetail


# Documented on every API route, so clients (and the OpenAPI schema) know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": _HTTP_ZH[status]}
    for status in (400, 401, 403, 404, 409, 413, 415, 422, 429)
}


class LoginRequired(Exception):
    """A page needs a signed-in user: redirect to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def status_for(error: YigaiError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def error_body(error: YigaiError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message": error.message_zh,
        "message_en": str(error.args[0]) if error.args else "",
        "where": error.where,
    }
    if isinstance(error, UnconfirmedValueError):
        body["confirm"] = error.reasons
    if isinstance(error, StaleVersionError):
        body["current"] = jsonable(error.current)  # the newer version, to show before saving again
    if isinstance(error, ImportFileError):
        body["errors"] = [
            {"row": e.row, "column": e.column, "message": e.message_zh, "message_en": e.message} for e in error.errors
        ]
    elif isinstance(error, TemplateError):
        body["errors"] = [
            {
                "sheet": p.sheet,
                "row": p.row,
                "column": p.column,
                "item": p.item,
                "message": p.message_zh,
                "message_en": p.message,
            }
            for p in error.problems
        ]
    return body


def _respond(request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    renderer: ErrorRenderer | None = getattr(request.app.state, "page_error_renderer", None)
    if renderer is not None and not request.url.path.startswith("/api/"):
        response = renderer(request, status, body)
        response.status_code = status
        if headers:
            response.headers.update(headers)
        return response
    return JSONResponse({"error": body}, status_code=status, headers=headers)


async def yigai_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, YigaiError)
    status = status_for(exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc.bilingual())
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttemptsError) else None
    return _respond(request, status, error_body(exc), headers)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = [{"where": _field(e.get("loc", ())), "message_en": e.get("msg", "")} for e in exc.errors()]
    where = details[0]["where"] if details else ""
    body = {
        "message": f"请求参数有误：{where}" if where else "请求参数有误",
        "message_en": "; ".join(f"{d['where']}: {d['message_en']}" for d in details),
        "where": where,
        "details": details,
    }
    return _respond(request, 422, body)


def _field(loc: Any) -> str:
    """``("body", "percent")`` → ``percent``; ``("query", "at")`` → ``at``."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if isinstance(detail, dict) and "message" in detail:
        body = dict(detail)
    else:
        body = {"message": _HTTP_ZH.get(exc.status_code, "请求失败"), "message_en": str(detail), "where": ""}
    return _respond(request, exc.status_code, body, dict(exc.headers) if exc.headers else None)


async def login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(exc.next_url, safe='/')}", status_code=303)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _respond(request, 500, {"message": "服务器内部错误", "message_en": "internal server error", "where": ""})


def install(app: FastAPI) -> None:
    app.add_exception_handler(YigaiError, yigai_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(Exception, unexpected_error)
