"""The sign-in form: a session cookie on success, a Chinese message on failure, CSRF on the form itself."""

from __future__ import annotations

from yigai.web.security import SESSION_COOKIE

from .conftest import PASSWORDS, Web
from .pages_helpers import csrf_of


def test_sign_in_with_the_form_then_sign_out(web: Web) -> None:
    client = web.client(None)
    form = client.get("/login?next=/plans")
    token = csrf_of(form.text, "/login")
    response = client.post(
        "/login",
        data={"username": "wjw", "password": PASSWORDS["wjw"], "next": "/plans", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/plans"
    assert "HttpOnly" in response.headers["set-cookie"] and SESSION_COOKIE in response.cookies
    page = client.get("/plans")
    assert page.status_code == 200 and "卫健委填报员" in page.text
    out = client.post("/logout", data={"csrf_token": csrf_of(page.text, "/logout")}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/plans", follow_redirects=False).status_code == 303


def test_wrong_password_shows_the_form_again_with_a_message(web: Web) -> None:
    client = web.client(None)
    token = csrf_of(client.get("/login").text, "/login")
    response = client.post("/login", data={"username": "wjw", "password": "wrong-password", "csrf_token": token})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text and 'value="wjw"' in response.text


def test_sign_in_without_the_csrf_token_is_refused(web: Web) -> None:
    client = web.client(None)
    client.get("/login")
    response = client.post("/login", data={"username": "wjw", "password": PASSWORDS["wjw"]})
    assert response.status_code == 403 and "CSRF" in response.text


def test_next_may_not_lead_to_another_host(web: Web) -> None:
    client = web.client(None)
    token = csrf_of(client.get("/login").text, "/login")
    response = client.post(
        "/login",
        data={"username": "leader", "password": PASSWORDS["leader"], "next": "//evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_a_signed_in_user_visiting_the_form_goes_on(web: Web) -> None:
    response = web.client("leader").get("/login?next=/indicators", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/indicators"
