"""The department workspace: what a department leads and supports, what it owes, the Excel round trip."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from yigai.services.reports import report_history

from .conftest import PASSWORDS, PLAN, Web
from .pages_helpers import AT, add_history, csrf_of


def test_a_department_sees_what_it_leads_supports_and_owes(web: Web) -> None:
    add_history(web)
    html = web.client("ybj").get("/workspace?at=2023-11-20").text
    assert "部门工作台 · 区医保局" in html
    assert "<summary>牵头事项（41项）</summary>" in html and "<summary>配合事项（13项）</summary>" in html  # folded
    assert "本期待报送（40 项）" in html  # the last quarter ended by 2023-11-20: 2023年第3季度
    assert "2023年第3季度 · 截止 2023年10月15日" in html and "逾期 36 天" in html
    assert "本期已报送（2023年第3季度，1 项）" in html and "已提交待审核" in html and "未填报" in html
    assert 'href="/plans/1/tasks/T22.M3?period=2023Q3#history"' in html
    assert 'action="/workspace/template"' in html and "下载填报模板（XLSX）" in html
    assert '<select name="dept">' not in html  # a department reporter sees its own department only


def test_a_reporters_home_is_the_to_do_returned_first_grouped_by_task(web: Web) -> None:
    add_history(web)
    admin = web.client("admin")
    returned = admin.post("/api/v1/plans/1/reports/T22.M3/2023Q2/return", json={"comment": "请补充医保杠杆政策文件"})
    assert returned.status_code == 200, returned.text
    html = web.client("ybj").get("/workspace?at=2023-11-20").text
    todo = html[html.index("待办事项（41 项）") : html.index("</section>")]
    back, rest = todo.index("已退回，请修改后重新提交（1 项）"), todo.index("本期待报送（40 项）")
    assert back < rest  # returned reports first
    assert todo.index("22 建立分级诊疗医保政策杠杆机制") < todo.index(
        "(3) 探索建立更灵敏、更有效的基层首诊"
    )  # task, then measure
    assert (
        "退回意见：请补充医保杠杆政策文件" in todo[back:rest]
        and "2023年第2季度 · 截止 2023年7月15日" in todo[back:rest]
    )
    assert 'href="/plans/1/tasks/T22.M3?period=2023Q2#history">修改并重新提交' in todo
    assert "(1) 按照医疗机构功能定位实行差异化医保支付政策" in todo[rest:]  # measures carry their own text
    assert '<a href="/plans/1/tasks/T22">22 建立分级诊疗医保政策杠杆机制</a>' in todo[rest:]


def test_a_reporter_signing_in_lands_on_the_to_do_and_others_on_what_they_asked(web: Web) -> None:
    for name, next_url, landing in (
        ("ybj", "/", "/workspace"),
        ("ybj", "/plans", "/plans"),
        ("admin", "/", "/"),
        ("leader", "/", "/"),
    ):
        client = web.client(None)
        form = client.get("/login").text
        response = client.post(
            "/login",
            data={
                "username": name,
                "password": PASSWORDS[name],
                "next": next_url,
                "csrf_token": csrf_of(form, "/login"),
            },
            follow_redirects=False,
        )
        assert response.status_code == 303 and response.headers["location"] == landing, (name, next_url)
        assert client.get(f"/login?next={next_url}", follow_redirects=False).headers["location"] == landing


def test_office_and_viewer_pick_a_department_and_viewers_cannot_upload(web: Web) -> None:
    viewer = web.client("leader").get(f"/workspace?at={AT}&dept=区医保局").text
    assert "部门工作台 · 区医保局" in viewer and '<select name="dept">' in viewer
    assert 'action="/workspace/template"' not in viewer
    office = web.client("admin").get(f"/workspace?at={AT}&dept=区卫生健康委").text
    assert "部门工作台 · 区卫生健康委" in office and 'action="/workspace/template"' in office


def test_template_round_trip_through_the_pages(web: Web) -> None:
    client = web.client("ybj", csrf=False)
    page = client.get(f"/workspace?at={AT}").text
    download = client.get("/workspace/template.xlsx?plan=1&dept=区医保局&period=2023Q3")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    sheet = book["进展填报"]
    header = [c.value for c in sheet[2]]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[header.index("事项编号")].value == "T22.M3")
    row[header.index("进展状态")].value = "推进中"
    row[header.index("完成百分比")].value = 70
    row[header.index("进展情况")].value = "已完成医保支付方式改革方案"
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(
        "/workspace/template",
        data={
            "csrf_token": csrf_of(page, "/workspace/template"),
            "plan": "1",
            "dept": "区医保局",
            "period": "2023Q3",
            "submit": "1",
        },
        files={
            "file": (
                "医保局-2023Q3.xlsx",
                buffer.getvalue(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    )
    assert response.status_code == 200 and "导入完成：保存 1 行（已提交），未变化 0 行。" in response.text
    assert "工作表「进展填报」第" in response.text and "T22.M3 " in response.text
    versions = report_history(web.core.uow(), PLAN, "T22.M3", "2023Q3")
    assert [(v.percent, v.narrative) for v in versions] == [(70.0, "已完成医保支付方式改革方案")]


def test_a_wrong_file_lists_its_problems_and_saves_nothing(web: Web) -> None:
    client = web.client("ybj", csrf=False)
    page = client.get(f"/workspace?at={AT}").text
    response = client.post(
        "/workspace/template",
        data={"csrf_token": csrf_of(page, "/workspace/template"), "plan": "1", "dept": "区医保局", "period": "2023Q3"},
        files={"file": ("notes.xlsx", b"not a workbook", "application/octet-stream")},
    )
    assert response.status_code == 422 and "填报模板有 1 处错误，未保存任何内容" in response.text
    other = client.post(
        "/workspace/template",
        data={
            "csrf_token": csrf_of(page, "/workspace/template"),
            "plan": "1",
            "dept": "区卫生健康委",
            "period": "2023Q3",
        },
        files={"file": ("x.txt", b"hello", "text/plain")},
    )
    assert other.status_code == 422 and "请选择填好的进展填报模板" in other.text
