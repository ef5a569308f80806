"""The JSON API under /api/v1: one router per resource, combined here.

Every write made with a session cookie must carry the session's CSRF token
(``X-CSRF-Token``); ``verify_api_csrf`` runs before any route of ``router``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from yigai.web.api import auth
from yigai.web.deps import verify_api_csrf


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    router.include_router(auth.public)
    checked = APIRouter(dependencies=[Depends(verify_api_csrf)])
    for module in (auth,):
        checked.include_router(module.router)
    router.include_router(checked)
    return router
