"""``create_app(settings)``: the FastAPI application; with ``bootstrap.build`` the only wiring point.

Nothing happens at import time. The app holds the ``yigai.bootstrap.App`` in
``app.state.yigai``; it serves the JSON API under /api/v1 (schema at
/api/v1/openapi.json, Swagger UI at /api/v1/docs from vendored files), the static
files under /static, and the pages of ``yigai.web.pages`` when that module exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import yigai
from yigai.bootstrap import App, build
from yigai.settings import MAX_EVIDENCE_BYTES, Settings
from yigai.web import errors, heap
from yigai.web.api import build_router
from yigai.web.docs import docs_page
from yigai.web.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware

STATIC_DIR = Path(__file__).with_name("static")
OPENAPI_URL = "/api/v1/openapi.json"
DOCS_URL = "/api/v1/docs"
MULTIPART_OVERHEAD = 1024 * 1024


def create_app(
    settings: Settings | None = None, *, core: App | None = None, request_threads: int | None = None
) -> FastAPI:
    """The web application for ``settings`` (default: from the environment).

    ``request_threads`` makes it a server process's app: at most that many requests are
    handled at once, and freed heap memory is handed back while it runs (``yigai.web.heap``).
    """
    core = core or build(settings or Settings.from_env())

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        trimmer = None
        if request_threads is not None:
            heap.limit_request_threads(request_threads)
            trimmer = asyncio.create_task(heap.release_periodically())
        try:
            yield
        finally:
            if trimmer is not None:
                trimmer.cancel()
            core.close()

    app = FastAPI(
        title="yigai 医改监测评价平台 API",
        version=getattr(yigai, "__version__", "0.1.0"),
        description="医改计划、督办、指标与评价的 REST 接口。写操作须带 X-CSRF-Token（登录或 /auth/me 返回）。",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.yigai = core
    errors.install(app)
    app.add_middleware(SecurityHeadersMiddleware)
    limit = max(core.settings.max_document_bytes, MAX_EVIDENCE_BYTES) + MULTIPART_OVERHEAD
    app.add_middleware(BodySizeLimitMiddleware, limit=limit)
    if core.settings.trusted_proxies:  # outermost: the client and scheme a trusted proxy names, for everything
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=[str(n) for n in core.settings.trusted_proxies])
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(build_router())
    app.add_api_route(DOCS_URL, _docs, include_in_schema=False, methods=["GET"])
    _include_pages(app)
    return app


async def _docs(request: Request) -> HTMLResponse:
    return docs_page(request, OPENAPI_URL, "yigai API 文档")


def _include_pages(app: FastAPI) -> None:
    """The HTML pages, once ``yigai.web.pages`` exists (``router``, optionally ``render_error``)."""
    try:
        pages = importlib.import_module("yigai.web.pages")
    except ModuleNotFoundError as exc:
        if exc.name != "yigai.web.pages":
            raise
        return
    router = getattr(pages, "router", None)  # None while the package is still empty
    if router is None:
        return
    app.include_router(router)
    renderer = getattr(pages, "render_error", None)
    if renderer is not None:
        app.state.page_error_renderer = renderer
