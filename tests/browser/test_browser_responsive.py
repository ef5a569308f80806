"""Every page on a phone: each demo role (office, department reporter, institution reporter, read-only
leader) signs in at 390×844 and opens every page of the app; no page is wider than the screen, the menu
folds under 菜单 and opens without any script, every cell of a table shown as cards carries its column's
label, and the controls are big enough for a thumb. Screenshots of each page at 390×844 and of the main
pages at 1440×900 go to the browser artifacts folder (``phone-<role>-<page>.png``, ``desktop-<page>.png``)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from yigai.bootstrap import build
from yigai.clock import now
from yigai.domain.periods import PeriodType, period_containing
from yigai.services.demo import demo_settings
from yigai.services.items import report_items
from yigai.services.plans import get_plan
from yigai.services.reports import latest_reports

from .conftest import Browser, Page, Server
from .test_browser import _example_urls, require_pages, sign_in

PHONE, DESKTOP, DEFAULT = {"width": 390, "height": 844}, {"width": 1440, "height": 900}, {"width": 1280, "height": 900}
ROLES = ("admin", "wjw", "cqsq", "leader")  # office, department reporter, institution reporter, read-only leader
SHOT_HEIGHT = 2400  # the top of a long page is enough to look at; the width is measured on the whole page

# What overflows, for the failure message: elements past the right edge that no scrolling box holds.
OVERFLOWING = """() => [...document.querySelectorAll('body *')].filter(e => {
  if (e.getBoundingClientRect().right <= innerWidth + 0.5) return false;
  for (let p = e.parentElement; p; p = p.parentElement) { if (getComputedStyle(p).overflowX !== 'visible') return false; }
  return true;
}).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : ''))"""

# Cells laid out as cards (not as table cells) without a data-label: the reader would not know the column.
UNLABELLED = """() => [...document.querySelectorAll('td')].filter(td => {
  const d = getComputedStyle(td).display; return d !== 'table-cell' && d !== 'none' && !td.hasAttribute('data-label');
}).slice(0, 5).map(td => td.textContent.trim().slice(0, 30))"""

# Buttons, fields and menu entries a thumb must hit: at least 44 px high (checkboxes sit in 44 px labels).
SMALL_TARGETS = """() => [...document.querySelectorAll(
  'button, .button, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), .topbar a, .menu-button')]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.height < 43.5; })
  .slice(0, 5).map(e => e.tagName.toLowerCase() + ' ' + (e.textContent || e.name || '').trim().slice(0, 20))"""


def _name(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(r"[^\w.-]+", "_", parts.path + ("_" + parts.query if parts.query else "")).strip("_") or "home"


def _shot(browser: Browser, page: Page, name: str) -> None:
    height = min(SHOT_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
    width = page.viewport_size["width"] if page.viewport_size else PHONE["width"]
    page.screenshot(
        path=browser.shots / f"{name}.png", full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}
    )


def _unreported_item(server: Server, plan_id: int, department: str, period_id: str) -> str:
    """An item the department leads with no report for the period yet (other tests submit some)."""
    with build(demo_settings(server.folder)) as app:
        draft = get_plan(app.uow(), plan_id).draft
        reported = {r.item_id for r in latest_reports(app.uow(), plan_id, period_id=period_id)}
    return next(i.item_id for i in report_items(draft) if department in i.lead and i.item_id not in reported)


def _menu_folds_and_opens(page: Page) -> None:
    """On a phone the links and the account are behind 菜单; one tap shows them, 退出 on the screen."""
    logout = page.locator("form[action='/logout'] button")
    assert page.locator(".menu-button").is_visible() and not page.locator(".topbar nav").is_visible()
    assert not logout.is_visible()
    page.locator(".menu-button").click()
    assert page.locator(".topbar nav a").first.is_visible() and page.locator(".topbar a[href='/account']").is_visible()
    box = logout.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 43.5
    page.locator(".menu-button").click()
    assert not page.locator(".topbar nav").is_visible()


def test_no_page_is_wider_than_a_phone_for_any_role(browser: Browser, server: Server) -> None:
    require_pages("/", "/login", "/workspace", "/plans/{plan_id}/tasks/{item_id}")
    current = period_containing(PeriodType.QUARTERLY, now().date())
    item = _unreported_item(server, 5, "区卫生健康委", current.id)
    report = f"{server.url}/plans/5/tasks/{item}?period={current.id}"  # wjw (区卫生健康委) has a form to fill in
    urls = [*_example_urls(server), report]
    page = browser.page()
    problems: list[str] = []
    try:
        page.set_viewport_size(PHONE)
        for role in ROLES:
            page = sign_in(browser, role)
            _menu_folds_and_opens(page)
            opened = 0
            for url in urls:
                response = page.goto(url, wait_until="load")
                assert response is not None and response.status in (200, 403), (role, url, response and response.status)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    problems.append(f"{role} {url}: {width} px wide, {page.evaluate(OVERFLOWING)}")
                unlabelled = page.evaluate(UNLABELLED)
                if unlabelled:
                    problems.append(f"{role} {url}: cells shown as cards without data-label: {unlabelled}")
                small = page.evaluate(SMALL_TARGETS)
                if small:
                    problems.append(f"{role} {url}: touch targets under 44 px: {small}")
                if response.status == 200:
                    opened += 1
                    _shot(browser, page, f"phone-{role}-{_name(url)}")
            assert opened >= 8, f"{role} opened only {opened} pages"
            if role == "wjw":  # the report form is there, on the phone, before the history
                page.goto(report)
                form, history = page.locator("form[action$='/report']"), page.get_by_role("heading", name="报告历史")
                assert form.is_visible()
                assert (form.bounding_box() or {"y": 1e9})["y"] < (history.bounding_box() or {"y": 0})["y"]
                page.goto(f"{report}#history")  # where the workspace's links land
                page.screenshot(path=browser.shots / "phone-wjw-report-form.png")

        # the intranet may block scripts: the menu needs none
        page.route(re.compile(r"\.js(\?|$)"), lambda route: route.abort())
        page.goto(f"{server.url}/plans")
        _menu_folds_and_opens(page)
        page.unroute(re.compile(r"\.js(\?|$)"))
        assert problems == [], "\n".join(problems)

        page.set_viewport_size(DESKTOP)
        page = sign_in(browser, "admin")
        for url in (
            f"{server.url}/",
            f"{server.url}/plans",
            f"{server.url}/plans/5",
            f"{server.url}/admin",
            f"{server.url}/workspace",
            report,
        ):
            page.goto(url, wait_until="load")
            assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"], url
            assert page.locator(".topbar nav").is_visible() and not page.locator(".menu-button").is_visible()
            assert page.locator("form[action='/logout'] button").is_visible()
            _shot(browser, page, f"desktop-{_name(url)}")
    finally:
        page.set_viewport_size(DEFAULT)
    assert browser.blocked == []


@pytest.mark.parametrize(("width", "folded"), [(1024, True), (1180, False)])
def test_the_menu_is_folded_or_whole_between_tablet_and_laptop(
    browser: Browser, server: Server, width: int, folded: bool
) -> None:
    """A tablet gets the 菜单 button; a small laptop every entry on the bar, none scrolled out of sight."""
    require_pages("/", "/login")
    page = sign_in(browser, "admin")
    try:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{server.url}/")
        assert page.locator(".menu-button").is_visible() is folded
        if not folded:
            assert page.locator(".topbar nav").evaluate("n => n.scrollWidth <= n.clientWidth")
            assert page.locator("form[action='/logout'] button").is_visible()
    finally:
        page.set_viewport_size(DEFAULT)
