"""Plan import and review: upload seed 000, see each field marked in the text, correct a department, publish."""

from __future__ import annotations

import re

from yigai.data import seed_paths
from yigai.services.plans import get_plan, list_plans

from .conftest import Web
from .pages_helpers import csrf_of, outside_urls, post_forms

SEED_000 = seed_paths()[0]  # 青浦区 工作方案: T3 led by 区卫健委, with 区财政局 and 区发展改革委


def _upload(web: Web) -> tuple[object, int, str]:
    client = web.client("admin", csrf=False)
    page = client.get("/plans/import").text
    response = client.post(
        "/plans/import",
        data={"csrf_token": csrf_of(page, "/plans/import")},
        files={"file": ("青浦区工作方案.txt", SEED_000.read_bytes(), "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    location = response.headers["location"]
    draft_id = int(location.rsplit("/", 1)[1])
    return client, draft_id, client.get(location).text


def test_upload_shows_the_text_beside_the_structure_with_every_field_marked(web: Web) -> None:
    _, draft_id, html = _upload(web)
    assert "审核：青浦区关于因地制宜推广福建三明经验深化医药卫生体制改革的工作方案" in html
    assert '<div class="source full" id="source">' in html
    # each extracted field has an anchor in the text and a link from the structure
    for key in ("meta.doc_number", "T3.title", "T3.lead.0", "T3.deadline"):
        assert f'id="src-{key}"' in html, key
        assert f'href="#src-{key}"' in html, key
    assert re.search(r'<mark class="[^"]*hl-lead[^"]*" title="[^"]*牵头：区卫生健康委', html)
    assert "hl-meta" in html and "hl-deadline" in html and "hl-section" in html
    assert outside_urls(html) == []
    listing = web.client("admin").get("/plans/import").text
    assert f'href="/plans/review/{draft_id}"' in listing and "待审核" in listing


def test_correct_a_department_then_publish(web: Web) -> None:
    client, draft_id, html = _upload(web)
    action = f"/plans/review/{draft_id}/items/T3/departments"
    form = next(f for f in post_forms(html) if f'action="{action}"' in f)
    assert 'name="lead" value="区卫生健康委"' in form and 'name="cooperating" value="区财政局、区发展改革委"' in form
    response = client.post(
        action, data={"csrf_token": csrf_of(html, action), "lead": "区卫健委", "cooperating": "区医保局、区财政局"}
    )
    assert response.status_code == 200 and "已保存修改" in response.text
    after = next(f for f in post_forms(response.text) if f'action="{action}"' in f)
    assert 'name="cooperating" value="区医保局、区财政局"' in after
    assert "修改部门" in response.text  # the correction history
    edit = client.get(f"/plans/review/{draft_id}/items/T3/edit", headers={"HX-Request": "true"}).text
    assert 'name="deadline" value="“十四五”末"' in edit and "<html" not in edit
    retitled = client.post(
        f"/plans/review/{draft_id}/items/T3",
        data={
            "csrf_token": csrf_of(edit, f"/plans/review/{draft_id}/items/T3"),
            "title": "持续筑牢公共卫生安全底线",
            "deadline": "“十四五”末",
            "category": ["措施类", "指标类"],
            "action": "save",
        },
    )
    assert retitled.status_code == 200 and "修改标题" in retitled.text and "修改完成时间" not in retitled.text
    published = client.post(
        f"/plans/review/{draft_id}/publish",
        data={"csrf_token": csrf_of(html, f"/plans/review/{draft_id}/publish")},
        follow_redirects=False,
    )
    assert published.status_code == 303
    plan_id = int(published.headers["location"].rsplit("/", 1)[1])
    task = get_plan(web.core.uow(), plan_id).draft.task("T3")
    assert [r.name for r in task.responsibility.lead] == ["区卫生健康委"]
    assert [r.name for r in task.responsibility.cooperating] == ["区医保局", "区财政局"]
    assert task.title == "持续筑牢公共卫生安全底线"
    assert plan_id in {p.id for p in list_plans(web.core.uow())}
    done = client.get(f"/plans/review/{draft_id}").text
    assert f'已发布为<a href="/plans/{plan_id}">' in done and "发布为正式计划" not in done
    assert f'action="{action}"' not in done  # a published draft is read-only


def test_bad_corrections_are_refused_with_the_reason(web: Web) -> None:
    client, draft_id, html = _upload(web)
    action = f"/plans/review/{draft_id}/items/T3/departments"
    response = client.post(
        action, data={"csrf_token": csrf_of(html, action), "lead": "区卫生健康委", "cooperating": "区卫生健康委"}
    )
    assert response.status_code == 422 and "不能同时是牵头部门和配合部门" in response.text
    meta = client.post(
        f"/plans/review/{draft_id}/meta",
        data={"csrf_token": csrf_of(html, f"/plans/review/{draft_id}/meta"), "date": "2022-13-40"},
    )
    assert meta.status_code == 422 and "成文日期须为日期" in meta.text


def test_only_the_office_reviews(web: Web) -> None:
    _, draft_id, _ = _upload(web)
    for username in ("wjw", "leader"):
        client = web.client(username)
        assert client.get("/plans/import").status_code == 403
        assert client.get(f"/plans/review/{draft_id}").status_code == 403
        assert client.post(f"/plans/review/{draft_id}/publish").status_code == 403
    bad = web.client("admin", csrf=False).post(f"/plans/review/{draft_id}/publish")
    assert bad.status_code == 403 and "CSRF" in bad.text


def test_a_file_that_is_not_a_plan_document_is_refused(web: Web) -> None:
    client = web.client("admin", csrf=False)
    page = client.get("/plans/import").text
    response = client.post(
        "/plans/import",
        data={"csrf_token": csrf_of(page, "/plans/import")},
        files={"file": ("plan.exe", b"MZ", "application/octet-stream")},
    )
    assert response.status_code == 422 and "请选择计划文件" in response.text


def test_tasks_without_a_lead_come_first_and_take_departments_together(web: Web) -> None:
    """Seed 001 prints no department: every task is listed under 未指定牵头部门, and many take one at once."""
    client = web.client("admin", csrf=False)
    page = client.get("/plans/import").text
    uploaded = client.post(
        "/plans/import",
        data={"csrf_token": csrf_of(page, "/plans/import")},
        files={"file": ("青浦区医改工作方案.txt", seed_paths()[1].read_bytes(), "text/plain")},
        follow_redirects=False,
    )
    draft_id = int(uploaded.headers["location"].rsplit("/", 1)[1])
    html = client.get(uploaded.headers["location"]).text
    action = f"/plans/review/{draft_id}/assign"
    assert "未指定牵头部门（35 项任务）" in html and "35 项任务未指定牵头部门" in html
    assert html.count('<span class="tag warn">未指定牵头部门</span>') == 35
    assert f'<form class="card assign" id="assign-form" method="post" action="{action}">' in html
    assert '<option value="区卫生健康委">' in html and "全选未指定牵头部门（35）" in html

    response = client.post(
        action,
        data={
            "csrf_token": csrf_of(html, action),
            "items": ["T1", "T2"],
            "lead": "区卫健委",
            "cooperating": "区医保局",
            "mode": "replace",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("?done=assigned#tasks")
    after = client.get(response.headers["location"]).text
    assert "已为所选事项指定部门" in after
    assert "未指定牵头部门（33 项任务）" in after and "已指定牵头部门（2 项任务）" in after
    assert (
        after.index("未指定牵头部门（33 项任务）")
        < after.index("已指定牵头部门（2 项任务）")
        < after.index('id="f-T1"')
    )
    assert "批量指定部门" in after  # the correction history

    refused = client.post(action, data={"csrf_token": csrf_of(html, action), "items": ["T3"], "lead": "区无此局"})
    assert refused.status_code == 422 and "牵头部门「区无此局」不在部门名录中" in refused.text
    assert 'value="T3" form="assign-form" data-unassigned checked' in refused.text

    client.post(
        f"/plans/review/{draft_id}/publish", data={"csrf_token": csrf_of(html, f"/plans/review/{draft_id}/publish")}
    )
    plan_id = max(p.id for p in list_plans(web.core.uow()))
    draft = get_plan(web.core.uow(), plan_id).draft
    assert [r.name for r in draft.task("T2").responsibility.lead] == ["区卫生健康委"]
    assert [r.name for r in draft.task("T2").responsibility.cooperating] == ["区医保局"]
    done = client.get(f"/plans/review/{draft_id}").text
    assert 'id="assign-form"' not in done and 'form="assign-form"' not in done  # a published draft is read-only
