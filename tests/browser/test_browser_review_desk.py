"""The review desk and the reporter's to-do in a real browser, on a desk (1440×900) and on a phone (390×844):
filter, select all, accept in one batch, return one with a comment; the department lands on its to-do and sees it.
No page is wider than the phone's screen."""

from __future__ import annotations

import re

from yigai.services.demo import DEMO_USERS, quarters

from ..conftest import DemoBuild  # type: ignore[import-not-found]
from .conftest import Browser, Page, Server

PASSWORDS = {u.username: u.password for u in DEMO_USERS}
VIEWPORTS = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def _width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def _waiting(page: Page) -> int:
    found = re.search(r"共 (\d+) 份待审核报告", page.locator("h1").inner_text())
    assert found, page.locator("h1").inner_text()
    return int(found.group(1))


def test_the_office_reviews_a_batch_and_the_department_sees_the_return(
    browser: Browser, server: Server, demo_build: DemoBuild
) -> None:
    quarter = quarters(demo_build.summary.today)[1][-1]
    page = browser.page()
    for tag, department, reporter in (("desk", "区卫生健康委", "wjw"), ("phone", "区医保局", "ybj")):
        page.set_viewport_size(VIEWPORTS[tag])
        office = browser.sign_in("admin", PASSWORDS["admin"])
        office.goto(f"{server.url}/review")
        assert _width(office) <= VIEWPORTS[tag]["width"]
        office.select_option("select[name=plan]", "5")
        office.select_option("select[name=dept]", department)
        office.select_option("select[name=period]", quarter.id)
        office.locator(".desk-filters button[type=submit]").click()
        office.wait_for_load_state()
        before = _waiting(office)
        assert before >= 20, before
        office.locator("[data-select=all]").click()
        boxes = office.locator("input[name=items]")
        assert office.locator("input[name=items]:checked").count() == boxes.count()
        for i in range(20, boxes.count()):
            boxes.nth(i).uncheck()
        assert office.locator("[data-count=desk-accept]").inner_text() == "（20 项）"
        browser.shot(office, f"desk-{tag}-1-twenty-ticked")
        office.locator("#desk-accept button[type=submit]").click()
        office.wait_for_load_state()
        assert office.locator(".flash").inner_text() == "已采纳 20 份报告。"
        assert _waiting(office) == before - 20 and _width(office) <= VIEWPORTS[tag]["width"]

        office.goto(f"{server.url}/review?plan=5&dept={department}")  # any period left for this department
        row = office.locator("article.desk-row").first
        item = row.locator("a").first.get_attribute("href") or ""
        row.locator("summary", has_text="退回").click()
        row.locator("textarea[name=comment]").fill("请补充会议纪要等佐证材料")
        browser.shot(office, f"desk-{tag}-2-return")
        row.locator("form[action='/review/return'] button[type=submit]").click()
        office.wait_for_load_state()
        assert "已退回 1 份报告" in office.locator(".flash").inner_text()

        own = browser.sign_in(reporter, PASSWORDS[reporter])
        assert own.url == f"{server.url}/workspace"  # a reporter's home is the to-do
        todo = own.locator("#todo")
        assert "已退回，请修改后重新提交" in todo.inner_text() and "请补充会议纪要等佐证材料" in todo.inner_text()
        assert todo.locator(f"a[href^='{item.split('?')[0]}']").count() >= 1
        assert _width(own) <= VIEWPORTS[tag]["width"]
        browser.shot(own, f"desk-{tag}-3-{reporter}-todo")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert browser.blocked == []
