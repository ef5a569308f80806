"""Task and measure pages: provenance marks in the source text, report history with diffs, the forms."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from yigai.services.reports import report_history

from .conftest import PLAN, Web
from .pages_helpers import AT, add_history, base_version_of, csrf_of, post_forms

PDF = b"%PDF-1.4\n% evidence\n"


def marks(html: str, kind: str) -> list[str]:
    """The texts marked with ``hl-<kind>`` (a field's span may be cut into pieces by nested marks)."""
    return [
        re.sub(r"<[^>]+>", "", m)
        for m in re.findall(rf'<mark class="[^"]*\bhl-{kind}\b[^"]*"[^>]*>(.*?)</mark>', html, re.S)
    ]


def test_measure_page_marks_its_departments_deadline_and_category_in_the_source(web: Web) -> None:
    html = web.client("leader").get(f"/plans/1/tasks/T4.M2?at={AT}").text
    assert "建立完善重大突发公共卫生事件领导指挥体系" in html
    assert "区卫健局" in marks(html, "lead")  # printed 区卫健局, the canonical 区卫生健康委
    assert 'title="牵头部门：区卫生健康委（原文“区卫健局”）' in html
    assert {"区应急局", "区建设局", "火车南站综管处"} <= set(marks(html, "cooperating"))
    assert "持续实施" in marks(html, "deadline") and "措施类" in marks(html, "category")
    assert any("组建专家咨询委员会" in m for m in marks(html, "text"))
    assert '<div class="lineno">第' in html


def test_task_page_marks_title_responsibility_and_targets_and_lists_measures(web: Web) -> None:
    html = web.client("leader").get(f"/plans/1/tasks/T9?at={AT}").text
    assert "加强公共卫生人才队伍建设" in marks(html, "title")
    assert any("85%" in m for m in marks(html, "target"))  # 区疾控机构专技人员岗位比例不低于85%
    assert {"区卫健局", "区委编办", "区人社局", "区财政局"} <= set(marks(html, "lead"))
    for measure in ("T9.M1", "T9.M2", "T9.M6"):
        assert f'href="/plans/1/tasks/{measure}"' in html
    assert "量化目标" in html and "≥85%" in html


def _submit(client: TestClient, item: str, period: str, **fields: str) -> object:
    page = client.get(f"/plans/1/tasks/{item}?period={period}&at={AT}")
    data = {
        "csrf_token": csrf_of(page.text, f"/plans/1/tasks/{item}/report"),
        "period": period,
        "department": "区卫生健康委",
        "status": "推进中",
        "base_version": base_version_of(page.text, f"/plans/1/tasks/{item}/report"),
        "percent": "40",
        "narrative": "已完成签约服务包设计",
        "problems": "",
        "next_steps": "扩大试点",
        "action": "submit",
        **fields,
    }
    return client.post(
        f"/plans/1/tasks/{item}/report", data=data, files=[("evidence", ("签约服务包.pdf", PDF, "application/pdf"))]
    )


def test_a_report_submitted_with_the_form_appears_in_the_history(web: Web) -> None:
    client = web.client("wjw", csrf=False)  # the token comes from the form, as in a browser
    response = _submit(client, "T2.M1", "2023Q4")
    assert response.status_code == 200, response.text[:1000]
    assert str(response.url).endswith(
        "/plans/1/tasks/T2.M1?period=2023Q4&done=submitted#history"
    ) or "done=submitted" in str(response.url)
    html = response.text
    assert "已提交进展报告" in html
    assert "第1版 · 已提交 · 区卫生健康委 · wjw" in html and "已完成签约服务包设计" in html
    link = re.search(r'href="(/evidence/[0-9a-f]{64})">签约服务包.pdf</a>', html)
    assert link, "evidence link"
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.content == PDF
    assert "filename*=UTF-8''" in download.headers["content-disposition"]
    versions = report_history(web.core.uow(), PLAN, "T2.M1", "2023Q4")
    assert [(v.version, v.percent, v.author) for v in versions] == [(1, 40.0, "wjw")]
    assert "已提交，等待医改办审核" in html  # a submitted report is locked for the department


def test_versions_show_what_changed(web: Web) -> None:
    client = web.client("wjw", csrf=False)
    _submit(client, "T2.M2", "2023Q4", action="save")
    html = _submit(client, "T2.M2", "2023Q4", narrative="已完成签约服务包设计并在两个街道试点", percent="55").text
    assert "第2版 · 已提交" in html and "第1版 · 草稿" in html
    assert "<ins>并在两个街道试点</ins>" in html
    assert "<del>40%</del> → <ins>55%</ins>" in html and "<del>草稿</del> → <ins>已提交</ins>" in html


def test_office_returns_a_report_and_the_department_resubmits(web: Web) -> None:
    reporter = web.client("wjw", csrf=False)
    _submit(reporter, "T2.M1", "2023Q4")
    office = web.client("admin", csrf=False)
    page = office.get(f"/plans/1/tasks/T2.M1?period=2023Q4&at={AT}").text
    assert "采纳" in page and "退回修改" in page
    back = office.post(
        "/plans/1/tasks/T2.M1/review",
        data={
            "csrf_token": csrf_of(page, "/plans/1/tasks/T2.M1/review"),
            "period": "2023Q4",
            "decision": "return",
            "comment": "请补充签约人数",
        },
    )
    assert back.status_code == 200 and "已退回该报告" in back.text and "请补充签约人数" in back.text
    again = reporter.get(f"/plans/1/tasks/T2.M1?period=2023Q4&at={AT}").text
    assert "医改办退回意见：请补充签约人数" in again
    done = reporter.post(
        "/plans/1/tasks/T2.M1/review",
        data={"csrf_token": csrf_of(again, "/plans/1/tasks/T2.M1/review"), "period": "2023Q4", "decision": "resubmit"},
    )
    assert "已重新提交" in done.text and "第3版 · 已提交" in done.text


def test_a_cooperating_department_adds_its_input(web: Web) -> None:
    client = web.client("wjw", csrf=False)
    page = client.get(f"/plans/1/tasks/T9.M2?period=2023Q4&at={AT}").text  # led by 区人力资源社会保障局
    assert "配合部门意见" in page and "填报2023年第4季度进展" not in page
    response = client.post(
        "/plans/1/tasks/T9.M2/contribute",
        data={
            "csrf_token": csrf_of(page, "/plans/1/tasks/T9.M2/contribute"),
            "period": "2023Q4",
            "department": "区卫生健康委",
            "text": "已提供专技人员名单",
        },
    )
    assert response.status_code == 200 and "已提交配合意见" in response.text
    assert "已提供专技人员名单" in response.text


def test_without_the_csrf_token_nothing_is_saved(web: Web) -> None:
    client = web.client("wjw", csrf=False)
    response = client.post(
        "/plans/1/tasks/T2.M1/report",
        data={"period": "2023Q4", "department": "区卫生健康委", "status": "推进中", "percent": "40"},
    )
    assert response.status_code == 403 and "CSRF" in response.text
    assert report_history(web.core.uow(), PLAN, "T2.M1", "2023Q4") == []


def test_a_department_that_does_not_lead_the_item_gets_no_form_and_is_refused(web: Web) -> None:
    client = web.client("ybj", csrf=False)
    page = client.get(f"/plans/1/tasks/T2.M1?period=2023Q4&at={AT}").text
    assert "/tasks/T2.M1/report" not in page and "只有牵头部门" in page
    response = client.post(
        "/plans/1/tasks/T2.M1/report",
        data={  # the session's token, from the sign-out form
            "csrf_token": csrf_of(page, "/logout"),
            "period": "2023Q4",
            "department": "区卫生健康委",
            "status": "推进中",
            "percent": "40",
            "base_version": "0",
        },
    )
    assert response.status_code == 403 and "无权以「区卫生健康委」名义填报" in response.text
    assert report_history(web.core.uow(), PLAN, "T2.M1", "2023Q4") == []


def test_a_viewer_reads_everything_and_has_no_write_form(web: Web) -> None:
    add_history(web)
    html = web.client("leader").get(f"/plans/1/tasks/T22.M3?period=2023Q3&at={AT}").text
    assert "2023Q3进展" in html and "第1版 · 已提交 · 区医保局" in html
    assert [f for f in post_forms(html) if 'action="/logout"' not in f] == []


def test_bad_input_is_shown_on_the_page_and_nothing_is_saved(web: Web) -> None:
    client = web.client("wjw", csrf=False)
    response = _submit(client, "T2.M1", "2023Q4", status="已完成", percent="80")
    assert response.status_code == 422 and "状态为已完成时完成百分比应为 100" in response.text
    page = client.get(f"/plans/1/tasks/T2.M1?period=2023Q4&at={AT}").text
    bad = client.post(
        "/plans/1/tasks/T2.M1/report",
        data={
            "csrf_token": csrf_of(page, "/plans/1/tasks/T2.M1/report"),
            "period": "2023Q4",
            "department": "区卫生健康委",
            "status": "推进中",
            "percent": "40",
            "base_version": "0",
        },
        files=[("evidence", ("setup.exe", b"MZ\x90\x00", "application/octet-stream"))],
    )
    assert bad.status_code == 422 and "不接受此类型的文件" in bad.text
    assert report_history(web.core.uow(), PLAN, "T2.M1", "2023Q4") == []


def _form_values(html: str) -> dict[str, str]:
    """What the report form shows: the selected status, the percent and the three texts."""
    form = re.search(r'<form method="post" action="/plans/1/tasks/T2.M1/report".*?</form>', html, re.S)
    assert form, "report form"
    body = form.group(0)
    values = {
        "status": re.search(r"<option selected>([^<]+)</option>", body).group(1),  # type: ignore[union-attr]
        "percent": re.search(r'name="percent"[^>]*value="([^"]*)"', body).group(1),
    }  # type: ignore[union-attr]
    for name in ("narrative", "problems", "next_steps"):
        values[name] = unescape(re.search(rf'<textarea name="{name}">(.*?)</textarea>', body, re.S).group(1))  # type: ignore[union-attr]
    return values


TYPED = {
    "status": "推进中",
    "percent": "62.5",
    "narrative": "本季度新签约 1200 人<含“1+1+1”组合>",
    "problems": "部分社区人手紧张",
    "next_steps": "四季度扩大到全部街道",
}


@pytest.mark.parametrize(
    ("extra", "files", "status", "message"),
    [
        (
            {},
            [("evidence", ("setup.exe", b"MZ\x90\x00", "application/octet-stream"))],
            422,
            "setup.exe：不接受此类型的文件",
        ),
        ({}, [("evidence", ("台账.pdf", b"not a pdf", "application/pdf"))], 422, "台账.pdf 的内容与扩展名 .pdf 不符"),
        ({"status": "已完成"}, [], 422, "状态为已完成时完成百分比应为 100"),
    ],
)
def test_a_refused_report_comes_back_as_typed_not_as_last_quarters(
    web: Web, extra: dict[str, str], files: list[object], status: int, message: str
) -> None:
    add_history(web)  # T2.M1 reported 滞后 30 % in 2023Q3: what the 2023Q4 form would be prefilled with
    client = web.client("wjw", csrf=False)
    page = client.get(f"/plans/1/tasks/T2.M1?period=2023Q4&at={AT}").text
    assert _form_values(page)["narrative"] == "家庭医生签约进度滞后"  # the prefill before anything is typed
    typed = TYPED | extra
    response = client.post(
        "/plans/1/tasks/T2.M1/report",
        data={
            "csrf_token": csrf_of(page, "/plans/1/tasks/T2.M1/report"),
            "period": "2023Q4",
            "department": "区卫生健康委",
            "base_version": base_version_of(page, "/plans/1/tasks/T2.M1/report"),
            "action": "submit",
            **typed,
        },
        files=files or None,
    )
    assert response.status_code == status and message in response.text
    assert _form_values(response.text) == typed
    if files:
        assert "未保存，请重新选择文件" in response.text
    assert report_history(web.core.uow(), PLAN, "T2.M1", "2023Q4") == []


def test_a_conflict_shows_what_was_typed(web: Web) -> None:
    client = web.client("wjw", csrf=False)
    page = client.get(f"/plans/1/tasks/T2.M1?period=2023Q4&at={AT}").text
    assert _submit(client, "T2.M1", "2023Q4").status_code == 200  # submitted: awaiting review
    response = client.post(
        "/plans/1/tasks/T2.M1/report",
        data={
            "csrf_token": csrf_of(page, "/plans/1/tasks/T2.M1/report"),
            "period": "2023Q4",
            "department": "区卫生健康委",
            "base_version": base_version_of(page, "/plans/1/tasks/T2.M1/report"),
            "action": "submit",
            **TYPED,
        },
    )  # a second tab, still showing the form
    assert response.status_code == 409 and "不能保存：当前为「已提交」（第1版）" in response.text
    assert "您填写的内容（未保存）" in response.text and "四季度扩大到全部街道" in response.text
    assert "本季度新签约 1200 人&lt;含“1+1+1”组合&gt;" in response.text


def test_a_save_after_someone_saved_a_newer_version_is_refused_in_chinese_showing_it(web: Web) -> None:
    mine, other = web.client("wjw", csrf=False), web.client("wjw", csrf=False)  # two tabs, or two colleagues
    action = "/plans/1/tasks/T2.M1/report"
    page = mine.get(f"/plans/1/tasks/T2.M1?period=2023Q4&at={AT}").text
    assert base_version_of(page, action) == "0"
    first = other.get(f"/plans/1/tasks/T2.M1?period=2023Q4&at={AT}").text
    saved = other.post(
        action,
        data={
            "csrf_token": csrf_of(first, action),
            "period": "2023Q4",
            "department": "区卫生健康委",
            "base_version": "0",
            "action": "save",
            "status": "推进中",
            "percent": "55",
            "narrative": "同事先保存的进展",
        },
    )
    assert saved.status_code == 200 and "第1版 · 草稿" in saved.text
    stale = mine.post(
        action,
        data={
            "csrf_token": csrf_of(page, action),
            "period": "2023Q4",
            "department": "区卫生健康委",
            "base_version": "0",
            "action": "save",
            **TYPED,
        },
    )
    assert stale.status_code == 409
    text = unescape(stale.text)
    assert (
        "您编辑的是尚未填报时的空白报告，此后已有人保存了第1版（wjw" in text
        and "推进中 55%" in text
        and "为免覆盖，本次未保存" in text
    )
    assert "同事先保存的进展" in text  # the newer version, in the history beside the form
    assert _form_values(stale.text) == TYPED  # what was typed stays, to compare and save again
    assert base_version_of(stale.text, action) == "1"  # saving again now follows the version just shown
    assert [(v.version, v.narrative) for v in report_history(web.core.uow(), PLAN, "T2.M1", "2023Q4")] == [
        (1, "同事先保存的进展")
    ]
    again = mine.post(
        action,
        data={
            "csrf_token": csrf_of(page, action),
            "period": "2023Q4",
            "department": "区卫生健康委",
            "base_version": "1",
            "action": "save",
            **TYPED,
        },
    )
    assert again.status_code == 200
    assert [v.version for v in report_history(web.core.uow(), PLAN, "T2.M1", "2023Q4")] == [1, 2]


def test_evidence_downloads_under_its_chinese_name_and_type(web: Web) -> None:
    client = web.client("wjw", csrf=False)
    page = client.get(f"/plans/1/tasks/T2.M1?period=2023Q4&at={AT}").text
    data = b"PK\x03\x04" + bytes(40)  # what an .xlsx starts with
    client.post(
        "/plans/1/tasks/T2.M1/report",
        data={
            "csrf_token": csrf_of(page, "/plans/1/tasks/T2.M1/report"),
            "period": "2023Q4",
            "department": "区卫生健康委",
            "action": "save",
            "status": "推进中",
            "percent": "10",
            "base_version": "0",
        },
        files=[
            ("evidence", ("工作台账.xlsx", data, "application/octet-stream")),
            ("evidence", ("签约服务包.pdf", PDF, "application/pdf")),
        ],
    )
    html = client.get(f"/plans/1/tasks/T2.M1?period=2023Q4&at={AT}").text
    links = dict((name, href) for href, name in re.findall(r'href="(/evidence/[0-9a-f]{64})">([^<]+)</a>', html))
    sheet = client.get(links["工作台账.xlsx"])
    assert sheet.status_code == 200 and sheet.content == data
    assert sheet.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert sheet.headers["content-disposition"] == (
        "attachment; filename=\"download.xlsx\"; filename*=UTF-8''%E5%B7%A5%E4%BD%9C%E5%8F%B0%E8%B4%A6.xlsx"
    )
    pdf = client.get(links["签约服务包.pdf"])
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith(
        "inline; filename=\"download.pdf\"; filename*=UTF-8''%E7%AD%BE"
    )
    assert client.get("/evidence/" + "0" * 64).status_code == 404
