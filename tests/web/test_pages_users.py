"""User administration and the scoring weights in 系统管理, and one's own password, as pages and as the API."""

from __future__ import annotations

import re

from yigai.domain.users import Role
from yigai.services.evaluate import evaluate_plan
from yigai.services.scoring import office_scheme
from yigai.services.users import list_users

from .conftest import PASSWORDS, PLAN, Web
from .pages_helpers import AT, add_history, csrf_of


def _users(web: Web) -> dict[str, object]:
    return {u.username: u for u in list_users(web.core.uow())}


def _login(web: Web, username: str, password: str) -> int:
    return web.client(None).post("/api/v1/auth/login", json={"username": username, "password": password}).status_code


def test_the_admin_page_lists_users_with_their_state_and_says_users_are_disabled_not_deleted(web: Web) -> None:
    html = web.client("admin").get("/admin").text
    assert "用户不能删除：停用后不能登录" in html and 'href="/admin/users/wjw"' in html
    assert "密码要求：至少8位" in html


def test_office_disables_and_enables_a_user_on_their_page(web: Web) -> None:
    admin = web.client("admin", csrf=False)
    victim = web.client("wjw")
    assert victim.get("/api/v1/auth/me").status_code == 200
    page = admin.get("/admin/users/wjw").text
    assert "停用该用户" in page and "已停用" not in page.split("<main>", 1)[1].split("<section", 1)[0]
    done = admin.post(
        "/admin/users/wjw/active", data={"csrf_token": csrf_of(page, "/admin/users/wjw/active"), "active": "false"}
    )
    assert done.status_code == 200 and "已停用该用户" in done.text and "启用该用户" in done.text
    assert victim.get("/api/v1/auth/me").status_code == 401  # the open session ended
    assert _login(web, "wjw", PASSWORDS["wjw"]) == 401
    assert "已停用" in admin.get("/admin").text
    again = admin.post(
        "/admin/users/wjw/active", data={"csrf_token": csrf_of(done.text, "/admin/users/wjw/active"), "active": "true"}
    )
    assert "已启用该用户" in again.text and _login(web, "wjw", PASSWORDS["wjw"]) == 200
    assert "停用用户" in again.text and "启用用户" in again.text  # the page's own change history


def test_an_admin_cannot_disable_themself(web: Web) -> None:
    admin = web.client("admin", csrf=False)
    page = admin.get("/admin/users/admin").text
    assert "这是您自己的账号，不能停用" in page and 'action="/admin/users/admin/active"' not in page
    token = csrf_of(page, "/admin/users/admin/update")
    refused = admin.post("/admin/users/admin/active", data={"csrf_token": token, "active": "false"})
    assert refused.status_code == 403 and "不能停用自己的账号" in refused.text
    demoted = admin.post("/admin/users/admin/update", data={"csrf_token": token, "role": "viewer"})
    assert demoted.status_code == 403 and "不能修改自己的角色" in demoted.text
    assert _users(web)["admin"].role is Role.OFFICE_ADMIN  # type: ignore[attr-defined]


def test_office_changes_a_role_and_scope_and_a_refusal_keeps_what_was_typed(web: Web) -> None:
    admin = web.client("admin", csrf=False)
    page = admin.get("/admin/users/ybj").text
    token = csrf_of(page, "/admin/users/ybj/update")
    bad = admin.post(
        "/admin/users/ybj/update",
        data={
            "csrf_token": token,
            "role": "institution_reporter",
            "display_name": "医保局填报员",
            "org_units": "999999",
        },
    )
    assert bad.status_code == 422 and "机构编码「999999」不存在" in bad.text
    assert 'value="999999"' in bad.text and 'value="institution_reporter" selected' in bad.text
    ok = admin.post(
        "/admin/users/ybj/update",
        data={
            "csrf_token": token,
            "role": "department_reporter",
            "display_name": "医保局填报员",
            "departments": "区医保局、区卫健委",
        },
    )
    assert ok.status_code == 200 and "已保存角色与权限范围" in ok.text
    assert _users(web)["ybj"].departments == frozenset({"区医保局", "区卫生健康委"})  # type: ignore[attr-defined]
    assert "修改角色与权限范围" in ok.text


def test_office_resets_a_password_under_the_policy(web: Web) -> None:
    admin = web.client("admin", csrf=False)
    page = admin.get("/admin/users/leader").text
    token = csrf_of(page, "/admin/users/leader/password")
    for weak, why in (
        ("12345678", "过于常见"),
        ("abcdefgh", "连续"),
        ("leader2024", "用户名"),
        ("11111111", "过于常见"),
    ):
        refused = admin.post("/admin/users/leader/password", data={"csrf_token": token, "password": weak})
        assert refused.status_code == 422 and why in refused.text, weak
    assert _login(web, "leader", PASSWORDS["leader"]) == 200
    done = admin.post("/admin/users/leader/password", data={"csrf_token": token, "password": "leader-new-pass"})
    assert "已设置密码" in done.text and _login(web, "leader", "leader-new-pass") == 200


