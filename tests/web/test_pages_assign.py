"""Departments for many tasks of a published plan at once, through the pages and the API.

Seed 001 (青浦区 医改工作方案) prints no department: imported beside the supervised plan it is
plan 2, all 35 tasks without a lead, so nobody can report on it until the office assigns them.
"""

from __future__ import annotations

import re

from yigai.data import seed_paths
from yigai.services.plans import get_plan, import_file
from yigai.services.schedules import set_schedule

from .api_helpers import user
from .conftest import PLAN, Web, at
from .pages_helpers import csrf_of, outside_urls, post_forms

SEED_001 = seed_paths()[1]
AT = "2024-04-20"  # 2024Q1 has ended


def _plan_001(web: Web) -> int:
    plan_id = import_file(web.core.uow(), SEED_001).plan_id
    set_schedule(web.core.uow(), user(web, "admin"), plan_id, "quarterly", "2024Q1", "2025Q4", 15, now=at("2024-01-02"))
    return plan_id


def _leads(web: Web, plan_id: int, task_id: str) -> list[str]:
    return [r.name for r in get_plan(web.core.uow(), plan_id).draft.task(task_id).responsibility.lead]


def test_the_plan_page_says_what_no_department_leads_and_links_the_office_to_fix_it(web: Web) -> None:
    plan_id = _plan_001(web)
    office = web.client("admin").get(f"/plans/{plan_id}?at={AT}").text
    assert "35 个事项未指定牵头部门，无法填报进展" in office
    assert f'href="/plans/{plan_id}/assign"' in office
    viewer = web.client("leader").get(f"/plans/{plan_id}?at={AT}").text
    assert "35 个事项未指定牵头部门" in viewer and f'href="/plans/{plan_id}/assign"' not in viewer
    supervised = web.client("admin").get(f"/plans/{PLAN}?at={AT}").text
    assert "未指定牵头部门" not in supervised and f'href="/plans/{PLAN}/assign"' in supervised


