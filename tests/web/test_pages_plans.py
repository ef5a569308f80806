"""The plans list and the plan page: section tree, tasks with status chips, HTMX filters, XLSX export."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from .conftest import Web
from .pages_helpers import AT, add_history


def test_plans_list_shows_counts_and_schedule(web: Web) -> None:
    html = web.client("leader").get("/plans").text
    assert 'href="/plans/1"' in html and "仓医改组〔2021〕1号" in html
    assert "2021Q3–2023Q4" in html and ">37<" in html and ">133<" in html


def test_plan_page_has_the_section_tree_tasks_and_status_chips(web: Web) -> None:
    add_history(web)
    html = web.client("leader").get(f"/plans/1?at={AT}").text
    assert "构建平急结合、医防融合的公共卫生体系" in html  # a section （二）
    assert 'href="#sec-S4"' in html  # the tree links to the sections
    assert "深化公共卫生应急管理体制改革" in html and 'href="/plans/1/tasks/T4"' in html
    assert 'href="/plans/1/tasks/T4.M2"' in html
    assert '<span class="chip chip-late">逾期未完成</span>' in html
    assert '<span class="chip chip-risk">存在风险</span>' in html
    assert "导出任务清单（XLSX）" in html and 'href="/plans/1/export.xlsx"' in html
    assert 'hx-get="/plans/1"' in html and 'hx-target="#task-list"' in html


def test_filters_by_department_status_category_and_deadline(web: Web) -> None:
    add_history(web)
    client = web.client("leader")
    html = client.get(f"/plans/1?at={AT}&department=区医保局&status=overdue").text
    # 区医保局 leads or supports five items whose dated deadline has passed unfinished
    assert "共 5 个事项（全部 133 个）" in html
    for item in ("T17.M2", "T22.M3", "T24.M4", "T25.M3", "T27.M2"):
        assert f'href="/plans/1/tasks/{item}"' in html, item
    assert 'href="/plans/1/tasks/T2.M1"' not in html
    risk = client.get(f"/plans/1?at={AT}&status=at_risk").text
    assert 'href="/plans/1/tasks/T2.M1"' in risk and "共 1 个事项" in risk
    dated = client.get(f"/plans/1?at={AT}&deadline=2021&category=政策类").text
    assert "个事项（全部 133 个）" in dated and 'href="/plans/1/tasks/T2.M1"' not in dated
    none = client.get(f"/plans/1?at={AT}&department=区医保局&deadline=2021&category=指标类").text
    assert "没有符合条件的任务" in none


def test_htmx_filter_returns_only_the_task_list(web: Web) -> None:
    add_history(web)
    response = web.client("leader").get(
        f"/plans/1?at={AT}&status=overdue", headers={"HX-Request": "true", "HX-Target": "task-list"}
    )
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<div id="task-list"') and "<html" not in html
    assert 'href="/plans/1/tasks/T22.M3"' in html


def test_export_is_the_task_workbook(web: Web) -> None:
    response = web.client("leader").get("/plans/1/export.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "任务清单" and book["任务清单"].max_row == 134
