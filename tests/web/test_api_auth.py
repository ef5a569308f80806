"""Sign-in, sessions, CSRF and rate limiting on the API."""

from __future__ import annotations

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
    assert body["user"] == {"username": "wjw", "display_name": "卫健委填报员", "role": "department_reporter",
                            "role_label": "部门填报人", "departments": ["区卫生健康委"], "org_units": [],
                            "active": True, "active_label": "启用"}
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["csrf_token"] == body["csrf_token"]


def test_cookie_is_secure_over_https(web: Web) -> None:
    client = web.client(None)
    response = client.post("https://testserver/api/v1/auth/login",
                           json={"username": "leader", "password": PASSWORDS["leader"]})
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_is_401_in_chinese(web: Web) -> None:
    response = web.client(None).post("/api/v1/auth/login", json={"username": "wjw", "password": "nope-nope"})
    assert response.status_code == 401
    assert response.json() == {"error": {"message": "用户名或密码错误", "message_en": "wrong username or password",
                                         "where": "password"}}
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
