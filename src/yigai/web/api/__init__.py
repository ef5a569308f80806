"""The JSON API under /api/v1: one router per resource, combined here.

Every write made with a session cookie must carry the session's CSRF token
(``X-CSRF-Token``); ``verify_api_csrf`` runs before any route except sign-in.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from yigai.web.api import auth, drafts, evaluation, indicators, plans, registry, reports, review_desk
from yigai.web.deps import verify_api_csrf
from yigai.web.errors import ERROR_RESPONSES

RESOURCES = (auth, drafts, plans, reports, review_desk, indicators, evaluation, registry)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
    router.include_router(auth.public)
    checked = APIRouter(dependencies=[Depends(verify_api_csrf)])
    for module in RESOURCES:
        checked.include_router(module.router)
    router.include_router(checked)
    return router
