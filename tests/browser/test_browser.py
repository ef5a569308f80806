"""The web app in a real browser, offline: a department reports, the office sees it; a plan is imported,
corrected and published; every page renders with nothing fetched from outside."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from yigai.bootstrap import build
from yigai.clock import now
from yigai.data import seed_paths
from yigai.domain.periods import PeriodType, period_containing
from yigai.services.demo import DEMO_USERS, demo_settings
from yigai.services.plan_review import upload_plan
from yigai.services.plans import get_plan
from yigai.services.users import acting_user

from .conftest import Browser, Page, Server

PASSWORDS = {u.username: u.password for u in DEMO_USERS}
HEALTH = "区卫生健康委"


def page_routes() -> set[str]:
    """The GET paths of the HTML pages, as declared (``/plans/{plan_id}``), whatever is there yet."""
    try:
        from yigai.web import pages
    except ImportError:
        return set()

    def walk(routes: list[object], prefix: str) -> set[str]:
        found = set()
        for route in routes:
            included = getattr(route, "original_router", None)  # FastAPI keeps included routers as they are
            if included is not None:
                found |= walk(included.routes, prefix + getattr(route.include_context, "prefix", ""))  # type: ignore[attr-defined]
            elif "GET" in (getattr(route, "methods", None) or ()):
                found.add(prefix + re.sub(r":\w+}", "}", route.path))  # type: ignore[attr-defined]
        return found

    router = getattr(pages, "router", None)
    return set() if router is None else walk(router.routes, "")


def require_pages(*paths: str) -> None:
    missing = [p for p in paths if p not in page_routes()]
    if missing:
        pytest.skip(f"page {', '.join(missing)} is not in the web app yet (yigai.web.pages)")


def sign_in(browser: Browser, username: str) -> Page:
    return browser.sign_in(username, PASSWORDS[username])


def completed(page: Page) -> int:
    note = page.locator(".kpi", has_text="总体完成率").locator(".note").inner_text()
    found = re.search(r"已完成\s*(\d+)", note)
    assert found, note
    return int(found.group(1))


def at_risk_links(page: Page) -> dict[str, str]:
    """href → lead departments of each row of the dashboard's 存在风险 list."""
    rows = page.locator("section.card", has=page.locator("h2", has_text="存在风险")).locator(
        "tr", has=page.locator("a")
    )
    return {
        row.locator("a").first.get_attribute("href") or "": row.locator("td").nth(1).inner_text() for row in rows.all()
    }


