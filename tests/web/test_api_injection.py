"""SQL injection attempts on every filter and search parameter of the API are harmless.

Every GET operation's query and path parameters (read from the OpenAPI schema, so a new filter is
covered without editing this test) get classic injection strings. None may cause a server error,
return more rows than the same filter with an ordinary unknown value, or change the database.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, text

from .conftest import PLAN, Web

PAYLOADS = (
    "' OR '1'='1",
    "1 OR 1=1",
    "x'); DROP TABLE plans; --",
    '" OR ""="',
    "%' UNION SELECT username, password_hash FROM users --",
    "1; UPDATE users SET role='office_admin'",
)
EXAMPLE_PATH = {
    "plan_ref": str(PLAN),
    "plan_id": str(PLAN),
    "item_id": "T4.M2",
    "period_id": "2023Q4",
    "username": "wjw",
    "code": "FD_COVERAGE",
    "indicator": "FD_COVERAGE",
    "sha256": "0" * 64,
    "draft_id": "1",
    "task_id": "T4",
    "department": "区卫健局",
    "org_unit": "350104",
    "region": "仓山区",
    "key": "FD_COVERAGE",
    "name": "wjw",
}


def _counts(web: Web) -> dict[str, int]:
    with web.core.engine.connect() as conn:
        return {
            t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
            for t in inspect(web.core.engine).get_table_names()
            if t not in {"web_sessions", "audit_log", "login_failures"}
        }


def _gets(web: Web) -> list[tuple[str, list[str], list[str]]]:
    spec = web.client(None).get("/api/v1/openapi.json").json()
    found = []
    for path, item in spec["paths"].items():
        op = item.get("get")
        if not op:
            continue
        params = op.get("parameters", [])
        query = [p["name"] for p in params if p["in"] == "query" and p["name"] != "format"]
        path_params = [p["name"] for p in params if p["in"] == "path"]
        found.append((path, query, path_params))
    return found


def _fill(path: str, overrides: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: overrides.get(m.group(1), EXAMPLE_PATH.get(m.group(1), "1")), path)


def _size(response) -> int:  # type: ignore[no-untyped-def]
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        if isinstance(body, list):
            return len(body)
        if isinstance(body, dict):
            for value in body.values():
                if isinstance(value, list):
                    return len(value)
    return 0


def test_every_filter_and_path_parameter_resists_injection(web: Web) -> None:
    client = web.client("admin")
    before = _counts(web)
    operations = _gets(web)
    assert sum(len(q) for _, q, _ in operations) >= 10  # the filters exist
    tried = 0
    for path, query, path_params in operations:
        for name in query:
            plain = client.get(_fill(path, {}), params={name: "no-such-value-xyz"})
            for payload in PAYLOADS:
                response = client.get(_fill(path, {}), params={name: payload})
                tried += 1
                assert response.status_code < 500, (path, name, payload, response.text[:300])
                if plain.status_code == 200 and response.status_code == 200:
                    assert _size(response) <= _size(plain), (path, name, payload)  # no extra rows
        for name in path_params:
            for payload in PAYLOADS:
                response = client.get(_fill(path, {name: payload.replace("/", "%2F")}))
                tried += 1
                assert response.status_code < 500, (path, name, payload, response.text[:300])
    assert tried > 60
    assert _counts(web) == before  # nothing dropped, nothing changed


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sign_in_with_injection_strings_is_refused(web: Web, payload: str) -> None:
    response = web.client(None).post("/api/v1/auth/login", json={"username": payload, "password": payload})
    assert response.status_code == 401