def test_assign_many_tasks_then_the_lead_department_reports(web: Web) -> None:
    plan_id = _plan_001(web)
    client = web.client("admin", csrf=False)
    html = client.get(f"/plans/{plan_id}/assign").text
    action = f"/plans/{plan_id}/assign"
    assert "未指定牵头部门（35 项任务）" in html and "已指定牵头部门" not in html
    assert (
        len(
            re.findall(
                r'<input type="checkbox" class="pick" name="items" value="T\d+" form="assign-form" '
                r"data-unassigned",
                html,
            )
        )
        == 35
    )
    assert '<datalist id="dept-options">' in html and '<option value="区卫生健康委">' in html
    assert 'name="mode" value="add" checked' in html and 'name="mode" value="replace"' in html
    assert "全选未指定牵头部门（35）" in html and outside_urls(html) == []

    response = client.post(
        action,
        data={
            "csrf_token": csrf_of(html, action),
            "items": ["T1", "T2", "T3"],
            "lead": "区卫健委",
            "cooperating": "区医保局、区财政局",
            "mode": "add",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/plans/{plan_id}/assign?done=3"
    page = client.get(response.headers["location"]).text
    assert "已为 3 项事项调整责任部门，进展报告保持不变" in page
    assert "未指定牵头部门（32 项任务）" in page and "已指定牵头部门（3 项任务）" in page
    assert _leads(web, plan_id, "T3") == ["区卫生健康委"]
    with web.core.uow() as uow:
        audited = [e for e in uow.audit.entries() if e.action == "plan.departments"]
    assert [e.before["item"] for e in audited] == ["T1", "T2", "T3"]

    # the lead department's workspace lists the task, and it reports on it
    wjw = web.client("wjw")
    workspace = wjw.get(f"/workspace?at={AT}").text
    assert f'href="/plans/{plan_id}/tasks/T3' in workspace
    saved = wjw.post(
        f"/api/v1/plans/{plan_id}/reports/T3/2024Q1",
        json={"department": "区卫生健康委", "status": "推进中", "percent": 30, "submit": True, "base_version": 0},
    )
    assert saved.status_code == 201, saved.text
    ybj = web.client("ybj").post(
        f"/api/v1/plans/{plan_id}/reports/T3/2024Q1",
        json={"department": "区医保局", "status": "推进中", "percent": 30, "base_version": 1},
    )
    assert ybj.status_code == 422 and "配合部门而非牵头部门" in ybj.json()["error"]["message"]


def test_a_refused_assignment_says_why_and_keeps_what_was_ticked(web: Web) -> None:
    plan_id = _plan_001(web)
    client = web.client("admin", csrf=False)
    action = f"/plans/{plan_id}/assign"
    html = client.get(action).text
    refused = client.post(
        action,
        data={
            "csrf_token": csrf_of(html, action),
            "items": ["T4", "T5"],
            "lead": "区卫生健康委、区智慧医疗专班",
            "mode": "add",
        },
    )
    assert refused.status_code == 422
    assert "牵头部门「区智慧医疗专班」不在部门名录中" in refused.text
    assert 'value="T4" form="assign-form" data-unassigned checked' in refused.text
    assert 'value="区卫生健康委、区智慧医疗专班"' in refused.text
    nothing = client.post(action, data={"csrf_token": csrf_of(html, action), "lead": "区卫生健康委"})
    assert nothing.status_code == 422 and "请至少选择一项任务或措施" in nothing.text
    assert _leads(web, plan_id, "T4") == []


def test_replace_on_the_supervised_plan_keeps_its_reports(web: Web) -> None:
    client = web.client("admin", csrf=False)
    action = f"/plans/{PLAN}/assign"
    html = client.get(action).text
    assert "所有任务均已指定牵头部门" in html
    wjw = web.client("wjw")
    assert (
        wjw.post(
            f"/api/v1/plans/{PLAN}/reports/T4.M2/2023Q4",
            json={"department": "区卫生健康委", "status": "推进中", "percent": 40, "base_version": 0},
        ).status_code
        == 201
    )
    response = client.post(
        action,
        data={
            "csrf_token": csrf_of(html, action),
            "items": ["T4.M2"],
            "lead": "区医保局",
            "cooperating": "区卫生健康委",
            "mode": "replace",
        },
    )
    assert response.status_code == 200 and "已为 1 项事项调整责任部门" in response.text
    history = wjw.get(f"/api/v1/plans/{PLAN}/reports/T4.M2/2023Q4").json()
    assert [v["department"] for v in history] == ["区卫生健康委"]
    assert [r.name for r in get_plan(web.core.uow(), PLAN).draft.task("T4").measures[1].responsibility.lead] == [
        "区医保局"
    ]


def test_only_the_office_assigns_on_the_pages(web: Web) -> None:
    plan_id = _plan_001(web)
    for username in ("wjw", "leader"):
        client = web.client(username)
        assert client.get(f"/plans/{plan_id}/assign").status_code == 403
        assert (
            client.post(f"/plans/{plan_id}/assign", data={"items": ["T1"], "lead": "区卫生健康委"}).status_code == 403
        )
    bad = web.client("admin", csrf=False).post(
        f"/plans/{plan_id}/assign", data={"items": ["T1"], "lead": "区卫生健康委"}
    )
    assert bad.status_code == 403 and "CSRF" in bad.text
    assert _leads(web, plan_id, "T1") == []
    forms = post_forms(web.client("admin").get(f"/plans/{plan_id}/assign").text)
    assert any('action="/plans/2/assign"' in f for f in forms)


def test_the_api_assigns_and_lists_what_has_no_lead(web: Web) -> None:
    plan_id = _plan_001(web)
    client = web.client("admin")
    items = client.get(f"/api/v1/plans/{plan_id}/items", params={"without_lead": True}).json()
    assert len(items) == 35
    response = client.post(
        f"/api/v1/plans/{plan_id}/assignments",
        json={"items": ["T1", "T2"], "lead": ["区卫健局"], "cooperating": ["区医保局"], "mode": "add"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "items": ["T1", "T2"],
        "changed": ["T1", "T2"],
        "lead": ["区卫生健康委"],
        "cooperating": ["区医保局"],
        "mode": "add",
        "version": None,
    }
    assert len(client.get(f"/api/v1/plans/{plan_id}/items", params={"without_lead": True}).json()) == 33
    unknown = client.post(f"/api/v1/plans/{plan_id}/assignments", json={"items": ["T3"], "lead": ["区无此局"]})
    assert unknown.status_code == 422 and "「区无此局」不在部门名录中" in unknown.json()["error"]["message"]
    for username in ("wjw", "leader"):
        refused = web.client(username).post(
            f"/api/v1/plans/{plan_id}/assignments", json={"items": ["T3"], "lead": ["区卫生健康委"]}
        )
        assert refused.status_code == 403
    schema = client.get("/api/v1/openapi.json").json()
    assert "post" in schema["paths"]["/api/v1/plans/{plan}/assignments"]
    assert "post" in schema["paths"]["/api/v1/drafts/{draft_id}/assignments"]
    body = schema["components"]["schemas"]["Assign"]
    assert {"items", "lead", "cooperating", "mode"} <= set(body["properties"])