def test_a_department_report_with_evidence_changes_the_office_dashboard(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    require_pages("/", "/login", "/plans/{plan_id}/tasks/{item_id}")
    office = sign_in(browser, "admin")
    office.goto(f"{server.url}/?plan=5")
    before_done, before_risk = completed(office), at_risk_links(office)
    browser.shot(office, "01-office-dashboard-before")
    href = next(h for h, depts in before_risk.items() if HEALTH in depts)  # an item 区卫生健康委 leads, at risk

    reporter = sign_in(browser, "wjw")
    current = period_containing(PeriodType.QUARTERLY, now().date())
    reporter.goto(f"{server.url}{href}?period={current.id}")
    form = reporter.locator(f"form[action='{href}/report']")
    if form.locator("select[name=department]").count():
        form.locator("select[name=department]").select_option(HEALTH)
    form.locator("select[name=status]").select_option("已完成")
    form.locator("input[name=percent]").fill("100")
    form.locator("textarea[name=narrative]").fill("已完成全部建设任务，相关制度文件已印发。")
    minutes = tmp_path / "验收会议纪要.txt"
    minutes.write_text("验收会议纪要\n全部任务已完成，验收合格。\n", "utf-8")
    form.locator("input[name=evidence]").set_input_files(minutes)
    form.locator("button[name=action][value=submit]").click()
    reporter.wait_for_url(re.compile(r"done=submitted"))
    assert reporter.get_by_text("已提交进展报告").count() and reporter.get_by_text(minutes.name).count()
    browser.shot(reporter, "02-department-report-submitted")

    office = sign_in(browser, "admin")
    office.goto(f"{server.url}/?plan=5")
    assert href not in at_risk_links(office)  # no longer at risk …
    assert completed(office) == before_done + 1  # … but completed
    browser.shot(office, "03-office-dashboard-after")
    assert browser.blocked == []


def test_the_office_imports_corrects_and_publishes_a_plan(browser: Browser, server: Server) -> None:
    require_pages("/plans/import", "/plans/review/{draft_id}")
    office = sign_in(browser, "admin")
    office.goto(f"{server.url}/plans/import")
    office.locator("input[type=file]").set_input_files(seed_paths()[0])  # seed 000: already plan 1 in the demo
    office.locator("form:has(input[type=file]) button[type=submit]").click()
    office.wait_for_url(re.compile(r"/plans/review/\d+"))
    draft_id = int(urlsplit(office.url).path.rsplit("/", 1)[1])
    assert office.get_by_text("青卫健医政〔2022〕14号").count()
    browser.shot(office, "04-review-uploaded")

    # T3 (持续筑牢公共卫生安全防线) is led by 区卫健委 with 区财政局 and 区发展改革委: the office adds 区医保局
    editor = office.locator("form[action*='/T3/departments']")
    editor.locator("[name=lead]").fill("区卫健委")
    editor.locator("[name=cooperating]").fill("区医保局、区财政局")
    editor.locator("button[type=submit]").click()
    office.wait_for_load_state()
    assert office.locator("form[action*='/T3/departments'] [name=cooperating]").input_value().startswith("区医保局")
    browser.shot(office, "05-review-corrected")

    publish = office.locator("form[action$='/publish']")
    if publish.locator("[name=replace]").count():
        publish.locator("[name=replace]").check()  # the demo already has this document as plan 1
    publish.locator("button[type=submit]").click()
    office.wait_for_url(re.compile(r"/plans/\d+$"))
    plan_id = int(urlsplit(office.url).path.rsplit("/", 1)[1])
    browser.shot(office, "06-published-plan")
    with build(demo_settings(server.folder)) as app:
        task = get_plan(app.uow(), plan_id).draft.task("T3")
        with app.uow() as uow:
            draft = uow.drafts.get(draft_id)
    assert [r.name for r in task.responsibility.cooperating] == ["区医保局", "区财政局"]
    assert draft is not None and draft.info.published_plan_id == plan_id
    assert browser.blocked == []


def _example_urls(server: Server) -> list[str]:
    """Every GET page with its parameters filled from the demo (downloads left out)."""
    with build(demo_settings(server.folder)) as app:
        draft_id = upload_plan(app.uow(), acting_user(app.uow()), seed_paths()[3])
    values = {
        "plan_id": "5",
        "item_id": "T4.M2",
        "task_id": "T4.M2",
        "code": "REFERRAL_BOOKED_SHARE",
        "draft_id": str(draft_id),
        "draft": str(draft_id),
        "username": "wjw",
    }
    urls = []
    for path in sorted(page_routes()):
        if re.search(r"\.\w+$|\{fmt\}|\{sha256\}|/evidence/", path):
            continue  # a file download, not a page
        names = re.findall(r"\{(\w+)\}", path)
        if any(n not in values for n in names):
            raise AssertionError(f"no example value for {path}: add one to _example_urls")
        urls.append(server.url + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path))
    return urls


def test_every_page_renders_offline_and_references_no_outside_host(browser: Browser, server: Server) -> None:
    require_pages("/", "/login")
    urls = _example_urls(server)
    page = sign_in(browser, "admin")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    origin = urlsplit(server.url)
    for url in urls:
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, (url, response and response.status)
        references = page.eval_on_selector_all(
            "[src], [href], [action]",
            "els => els.map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('action'))",
        )
        outside = [r for r in references if urlsplit(r).netloc and urlsplit(r).netloc != origin.netloc]
        assert outside == [], (url, outside)
    browser.shot(page, "07-last-page-offline")
    browser.context.clear_cookies()
    page.goto(f"{server.url}/login", wait_until="load")
    assert errors == [] and browser.blocked == []
    assert len(urls) >= 5  # the pages were really there
