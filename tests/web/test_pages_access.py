"""Every page: 200 for the roles that may see it, a redirect to sign in for nobody, 403 for the others;
no page refers to another host, and every page renders with the network switched off."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from yigai.web.security import CSRF_HEADER

from .conftest import ROLES, Web
from .pages_helpers import AT, BEDS, add_history, outside_urls, post_forms

EVERYONE = frozenset(ROLES)
OFFICE = frozenset({"admin"})
PAGES: dict[str, frozenset[str]] = {
    f"/?at={AT}": EVERYONE,
    "/plans": EVERYONE,
    f"/plans/1?at={AT}": EVERYONE,
    "/plans/1/targets": EVERYONE,
    "/plans/1/assign": OFFICE,
    f"/plans/1/tasks/T2?at={AT}": EVERYONE,
    f"/plans/1/tasks/T22.M3?at={AT}": EVERYONE,
    "/workspace": EVERYONE,
    "/indicators": EVERYONE,
    f"/indicators/{BEDS}?at={AT}": EVERYONE,
    "/bulletins": EVERYONE,
    "/bulletins?plan=1&period=2023Q3": EVERYONE,
    "/admin": OFFICE,
    "/audit": OFFICE,
    "/plans/import": OFFICE,
    "/review": OFFICE,
    "/review?state=all&when=late": OFFICE,
}
STATIC = Path(__file__).resolve().parents[2] / "src" / "yigai" / "web" / "static"
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "yigai" / "web" / "templates"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No connection, name lookup or socket can be opened: a page that fetched anything would fail."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize("username", sorted(ROLES))
def test_each_role_sees_its_pages_and_is_refused_the_others(web: Web, username: str, offline: None) -> None:
    add_history(web)
    client = web.client(username)
    for url, allowed in PAGES.items():
        response = client.get(url, follow_redirects=False)
        expected = 200 if username in allowed else 403
        assert response.status_code == expected, (username, url, response.text[:500])
        assert response.headers["content-type"].startswith("text/html")
        assert outside_urls(response.text) == [], (url, outside_urls(response.text))
        if expected == 403:
            assert "无权访问" in response.text
            continue
        for form in post_forms(response.text):  # every form carries this session's token
            assert f'name="csrf_token" value="{client.headers[CSRF_HEADER]}"' in form, (url, form[:300])


def test_nobody_signed_in_is_sent_to_the_sign_in_page(web: Web) -> None:
    client = web.client(None)
    for url in [
        *PAGES,
        "/plans/review/1",
        "/workspace/template.xlsx?plan=1&dept=区医保局&period=2023Q3",
        "/plans/1/export.xlsx",
    ]:
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/login?next=/"), url
    page = client.get("/login")
    assert page.status_code == 200 and "登录" in page.text and 'name="csrf_token"' in page.text


def test_unknown_plan_task_and_indicator_are_404_pages_in_chinese(web: Web) -> None:
    client = web.client("leader")
    for url, message in (
        ("/plans/99", "未找到计划"),
        ("/plans/1/tasks/T99", "计划中没有任务或措施"),
        ("/indicators/NO_SUCH", "未找到指标"),
    ):
        response = client.get(url)
        assert response.status_code == 404 and message in response.text, url
        assert response.headers["content-type"].startswith("text/html")


def test_every_asset_a_page_loads_is_served_from_here(web: Web) -> None:
    add_history(web)
    client = web.client("admin")
    html = client.get(f"/?at={AT}").text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert {
        "/static/vendor/htmx-2.0.11.min.js",
        "/static/vendor/echarts-6.1.0.min.js",
        "/static/app-0.1.0.js",
        "/static/app-0.1.0.css",
    } <= set(assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    for name in ("htmx-2.0.11.LICENSE.txt", "echarts-6.1.0.LICENSE.txt", "echarts-6.1.0.NOTICE.txt"):
        assert (STATIC / "vendor" / name).is_file(), name


def test_templates_css_and_script_name_no_outside_host_and_use_system_fonts() -> None:
    for path in [*TEMPLATES.glob("*.html"), STATIC / "app-0.1.0.css", STATIC / "app-0.1.0.js"]:
        text = path.read_text(encoding="utf-8")
        assert outside_urls(text) == [], path.name
    css = (STATIC / "app-0.1.0.css").read_text(encoding="utf-8")
    assert "@import" not in css and "@font-face" not in css and "url(" not in css
    assert '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei"' in css and "sans-serif" in css
