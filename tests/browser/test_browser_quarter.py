"""A whole quarter of a 区医改办 in a real browser, on the demo district.

The office confirms the quarter's reporting schedule and gives a third department an account;
three departments report — 区卫生健康委 on a desk, 区医保局 on a 390 px phone, 区人力资源社会保障局
through the Excel template with rows already submitted; the office returns one report and accepts
twenty in one batch on the review desk; the department fixes the returned one and the office accepts
it; the office publishes the quarter's bulletin. A screenshot of each step is kept as an artifact
(the user guide, docs/用户手册.md, shows them).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
from docx import Document

from yigai.services.demo import DEMO_USERS, quarters

from ..conftest import DemoBuild  # type: ignore[import-not-found]
from .conftest import Browser, Page, Server

PASSWORDS = {u.username: u.password for u in DEMO_USERS}
DESK, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}
THIRD, THIRD_USER, THIRD_PASSWORD = "区人力资源社会保障局", "rsj", "Rsj-quarter-2026!"
PLAN = "5"


def _width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def _flash(page: Page) -> str:
    return page.locator(".flash").first.inner_text()


def _report_first_owed(page: Page, narrative: str) -> str:
    """Open the first item the to-do says is owed this period, fill it in and submit it; its URL path."""
    page.locator("#todo li.todo-item:not(.returned) a.button").first.click()
    page.wait_for_load_state()
    path = urlsplit(page.url).path
    form = page.locator("form", has=page.locator("textarea[name=narrative]")).first
    form.locator("select[name=status]").select_option(index=1)
    form.locator("input[name=percent]").fill("60")
    form.locator("textarea[name=narrative]").fill(narrative)
    form.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state()
    assert "提交" in _flash(page), _flash(page)
    return path


def test_a_whole_quarter_of_the_office(browser: Browser, server: Server, demo_build: DemoBuild, tmp_path: Path) -> None:
    quarter = quarters(demo_build.summary.today)[1][-1]  # the quarter the departments report on
    page = browser.page()
    page.set_viewport_size(DESK)

    # 1. The office confirms the quarter's reporting schedule and opens an account for a third department.
    office = browser.sign_in("admin", PASSWORDS["admin"])
    office.goto(f"{server.url}/admin#schedules")
    schedule = office.locator(f"form[action='/admin/schedules/{PLAN}']")
    schedule.locator("input[name=due_days]").fill("15")
    schedule.locator("button[type=submit]").click()
    office.wait_for_load_state()
    browser.shot(office, "quarter-01-office-schedule")
    office.goto(f"{server.url}/admin#users")
    new_user = office.locator("form[action='/admin/users']")
    new_user.locator("input[name=username]").fill(THIRD_USER)
    new_user.locator("input[name=display_name]").fill("区人社局填报员")
    new_user.locator("select[name=role]").select_option("department_reporter")
    new_user.locator("input[name=departments]").fill(THIRD)
    new_user.locator("input[name=password]").fill(THIRD_PASSWORD)
    new_user.locator("button[type=submit]").click()
    office.wait_for_load_state()
    assert THIRD_USER in office.locator("#users").inner_text()

    # 2. 区卫生健康委 reports on a desk: it lands on its to-do.
    health = browser.sign_in("wjw", PASSWORDS["wjw"])
    assert health.url == f"{server.url}/workspace"
    browser.shot(health, "quarter-02-department-todo")
    returned_item = _report_first_owed(health, "已召开专题会议，完成方案初稿，正在征求各部门意见。")

    # 3. 区医保局 reports from a phone.
    page.set_viewport_size(PHONE)
    insurance = browser.sign_in("ybj", PASSWORDS["ybj"])
    assert _width(insurance) <= PHONE["width"]
    _report_first_owed(insurance, "已完成DRG付费结算清单核对，下季度开展年度清算。")
    assert _width(insurance) <= PHONE["width"]
    browser.shot(insurance, "quarter-03-phone-report")
    page.set_viewport_size(DESK)

    # 4. 区人力资源社会保障局 reports through the Excel template, rows already submitted left as they are.
    labour = browser.sign_in(THIRD_USER, THIRD_PASSWORD)
    labour.evaluate("document.querySelectorAll('details.fold').forEach(d => d.open = true)")
    link = labour.locator(f"a[href^='/workspace/template.xlsx?plan={PLAN}&']")
    with labour.expect_download() as download:
        link.click()
    sheet_path = tmp_path / download.value.suggested_filename
    download.value.save_as(sheet_path)
    wb = openpyxl.load_workbook(sheet_path)
    ws = wb["进展填报"]
    cols = {c.value: c.column for c in ws[2]}
    rows = [r for r in range(3, ws.max_row + 1) if ws.cell(r, cols["事项编号"]).value]
    submitted = [r for r in rows if str(ws.cell(r, cols["预填版本"]).value or "").startswith(f"{quarter.id}:")]
    owed = [r for r in rows if r not in submitted]  # empty, or carried over from an earlier quarter
    assert submitted and owed, (len(submitted), len(owed))
    for r in owed:
        ws.cell(r, cols["进展状态"]).value = "推进中"
        ws.cell(r, cols["完成百分比"]).value = 40
        ws.cell(r, cols["进展情况"]).value = "已制定工作方案，按计划推进。"
    wb.save(sheet_path)
    form = labour.locator("form.template-upload", has=labour.locator(f"input[name=plan][value='{PLAN}']"))
    form.locator("input[name=file]").set_input_files(sheet_path)
    form.locator("button[type=submit]").click()
    labour.wait_for_load_state()
    result = labour.locator("section.import-result").inner_text()
    assert f"保存 {len(owed)} 行" in result and f"未变化 {len(submitted)} 行" in result, result
    assert labour.locator("li.import-refused").count() == 0, result
    browser.shot(labour, "quarter-04-template-result")

    # 5. The office returns 区卫生健康委's report and accepts twenty in one batch on the review desk.
    office = browser.sign_in("admin", PASSWORDS["admin"])
    returned_plan = returned_item.split("/")[2]
    item_link = f"a[href='{returned_item}'], a[href^='{returned_item}?'], a[href^='{returned_item}#']"
    office.goto(f"{server.url}/review?plan={returned_plan}&dept=区卫生健康委&period={quarter.id}")
    row = office.locator("article.desk-row", has=office.locator(item_link)).first
    row.locator("summary", has_text="退回").click()
    row.locator("textarea[name=comment]").fill("请补充会议纪要等佐证材料")
    row.locator("form[action='/review/return'] button[type=submit]").click()
    office.wait_for_load_state()
    assert "已退回 1 份报告" in _flash(office)
    office.goto(f"{server.url}/review?plan={PLAN}&period={quarter.id}")
    boxes = office.locator("input[name=items]")
    assert boxes.count() >= 20, boxes.count()
    office.locator("[data-select=all]").click()
    for i in range(20, boxes.count()):
        boxes.nth(i).uncheck()
    browser.shot(office, "quarter-05-review-desk")
    office.locator("#desk-accept button[type=submit]").click()
    office.wait_for_load_state()
    assert _flash(office) == "已采纳 20 份报告。"

    # 6. The department fixes the returned report; the office accepts it.
    health = browser.sign_in("wjw", PASSWORDS["wjw"])
    todo = health.locator("#todo")
    assert "请补充会议纪要等佐证材料" in todo.inner_text()
    todo.locator("li.todo-item.returned a.button", has_text="修改并重新提交").first.click()
    health.wait_for_load_state()
    form = health.locator("form", has=health.locator("textarea[name=narrative]")).first
    form.locator("textarea[name=narrative]").fill("已召开专题会议（会议纪要见附件），完成方案初稿，正在征求意见。")
    form.locator("input[name=evidence]").set_input_files(
        {"name": "会议纪要.txt", "mimeType": "text/plain", "buffer": "专题会议纪要".encode()}
    )
    form.locator("button[name=action][value=submit]").click()
    health.wait_for_load_state()
    browser.shot(health, "quarter-06-resubmitted")
    office = browser.sign_in("admin", PASSWORDS["admin"])
    office.goto(f"{server.url}/review?plan={returned_plan}&dept=区卫生健康委&period={quarter.id}")
    fixed = office.locator("article.desk-row", has=office.locator(item_link)).first
    fixed.locator("input[name=items]").check()
    office.locator("#desk-accept button[type=submit]").click()
    office.wait_for_load_state()
    assert _flash(office) == "已采纳 1 份报告。"

    # 7. The office publishes the quarter's bulletin: no leading body or group is ranked, the method is printed.
    office.goto(f"{server.url}/bulletins?plan={PLAN}&period={quarter.id}")
    assert office.locator("select[name=period] option").count() >= 1
    browser.shot(office, "quarter-07-bulletin")
    with office.expect_download() as download:
        office.locator(f"a[href='/bulletins/{PLAN}/{quarter.id}.docx']").click()
    doc = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    ranking = [t for t in doc.tables if t.rows[0].cells[0].text == "名次"]
    assert ranking, "the bulletin has no ranking table"
    ranked = [r.cells[1].text for t in ranking for r in t.rows[1:] if r.cells[0].text.strip().isdigit()]
    assert ranked and not [n for n in ranked if re.search(r"区委(?!编办)|区政府|领导小组|各镇街|区直有关部门", n)], (
        ranked
    )
    assert "排名" in text and "方法" in text
    assert browser.blocked == []
