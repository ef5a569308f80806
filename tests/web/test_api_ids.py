"""Ids and counts beyond the database's range are refused (404 or 422), never a server error.

Every route of the app, API and pages alike, is read from the app itself: each integer parameter
(path, query or form) gets a number beyond 64 bits, then one just past the database's integer
range, so a new route with an integer parameter is covered without editing this test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from .conftest import PLAN, Web

HUGE = "623858392637407232000"  # beyond 64 bits: OverflowError in the database driver
JUST_PAST = str(2**31)  # beyond a PostgreSQL integer column
EXAMPLE = {
    "plan": str(PLAN),
    "plan_id": str(PLAN),
    "item_id": "T4.M2",
    "item": "T4.M2",
    "period": "2023Q4",
    "period_id": "2023Q4",
    "draft_id": "1",
    "username": "wjw",
    "key": "FD_COVERAGE",
    "index": "0",
    "sha256": "0" * 64,
    "name": "区卫健局",
    "field": "title",
    "dept": "区卫健局",
    "fmt": "xlsx",
    "code": "FD_COVERAGE",
    "department": "区卫健局",
}


def _is_int(annotation: Any) -> bool:
    return annotation is int or (getattr(annotation, "__args__", None) is not None and int in annotation.__args__)


def _routes(routes: list[Any]) -> list[Any]:
    """Every API route with its full path (FastAPI 0.16x keeps an included router as one entry)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "effective_route_contexts"):
            found.extend(route.effective_route_contexts())
    return found


def _int_params(route: Any) -> list[tuple[str, str]]:
    """(where, name) of every integer parameter: path, query or form field."""
    found: list[tuple[str, str]] = []

    def walk(dependant: Any) -> None:
        for where, params in (
            ("path", dependant.path_params),
            ("query", dependant.query_params),
            ("form", dependant.body_params),
        ):
            found.extend((where, p.alias) for p in params if _is_int(p.field_info.annotation))
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    return found


def _cases(web: Web) -> list[tuple[str, str, str, str]]:
    cases = []
    for route in _routes(web.app.routes):
        for where, name in _int_params(route):
            for method in sorted(route.methods - {"HEAD"}):
                cases.append((method, route.path, where, name))
    return cases


def _fill(path: str, overrides: dict[str, str]) -> str:
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: overrides.get(m.group(1), EXAMPLE.get(m.group(1), "1")), path)


def test_every_integer_parameter_is_covered(web: Web) -> None:
    cases = {(path.replace(":int", ""), name) for _, path, _, name in _cases(web)}
    assert {
        ("/api/v1/drafts/{draft_id}", "draft_id"),
        ("/plans/{plan_id}", "plan_id"),
        ("/plans/review/{draft_id}", "draft_id"),
        ("/api/v1/audit", "page"),
    } <= cases


@pytest.mark.parametrize("value", [HUGE, JUST_PAST, "-1"])
def test_an_id_beyond_the_database_range_is_404_or_422(web: Web, value: str) -> None:
    admin = web.client("admin")
    failures = []
    for method, path, where, name in _cases(web):
        url = _fill(path, {name: value} if where == "path" else {})
        kwargs: dict[str, Any] = {"follow_redirects": False}
        if where == "query":
            kwargs["params"] = {name: value}
        elif where == "form":
            kwargs["data"] = {name: value}
        response = admin.request(method, url, **kwargs)
        if response.status_code not in (404, 422):
            failures.append(f"{method} {url} {where}:{name}={value} → {response.status_code}")
    assert not failures, "\n".join(failures)


def test_plan_references_by_number_stop_at_the_database_range(web: Web) -> None:
    client = web.client("leader")
    for ref in (HUGE, JUST_PAST, "９" * 30):
        for what in ("items", "evaluation", "reports"):
            response = client.get(f"/api/v1/plans/{ref}/{what}")
            assert response.status_code == 404, (ref, what, response.text)


def test_report_references_and_plan_filters_beyond_the_range_are_refused(web: Web) -> None:
    admin = web.client("admin")
    key = f"{HUGE}|T4.M2|2023Q4|1"
    assert admin.post("/review/accept", data={"items": key}, follow_redirects=False).status_code in (303, 422)
    for plan in (HUGE, JUST_PAST):
        page = admin.get("/review", params={"plan": plan})
        assert page.status_code == 422 and "计划编号" in page.text
        refs = {"items": [{"plan": int(plan), "item": "T4.M2", "period": "2023Q4", "version": 1}]}
        assert admin.post("/api/v1/review/accept", json=refs).status_code == 422
