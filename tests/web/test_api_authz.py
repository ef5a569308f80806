"""The authorisation matrix: every role × every state-changing endpoint.

Roles: admin (office_admin), wjw (department_reporter, 区卫生健康委), ybj (department_reporter,
区医保局), cmz (institution_reporter, 城门镇卫生院), leader (viewer), and nobody signed in.
Each allowed role gets the success status on a fresh database; every other role gets 403
(nobody signed in: 401), and a refused write leaves no trace in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from yigai.services import plan_review
from yigai.services.reports import save_report
from yigai.services.review import return_report, submit_report

from .api_helpers import PDF, filled_template, seed_document, user
from .conftest import PASSWORDS, PLAN, Web

ROLES = ("admin", "wjw", "ybj", "cmz", "leader")
Setup = Callable[[Web], dict[str, Any]]


def _nothing(web: Web) -> dict[str, Any]:
    return {}


def _draft(web: Web) -> dict[str, Any]:
    name, data, _ = seed_document()
    path = web.folder / name
    path.write_bytes(data)
    return {"draft": plan_review.upload_plan(web.core.uow(), user(web, "admin"), path)}


def _saved(web: Web) -> dict[str, Any]:
    save_report(web.core.uow(), user(web, "wjw"), PLAN, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 40)
    return {}


def _submitted(web: Web) -> dict[str, Any]:
    _saved(web)
    submit_report(web.core.uow(), user(web, "wjw"), PLAN, "T4.M2", "2023Q4")
    return {}


def _returned(web: Web) -> dict[str, Any]:
    _submitted(web)
    return_report(web.core.uow(), user(web, "admin"), PLAN, "T4.M2", "2023Q4", "请补充材料")
    return {}


def _template(web: Web) -> dict[str, Any]:
    return {"template": filled_template(web, "区医保局", "2023Q4")}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: str
    allowed: tuple[str, ...]
    status: int = 200
    json: Any = None
    data: dict[str, Any] | None = None
    files: Callable[[dict[str, Any]], Any] | None = None
    setup: Setup = _nothing
    body_for: Callable[[str], Any] | None = None  # per-role JSON body


R = f"/api/v1/plans/{PLAN}/reports"
VALUES_CSV = b"key,org_unit,period,value\nFD_CONTRACTED,350104101-01,2023Q4,12000\n"

CASES = [
    Case(
        "change own password",
        "POST",
        "/api/v1/auth/password",
        ROLES,
        body_for=lambda role: {"password": f"new-{PASSWORDS[role]}", "current_password": PASSWORDS[role]},
    ),
    Case("import a plan", "POST", "/api/v1/plans/import", ("admin",), 201, files=lambda ctx: {"file": seed_document()}),
    Case("upload a draft", "POST", "/api/v1/drafts", ("admin",), 201, files=lambda ctx: {"file": seed_document()}),
    Case(
        "correct departments",
        "PUT",
        "/api/v1/drafts/{draft}/items/T1/departments",
        ("admin",),
        json={"lead": ["区卫健局"], "cooperating": ["区医保局"]},
        setup=_draft,
    ),
    Case(
        "assign departments on a draft",
        "POST",
        "/api/v1/drafts/{draft}/assignments",
        ("admin",),
        json={"items": ["T1", "T2"], "lead": ["区卫健局"], "cooperating": ["区医保局"]},
        setup=_draft,
    ),
    Case(
        "assign departments on a plan",
        "POST",
        f"/api/v1/plans/{PLAN}/assignments",
        ("admin",),
        json={"items": ["T1", "T4.M2"], "lead": ["区医保局"], "mode": "add"},
    ),
    Case(
        "correct a title",
        "PUT",
        "/api/v1/drafts/{draft}/items/T1/title",
        ("admin",),
        json={"value": "新的任务标题"},
        setup=_draft,
    ),
    Case(
        "correct metadata",
        "PATCH",
        "/api/v1/drafts/{draft}/meta",
        ("admin",),
        json={"issuer": "青浦区人民政府"},
        setup=_draft,
    ),
    Case("delete a draft item", "DELETE", "/api/v1/drafts/{draft}/items/T1", ("admin",), setup=_draft),
    Case("publish a draft", "POST", "/api/v1/drafts/{draft}/publish", ("admin",), setup=_draft),
    Case("discard a draft", "POST", "/api/v1/drafts/{draft}/discard", ("admin",), setup=_draft),
    Case(
        "save a report",
        "POST",
        f"{R}/T4.M2/2023Q4",
        ("admin", "wjw"),
        201,
        json={"department": "区卫生健康委", "status": "推进中", "percent": 40, "base_version": 0},
    ),
    Case(
        "save with evidence",
        "POST",
        f"{R}/T27.M4/2023Q4/upload",
        ("admin", "ybj"),
        201,
        data={"department": "区医保局", "status": "推进中", "percent": "50", "base_version": "0"},
        files=lambda ctx: {"evidence": ("名单.pdf", PDF, "application/pdf")},
    ),
    Case(
        "contribute",
        "POST",
        f"{R}/T21.M3/2023Q4/contribute",
        ("admin", "ybj"),
        201,
        json={"department": "区医保局", "text": "已配合完成医保支付测算"},
    ),
    Case("submit", "POST", f"{R}/T4.M2/2023Q4/submit", ("admin", "wjw"), setup=_saved),
    Case("resubmit", "POST", f"{R}/T4.M2/2023Q4/resubmit", ("admin", "wjw"), setup=_returned),
    Case("return", "POST", f"{R}/T4.M2/2023Q4/return", ("admin",), json={"comment": "请补充"}, setup=_submitted),
    Case("accept", "POST", f"{R}/T4.M2/2023Q4/accept", ("admin",), setup=_submitted),
    Case(
        "accept on the review desk",
        "POST",
        "/api/v1/review/accept",
        ("admin",),
        setup=_submitted,
        json={"reports": [{"plan": PLAN, "item": "T4.M2", "period": "2023Q4", "version": 2}]},
    ),
    Case(
        "return on the review desk",
        "POST",
        "/api/v1/review/return",
        ("admin",),
        setup=_submitted,
        json={"reports": [{"plan": PLAN, "item": "T4.M2", "period": "2023Q4", "version": 2, "comment": "请补充"}]},
    ),
    Case(
        "import a template",
        "POST",
        f"/api/v1/plans/{PLAN}/template",
        ("admin", "ybj"),
        201,
        data={"department": "区医保局", "period": "2023Q4"},
        setup=_template,
        files=lambda ctx: {
            "file": (
                "医保局.xlsx",
                ctx["template"],
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    ),
    Case("load indicators", "POST", "/api/v1/indicators/load", ("admin",)),
    Case(
        "enter a value",
        "POST",
        "/api/v1/values",
        ("admin", "cmz"),
        201,
        json={"key": "FD_CONTRACTED", "org_unit": "350104101-01", "period": "2023Q4", "value": 12000},
    ),
    Case(
        "import values",
        "POST",
        "/api/v1/values/import",
        ("admin", "cmz"),
        201,
        files=lambda ctx: {"file": ("values.csv", VALUES_CSV, "text/csv")},
    ),
    Case("set bounds", "PUT", "/api/v1/indicators/FD_COVERAGE/bounds", ("admin",), json={"minimum": 0, "maximum": 100}),
    Case("suggest links", "POST", f"/api/v1/plans/{PLAN}/links/suggest", ("admin",)),
    Case("link a target", "PUT", f"/api/v1/plans/{PLAN}/links/1", ("admin",), json={"indicator": "BEDS_PER_1000"}),
    Case(
        "set the schedule",
        "PUT",
        f"/api/v1/plans/{PLAN}/schedule",
        ("admin",),
        json={"type": "quarterly", "first": "2021Q3", "last": "2025Q4", "due_days": 20},
    ),
    Case("load org units", "POST", "/api/v1/orgunits/load", ("admin",)),
    Case(
        "add an alias",
        "POST",
        "/api/v1/departments/aliases",
        ("admin",),
        201,
        json={"alias": "仓山卫健", "canonical": "区卫生健康委"},
    ),
    Case("class a department", "PUT", "/api/v1/departments/区委/class", ("admin",), json={"class": "leading"}),
    Case(
        "rename a department",
        "POST",
        "/api/v1/departments/rename",
        ("admin",),
        json={"old": "区医保局", "new": "区医疗保障局"},
    ),
    Case(
        "create a user",
        "POST",
        "/api/v1/users",
        ("admin",),
        201,
        json={"username": "czj", "role": "department_reporter", "departments": ["区财政局"]},
    ),
    Case("set a password", "PUT", "/api/v1/users/admin/password", ("admin",), json={"password": "brand-new-pass"}),
    Case(
        "change a user's role and scope",
        "PATCH",
        "/api/v1/users/wjw",
        ("admin",),
        json={"departments": ["区卫健委", "区医保局"]},
    ),
    Case("disable a user", "PUT", "/api/v1/users/ybj/active", ("admin",), json={"active": False}),
    Case(
        "set the scoring weights",
        "PUT",
        "/api/v1/scoring",
        ("admin",),
        json={"values": {"parts": {"tasks": 70, "indicators": 30}}},
    ),
    Case("reset the scoring weights", "POST", "/api/v1/scoring/reset", ("admin",)),
]


def _send(web: Web, case: Case, role: str | None, ctx: dict[str, Any]) -> httpx.Response:
    client = web.client(role)
    body = case.body_for(role) if case.body_for and role else case.json
    return client.request(
        case.method, case.url.format(**ctx), json=body, data=case.data, files=case.files(ctx) if case.files else None
    )


def _audit_count(web: Web) -> int:
    with web.core.uow() as uow:
        return len(uow.audit.entries())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_role_gets_2xx_or_403(make_web: Callable[[], Web], case: Case) -> None:
    refused = make_web()
    ctx = case.setup(refused)
    before = _audit_count(refused)
    outcome: dict[str | None, int] = {None: _send(refused, case, None, ctx).status_code}
    for role in ROLES:
        if role not in case.allowed:
            outcome[role] = _send(refused, case, role, ctx).status_code
    assert _audit_count(refused) == before  # nothing refused was written
    for role in case.allowed:
        fresh = make_web()
        response = _send(fresh, case, role, case.setup(fresh))
        assert response.status_code == case.status, (role, response.text)
        outcome[role] = response.status_code
    expected = {None: 401} | {r: case.status if r in case.allowed else 403 for r in ROLES}
    assert outcome == expected


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


def test_every_state_changing_route_is_in_the_matrix(web: Web) -> None:
    routes = {
        (method, path)
        for path, ops in web.app.openapi()["paths"].items()
        for method in ops
        if method in {"post", "put", "patch", "delete"}
    }
    exempt = {("post", "/api/v1/auth/login"), ("post", "/api/v1/auth/logout")}  # nothing to refuse
    cases = {(c.method.lower(), c.url.format(draft=1)) for c in CASES}
    missing = sorted(
        (m, p) for m, p in routes - exempt if not any(m == cm and _pattern(p).match(url) for cm, url in cases)
    )
    assert missing == []


READS_FOR_THE_OFFICE = [
    "/api/v1/users",
    "/api/v1/audit",
    "/api/v1/drafts",
    "/api/v1/review/reports",
    "/api/v1/review/count",
]
READS = [
    "/api/v1/plans",
    f"/api/v1/plans/{PLAN}",
    f"/api/v1/plans/{PLAN}/tasks",
    f"/api/v1/plans/{PLAN}/reports",
    f"/api/v1/plans/{PLAN}/owed?period=2023Q4",
    "/api/v1/indicators",
    "/api/v1/values",
    "/api/v1/orgunits",
    "/api/v1/departments",
    f"/api/v1/plans/{PLAN}/schedule",
    "/api/v1/auth/me",
    "/api/v1/scoring",
]


@pytest.mark.parametrize("url", READS + READS_FOR_THE_OFFICE)
def test_nobody_signed_in_reads_nothing(web: Web, url: str) -> None:
    response = web.client(None).get(url)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "请先登录"


def test_only_the_office_reads_users_and_the_audit_log(web: Web) -> None:
    for role in ROLES:
        client = web.client(role)
        for url in READS_FOR_THE_OFFICE:
            assert client.get(url).status_code == (200 if role == "admin" else 403), (role, url)
        for url in READS:
            assert client.get(url).status_code == 200, (role, url)


PUBLIC_READS = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/auth/csrf"}
EXAMPLE_PATH = {
    "plan_ref": str(PLAN),
    "plan_id": str(PLAN),
    "item_id": "T4.M2",
    "period_id": "2023Q4",
    "username": "wjw",
    "code": "FD_COVERAGE",
    "draft_id": "1",
    "sha256": "0" * 64,
}


def test_every_read_endpoint_for_every_role_and_nobody(web: Web) -> None:
    """Every GET of the schema: nobody signed in gets 401; a signed-in role never 401 or 5xx, and only
    the office reads the office's lists."""
    gets = [path for path, ops in web.app.openapi()["paths"].items() if "get" in ops]
    assert len(gets) >= 20
    office_only = tuple(READS_FOR_THE_OFFICE)
    for path in gets:
        url = re.sub(r"\{(\w+)\}", lambda m: EXAMPLE_PATH.get(m.group(1), "1"), path)
        anonymous = web.client(None).get(url).status_code
        assert anonymous == 401 or path in PUBLIC_READS, (path, anonymous)
        for role in ROLES:
            status = web.client(role).get(url).status_code
            assert status in {200, 403, 404, 422}, (role, path, status)
            if url.startswith(office_only):
                assert (status == 403) == (role != "admin"), (role, path, status)