def test_anyone_changes_their_own_password_with_the_current_one(web: Web) -> None:
    client = web.client("cmz", csrf=False)
    home = client.get("/").text
    assert 'href="/account"' in home
    page = client.get("/account").text
    token = csrf_of(page, "/account/password")
    wrong = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": "not-mine-1",
            "password": "cmz-new-pass-5",
            "confirm": "cmz-new-pass-5",
        },
    )
    assert wrong.status_code == 401 and "当前密码错误" in wrong.text
    differ = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORDS["cmz"],
            "password": "cmz-new-pass-5",
            "confirm": "cmz-new-pass-6",
        },
    )
    assert differ.status_code == 422 and "两次输入的新密码不一致" in differ.text
    weak = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORDS["cmz"],
            "password": "password1",
            "confirm": "password1",
        },
    )
    assert weak.status_code == 422 and "密码过于常见" in weak.text
    done = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORDS["cmz"],
            "password": "cmz-new-pass-5",
            "confirm": "cmz-new-pass-5",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/login?changed=1"
    assert client.get("/api/v1/auth/me").status_code == 401  # signed out everywhere
    assert "密码已修改" in web.client(None).get("/login?changed=1").text
    assert _login(web, "cmz", PASSWORDS["cmz"]) == 401 and _login(web, "cmz", "cmz-new-pass-5") == 200
    assert web.client(None).get("/account", follow_redirects=False).status_code in (303, 307)


def test_api_changes_role_and_scope_and_disables(web: Web) -> None:
    admin = web.client("admin")
    changed = admin.patch("/api/v1/users/cmz", json={"role": "viewer"})
    assert changed.status_code == 200 and changed.json()["role"] == "viewer" and changed.json()["org_units"] == []
    off = admin.put("/api/v1/users/cmz/active", json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    listed = {u["username"]: u for u in admin.get("/api/v1/users").json()}
    assert listed["cmz"]["active"] is False and listed["cmz"]["active_label"] == "已停用"
    assert "已停用" in admin.get("/api/v1/users?format=csv").text
    self_off = admin.put("/api/v1/users/admin/active", json={"active": False})
    assert self_off.status_code == 403 and self_off.json()["error"]["message"] == "不能停用自己的账号"
    assert admin.patch("/api/v1/users/ghost", json={"role": "viewer"}).status_code == 404
    weak = admin.put("/api/v1/users/wjw/password", json={"password": "qwerty123"})
    assert weak.status_code == 422 and weak.json()["error"]["where"] == "password"
    assert web.client("wjw").patch("/api/v1/users/wjw", json={"role": "office_admin"}).status_code == 403


def test_office_edits_the_scoring_weights_and_the_evaluation_uses_them(web: Web) -> None:
    add_history(web)
    admin = web.client("admin", csrf=False)
    page = admin.get("/admin").text
    assert "当前使用系统默认方案" in page and 'name="parts.tasks" value="60"' in page
    assert "scoring.yaml" not in page  # no file names in the UI
    token = csrf_of(page, "/admin/scoring")
    import datetime as dt

    day = dt.date.fromisoformat(AT)
    before = evaluate_plan(web.core.uow(), PLAN, day)
    fields = {m.group(1): m.group(2) for m in re.finditer(r'name="([a-z_]+\.[a-z_]+)" value="([^"]*)"', page)}
    assert fields["status_scores.completed"] == "100" and len(fields) >= 15
    bad = admin.post("/admin/scoring", data={**fields, "csrf_token": token, "status_scores.at_risk": "-5"})
    assert bad.status_code == 422 and "「事项状态得分 · 存在风险」应为不小于0的数" in bad.text
    assert 'name="status_scores.at_risk" value="-5"' in bad.text  # what was typed stays
    nan = admin.post("/admin/scoring", data={**fields, "csrf_token": token, "parts.tasks": "六十"})
    assert nan.status_code == 422 and "应为数字" in nan.text
    assert office_scheme(web.core.uow()).stored is None
    saved = admin.post(
        "/admin/scoring",
        data={
            **fields,
            "csrf_token": token,
            "status_scores.not_reported": "20",
            "status_scores.at_risk": "40",
            "note": "2024年考核办法",
        },
    )
    assert saved.status_code == 200 and "已保存考核评分方案" in saved.text and "第 1 版" in saved.text
    assert "默认 0" in saved.text and "2024年考核办法" in saved.text
    after = evaluate_plan(web.core.uow(), PLAN, day)
    assert after.score != before.score
    assert {i.status.value: i.score for i in after.items}["not_reported"] == 20
    api = web.client("leader").get("/api/v1/scoring").json()
    assert api["version"] == 1 and api["values"]["status_scores"]["not_reported"] == 20
    assert api["default"]["status_scores"]["not_reported"] == 0
    audit = admin.get("/audit?action=scoring.").text.split("<table>", 1)[1]
    assert "修改考核评分方案" in audit and "事项状态得分 · 未报送" in audit and "<ins>20</ins>" in audit
    reset = admin.post("/admin/scoring/reset", data={"csrf_token": csrf_of(saved.text, "/admin/scoring/reset")})
    assert "已恢复默认评分方案" in reset.text and "第 2 版（默认）" in reset.text
    assert evaluate_plan(web.core.uow(), PLAN, day).score == before.score


def test_api_sets_the_scoring_weights_with_validation(web: Web) -> None:
    admin = web.client("admin")
    ok = admin.put("/api/v1/scoring", json={"values": {"parts": {"tasks": 70, "indicators": 30}}, "note": "试行"})
    assert ok.status_code == 200 and ok.json()["version"] == 1 and ok.json()["values"]["parts"]["tasks"] == 70
    bad = admin.put("/api/v1/scoring", json={"values": {"parts": {"tasks": 0, "indicators": 0}}})
    assert bad.status_code == 422 and bad.json()["error"]["where"] == "parts"
    unknown = admin.put("/api/v1/scoring", json={"values": {"bonus": {"early": 3}}})
    assert unknown.status_code == 422 and "未知" in unknown.json()["error"]["message"]
    assert web.client("wjw").put("/api/v1/scoring", json={"values": {"parts": {"tasks": 1}}}).status_code == 403
    assert admin.get("/api/v1/scoring").json()["version"] == 1
