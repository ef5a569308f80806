"""Administration and the audit log: office admins only; every write through the services, audited."""

from __future__ import annotations

from yigai.domain.users import Role
from yigai.services.users import list_users

from .conftest import Web
from .pages_helpers import csrf_of


def test_admin_page_lists_users_departments_units_schedules_and_weights(web: Web) -> None:
    html = web.client("admin").get("/admin").text
    for text in (
        "用户与权限",
        "卫健委填报员",
        "部门与别名",
        "区卫生健康委",
        "区卫健局",
        "机构层级",
        "城门镇卫生院",
        "报送周期",
        "2021年第3季度至2023年第4季度",
        "考核评分方案",
        "任务推进",
        "每未报送一次",
    ):
        assert text in html, text


def test_office_creates_a_user_with_a_password_and_sets_a_schedule(web: Web) -> None:
    client = web.client("admin", csrf=False)
    page = client.get("/admin").text
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_of(page, "/admin/users"),
            "username": "czj",
            "display_name": "财政局填报员",
            "role": "department_reporter",
            "departments": "区财政局",
            "org_units": "",
            "password": "czj-pass-777",
        },
    )
    assert response.status_code == 200 and "已创建用户" in response.text and "财政局填报员" in response.text
    created = {u.username: u for u in list_users(web.core.uow())}["czj"]
    assert created.role is Role.DEPARTMENT_REPORTER and created.departments == frozenset({"区财政局"})
    again = client.post(
        "/admin/users", data={"csrf_token": csrf_of(page, "/admin/users"), "username": "czj", "role": "viewer"}
    )
    assert again.status_code == 409 and "用户「czj」已存在" in again.text
    schedule = client.post(
        "/admin/schedules/1",
        data={
            "csrf_token": csrf_of(page, "/admin/schedules/1"),
            "period_type": "quarterly",
            "first": "2021年第3季度",
            "last": "2024年四季度",
            "due_days": "20",
        },
    )
    assert "已设置报送周期" in schedule.text and "2021年第3季度至2024年第4季度，期末后 20 天内报送" in schedule.text
    assert (
        'name="first" style="width: 8em" placeholder="2021年第3季度" aria-label="开始报告期" value="2021年第3季度"'
        in schedule.text
    )
    assert "2021Q3" not in schedule.text
    wrong = client.post(
        "/admin/schedules/1",
        data={
            "csrf_token": csrf_of(page, "/admin/schedules/1"),
            "period_type": "quarterly",
            "first": "2021年下半年",
            "last": "2024年第4季度",
            "due_days": "20",
        },
    )
    assert wrong.status_code == 422 and "开始报告期「2021年下半年」不是季度报告期" in wrong.text


def test_office_adds_an_alias(web: Web) -> None:
    client = web.client("admin", csrf=False)
    page = client.get("/admin").text
    response = client.post(
        "/admin/aliases",
        data={
            "csrf_token": csrf_of(page, "/admin/aliases"),
            "alias": "仓山区卫生健康局",
            "canonical": "区卫健委",
            "region": "",
        },
    )
    assert response.status_code == 200 and "已添加部门别名" in response.text and "仓山区卫生健康局" in response.text


def test_others_may_not_administer(web: Web) -> None:
    for username in ("wjw", "leader", "cmz"):
        client = web.client(username)
        assert client.get("/admin").status_code == 403
        response = client.post("/admin/users", data={"username": "x1", "role": "viewer"})
        assert response.status_code == 403, username
    assert "x1" not in {u.username for u in list_users(web.core.uow())}


def test_audit_log_shows_writes_with_filters_and_pages(web: Web) -> None:
    client = web.client("admin")
    html = client.get("/audit").text
    assert "审计日志" in html and "创建用户" in html and "设置报送周期" in html
    assert "wjw" in html and "共 " in html
    filtered = client.get("/audit?action=schedule.set").text
    assert "共 1 条" in filtered and "<ins>季度</ins>" in filtered and "起始报告期" in filtered
    assert "quarterly" not in filtered.split("<table>", 1)[1]
    assert "创建用户</" not in filtered.split("<table>", 1)[1]
    assert "共 0 条" in client.get("/audit?since=2099-01-01").text
    assert client.get("/audit?page=99").status_code == 200
    assert web.client("wjw").get("/audit").status_code == 403
