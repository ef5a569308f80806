"""Sign-in, sessions, CSRF and rate limiting on the API."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import text

from yigai.bootstrap import build
from yigai.cli.serve_cmds import server_options
from yigai.domain.errors import ConfigurationError
from yigai.services.auth import MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_USER
from yigai.settings import Settings
from yigai.web.app import create_app
from yigai.web.security import CSRF_HEADER, SESSION_COOKIE

from .conftest import PASSWORDS, Web


def test_login_sets_an_httponly_samesite_cookie_and_me_answers(web: Web) -> None:
    client = web.client(None)
    response = client.post("/api/v1/auth/login", json={"username": "wjw", "password": PASSWORDS["wjw"]})
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in the test; see test_cookie_is_secure_over_https
    body = response.json()
    assert body["user"] == {
        "username": "wjw",
        "display_name": "卫健委填报员",
        "role": "department_reporter",
        "role_label": "部门填报人",
        "departments": ["区卫生健康委"],
        "org_units": [],
        "active": True,
        "active_label": "启用",
    }
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["csrf_token"] == body["csrf_token"]


def test_cookie_is_secure_over_https(web: Web) -> None:
    client = web.client(None)
    response = client.post(
        "https://testserver/api/v1/auth/login", json={"username": "leader", "password": PASSWORDS["leader"]}
    )
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_is_401_in_chinese(web: Web) -> None:
    response = web.client(None).post("/api/v1/auth/login", json={"username": "wjw", "password": "nope-nope"})
    assert response.status_code == 401
    assert response.json() == {
        "error": {"message": "用户名或密码错误", "message_en": "wrong username or password", "where": "password"}
    }
    unknown = web.client(None).post("/api/v1/auth/login", json={"username": "ghost", "password": "nope-nope"})
    assert unknown.status_code == 401 and unknown.json() == response.json()


def test_session_id_changes_at_login(web: Web) -> None:
    client = web.client(None)
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker-0123456789")
    assert client.get("/api/v1/auth/me").status_code == 401
    response = client.post("/api/v1/auth/login", json={"username": "wjw", "password": PASSWORDS["wjw"]})
    first = response.cookies[SESSION_COOKIE]
    assert first and first != "planted-by-an-attacker-0123456789"
    again = client.post("/api/v1/auth/login", json={"username": "wjw", "password": PASSWORDS["wjw"]})
    assert again.cookies[SESSION_COOKIE] != first
    # the planted value never became a session
    attacker = web.client(None)
    attacker.cookies.set(SESSION_COOKIE, "planted-by-an-attacker-0123456789")
    assert attacker.get("/api/v1/auth/me").status_code == 401


def test_logout_ends_the_server_side_session(web: Web) -> None:
    client = web.client("wjw")
    token = client.cookies[SESSION_COOKIE]
    assert client.post("/api/v1/auth/logout").status_code == 200
    copy = web.client(None)
    copy.cookies.set(SESSION_COOKIE, token)
    assert copy.get("/api/v1/auth/me").status_code == 401


def test_login_is_rate_limited_after_five_failures(web: Web) -> None:
    client = web.client(None)
    for _ in range(5):
        assert client.post("/api/v1/auth/login", json={"username": "ybj", "password": "guess-123"}).status_code == 401
    blocked = client.post("/api/v1/auth/login", json={"username": "ybj", "password": PASSWORDS["ybj"]})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 300
    assert "登录失败次数过多" in blocked.json()["error"]["message"]
    # another user from the same address is not blocked
    other = client.post("/api/v1/auth/login", json={"username": "wjw", "password": PASSWORDS["wjw"]})
    assert other.status_code == 200


def test_write_without_csrf_token_is_refused(web: Web) -> None:
    client = web.client("wjw", csrf=False)
    response = client.post("/api/v1/auth/logout")
    assert response.status_code == 403 and response.json()["error"]["where"] == "csrf_token"
    client.headers[CSRF_HEADER] = "wrong-token-wrong-token-wrong"
    assert client.post("/api/v1/auth/logout").status_code == 403
    assert client.get("/api/v1/auth/me").status_code == 200  # reads need no token


def _login(client: TestClient, username: str, password: str, forwarded: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else None
    return client.post("/api/v1/auth/login", json={"username": username, "password": password}, headers=headers)


def _trusting(web: Web, proxies: str) -> TestClient:
    """A client at 127.0.0.1 of the app as served with YIGAI_TRUSTED_PROXIES=proxies."""
    web.core.close()
    web.core = build(Settings.from_env({"YIGAI_TRUSTED_PROXIES": proxies}, data_dir=web.folder), migrate=False)
    client = TestClient(create_app(core=web.core), raise_server_exceptions=False, client=("127.0.0.1", 50000))
    web.clients.append(client)
    return client


def test_one_common_password_tried_on_many_user_names_is_slowed_per_address(web: Web) -> None:
    client = TestClient(web.app, raise_server_exceptions=False, client=("127.0.0.1", 50000))
    web.clients.append(client)
    for n in range(MAX_FAILURES_PER_ADDRESS):
        assert _login(client, f"staff{n:02d}", "Yigai@2024").status_code == 401
    blocked = _login(client, "wjw", PASSWORDS["wjw"])  # even a right password, from that address
    assert blocked.status_code == 429 and 0 < int(blocked.headers["retry-after"]) <= 300
    assert "登录失败次数过多" in blocked.json()["error"]["message"]
    elsewhere = TestClient(web.app, raise_server_exceptions=False, client=("10.1.2.3", 50000))
    web.clients.append(elsewhere)
    assert _login(elsewhere, "wjw", PASSWORDS["wjw"]).status_code == 200  # another address is not blocked


def test_a_forged_forwarded_header_does_not_change_the_address_counted(web: Web) -> None:
    client = TestClient(web.app, raise_server_exceptions=False, client=("127.0.0.1", 50000))
    web.clients.append(client)
    for n in range(MAX_FAILURES_PER_ADDRESS):
        assert _login(client, f"staff{n:02d}", "Yigai@2024", forwarded=f"203.0.113.{n}").status_code == 401
    assert _login(client, "wjw", PASSWORDS["wjw"], forwarded="198.51.100.7").status_code == 429
    with web.core.engine.connect() as conn:
        clients = {row[0] for row in conn.execute(text("SELECT client FROM login_failures"))}
    assert clients == {"127.0.0.1"}


def test_a_user_name_guessed_from_many_addresses_is_slowed(web: Web) -> None:
    proxy = _trusting(web, "127.0.0.1")
    for n in range(MAX_FAILURES_PER_USER):
        assert _login(proxy, "ybj", f"guess-{n}-x", forwarded=f"203.0.113.{n}").status_code == 401
    assert _login(proxy, "ybj", PASSWORDS["ybj"], forwarded="198.51.100.7").status_code == 429
    # behind the trusted proxy each client is its own address: 198.51.100.7 may sign in as someone else
    assert _login(proxy, "wjw", PASSWORDS["wjw"], forwarded="198.51.100.7").status_code == 200
    # a client's own forged entry left of the proxy's is not what counts: the proxy appends the real one
    assert _login(proxy, "leader", "wrong-pass-1", forwarded="1.1.1.1, 198.51.100.8").status_code == 401
    with web.core.engine.connect() as conn:
        latest = conn.execute(text("SELECT client FROM login_failures ORDER BY id DESC LIMIT 1")).scalar_one()
    assert latest == "198.51.100.8"


def test_behind_a_trusted_proxy_the_forwarded_scheme_makes_the_cookie_secure(web: Web) -> None:
    proxy = _trusting(web, "127.0.0.0/8")
    response = proxy.post(
        "/api/v1/auth/login",
        json={"username": "wjw", "password": PASSWORDS["wjw"]},
        headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 200 and "secure" in response.headers["set-cookie"].lower()
    direct = TestClient(web.app, raise_server_exceptions=False, client=("127.0.0.1", 50000))  # trusts no proxy
    web.clients.append(direct)
    web.app.state.yigai = web.core
    plain = direct.post(
        "/api/v1/auth/login",
        json={"username": "wjw", "password": PASSWORDS["wjw"]},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert plain.status_code == 200 and "secure" not in plain.headers["set-cookie"].lower()


def test_signing_in_to_ones_own_account_between_guesses_resets_nothing(web: Web) -> None:
    client = TestClient(web.app, raise_server_exceptions=False, client=("192.0.2.1", 50000))
    web.clients.append(client)
    for n in range(MAX_FAILURES_PER_ADDRESS):
        assert _login(client, f"staff{n:02d}", "Yigai@2024").status_code == 401
        if n == MAX_FAILURES_PER_ADDRESS - 2:
            assert _login(client, "leader", PASSWORDS["leader"]).status_code == 200
    assert _login(client, "staff99", "Yigai@2024").status_code == 429


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    settings = Settings.from_env({"YIGAI_TRUSTED_PROXIES": "127.0.0.1, 10.8.0.0/16"}, data_dir="/tmp/x")
    assert [str(n) for n in settings.trusted_proxies] == ["127.0.0.1/32", "10.8.0.0/16"]
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env({"YIGAI_TRUSTED_PROXIES": "nginx"}, data_dir="/tmp/x")
    assert "YIGAI_TRUSTED_PROXIES" in raised.value.message_zh and "nginx" in str(raised.value)


def test_served_from_loopback_a_forged_forwarded_header_resets_no_count(web: Web) -> None:
    """Through uvicorn as ``yigai serve`` runs it (uvicorn itself trusts the header from loopback by default)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web.app, **server_options("127.0.0.1", port), lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for n in range(MAX_FAILURES_PER_USER):
                response = client.post(
                    "/api/v1/auth/login",
                    json={"username": "ybj", "password": "guess-123"},
                    headers={"X-Forwarded-For": f"203.0.113.{n}"},
                )
                assert response.status_code == 401
            blocked = client.post(
                "/api/v1/auth/login",
                json={"username": "ybj", "password": PASSWORDS["ybj"]},
                headers={"X-Forwarded-For": "198.51.100.9"},
            )
            assert blocked.status_code == 429
    finally:
        server.should_exit = True
        thread.join(timeout=20)
    with web.core.engine.connect() as conn:
        assert {row[0] for row in conn.execute(text("SELECT client FROM login_failures"))} == {"127.0.0.1"}
