"""The schema and the docs are served from here, and errors never leak a traceback."""

from __future__ import annotations

import json
import re

from fastapi import APIRouter

from .conftest import Web

URL = re.compile(r"https?://[^\s\"'<>)]+")


def test_openapi_schema_is_served_and_names_no_outside_host(web: Web) -> None:
    response = web.client(None).get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"].startswith("yigai")
    assert "/api/v1/plans/{plan}/reports/{item}/{period}" in schema["paths"]
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert URL.findall(json.dumps(schema, ensure_ascii=False)) == []


def test_docs_page_loads_only_local_assets(web: Web) -> None:
    client = web.client(None)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", page.text)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert URL.findall(page.text) == []
    assert '"/api/v1/openapi.json"' in page.text and "validatorUrl: null" in page.text
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "Content-Security-Policy" in page.headers and "default-src 'self'" in page.headers["content-security-policy"]


def test_errors_are_json_in_chinese_and_english_without_traceback(web: Web) -> None:
    client = web.client("admin")
    missing = client.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "未找到"
    wrong_method = client.delete("/api/v1/plans")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["message"] == "不支持的请求方法"
    not_json = client.post(
        "/api/v1/plans/1/reports/T4.M2/2023Q4", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422 and not_json.json()["error"]["message"].startswith("请求参数有误")


def test_an_unexpected_error_is_500_without_details(web: Web) -> None:
    router = APIRouter()

    @router.get("/api/v1/test-boom")
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    web.app.include_router(router)
    try:
        response = web.client("admin").get("/api/v1/test-boom")
    finally:
        web.app.router.routes[:] = [r for r in web.app.router.routes if getattr(r, "path", "") != "/api/v1/test-boom"]
    assert response.status_code == 500
    assert response.json() == {
        "error": {"message": "服务器内部错误", "message_en": "internal server error", "where": ""}
    }
    assert "secret" not in response.text and "Traceback" not in response.text


def test_docs_send_the_session_csrf_token_with_try_it_out(web: Web) -> None:
    client = web.client("admin")
    token = client.get("/api/v1/auth/me").json()["csrf_token"]
    page = client.get("/api/v1/docs").text
    assert f"const csrf = {json.dumps(token)};" in page and "requestInterceptor" in page
