"""Fuzzing the API from its own OpenAPI schema (schemathesis): no 500s, responses match the schema.

Every operation is called with generated parameters and bodies, valid and invalid, as the office
admin (who may call every route), with the session's CSRF token. Bounded: a few examples per
operation so the suite stays fast; a failure names the operation and prints the reproducing case.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from yigai.services.auth import open_session
from yigai.web.app import OPENAPI_URL
from yigai.web.security import CSRF_HEADER, SESSION_COOKIE

from .conftest import Web

EXAMPLES_PER_OPERATION = 10
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]


def test_every_operation_survives_generated_input(web: Web) -> None:
    with web.core.uow() as uow:
        admin = uow.users.get("admin")
    assert admin is not None
    signed = open_session(web.core.uow(), admin)
    schema = schemathesis.openapi.from_asgi(OPENAPI_URL, web.app)
    failures: list[str] = []
    operations = 0
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call_and_validate(
                headers={CSRF_HEADER: signed.csrf_token}, cookies={SESSION_COOKIE: signed.token}, checks=CHECKS
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 — every operation is tried; all failures reported together
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert operations > 40
    assert sum(statuses.values()) > 5 * operations  # generated calls reached the app
    assert any(200 <= code < 300 for code in statuses) and any(400 <= code < 500 for code in statuses)
    assert failures == [], "\n\n".join(failures)
