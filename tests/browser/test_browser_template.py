"""The Excel round trip in a real browser on the demo: a department downloads its template for the
quarter it is reporting (most rows already submitted), edits two rows, uploads it back; then an edit
to a report awaiting review is refused by name and the rest saved. Screenshots of each result at
1440×900 and 390×844."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from yigai.services.demo import DEMO_USERS

from .conftest import Browser, Page, Server

PASSWORDS = {u.username: u.password for u in DEMO_USERS}
DESKTOP, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}


def _open_folds(page: Page) -> None:
    """The to-do folds each plan's Excel section away; open them all."""
    page.evaluate("document.querySelectorAll('details.fold').forEach(d => d.open = true)")


def _download(page: Page, plan: str, tmp_path: Path) -> Path:
    _open_folds(page)
    link = page.locator(f"a[href^='/workspace/template.xlsx?plan={plan}&']")
    with page.expect_download() as info:
        link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def _edit(path: Path, edits: dict[str, dict[str, object]]) -> dict[str, int]:
    wb = openpyxl.load_workbook(path)
    ws = wb["进展填报"]
    cols = {c.value: c.column for c in ws[2]}
    rows = {ws.cell(r, cols["事项编号"]).value: r for r in range(3, ws.max_row + 1)}
    for item, values in edits.items():
        for header, value in values.items():
            ws.cell(rows[item], cols[header]).value = value
    wb.save(path)
    return rows


def _unreported(path: Path, period: str, *, exclude: str) -> list[str]:
    """Items whose row was not prefilled with a report of ``period`` (other browser tests report some)."""
    ws = openpyxl.load_workbook(path)["进展填报"]
    cols = {c.value: c.column for c in ws[2]}
    return [
        ws.cell(r, cols["事项编号"]).value
        for r in range(3, ws.max_row + 1)
        if ws.cell(r, cols["事项编号"]).value not in (None, exclude)
        and not str(ws.cell(r, cols["预填版本"]).value or "").startswith(f"{period}:")
    ]


def _upload(page: Page, plan: str, path: Path, *, save_rest: bool = False) -> None:
    _open_folds(page)
    form = page.locator("form.template-upload", has=page.locator(f"input[name=plan][value='{plan}']"))
    form.locator("input[name=file]").set_input_files(path)
    if save_rest:
        form.locator("input[name=save_rest]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def _fits(page: Page) -> None:
    """The result list is not wider than the screen."""
    box = page.locator("section.import-result").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1


def test_a_department_round_trips_its_template_with_submitted_rows(
    browser: Browser,
    server: Server,
    demo_build,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    plan, returned, period = demo_build.summary.returned.split("/")
    page = browser.sign_in("wjw", PASSWORDS["wjw"])
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server.url}/workspace")
    path = _download(page, plan, tmp_path)
    missing, other = _unreported(path, period, exclude=returned)[:2]  # two items nobody has reported this period
    assert path.name.endswith(f"{period}-进展填报模板.xlsx") and "区卫生健康委" in path.name
    rows = _edit(
        path,
        {
            returned: {"进展情况": "已按退回意见补充各社区签约数据", "完成百分比": 80},
            missing: {"进展状态": "推进中", "完成百分比": 30, "进展情况": "本季度已启动"},
        },
    )
    _upload(page, plan, path)
    assert page.locator(".flash.ok").count() == 1, page.locator("section.import-result").inner_text()
    assert page.locator(".flash.ok").inner_text().startswith("导入完成：保存 2 行（已提交），未变化 ")
    saved = page.locator("li.import-saved")
    assert saved.count() == 2 and page.locator("li.import-refused").count() == 0
    assert f"第{rows[returned]}行" in saved.nth(0).inner_text() + saved.nth(1).inner_text()
    assert page.locator("li.import-unchanged").count() > 60
    browser.shot(page, "template-01-saved-1440")
    page.set_viewport_size(PHONE)
    _fits(page)
    browser.shot(page, "template-02-saved-390")

    # the same department edits a report that awaits review: refused by name, nothing saved …
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server.url}/workspace")
    path = _download(page, plan, tmp_path / "again")
    submitted = next(item for item, row in rows.items() if item not in (returned, missing, other) and item)
    _edit(path, {submitted: {"进展情况": "补充说明"}, other: {"进展状态": "滞后", "完成百分比": 10}})
    _upload(page, plan, path)
    assert page.locator(".flash.error").inner_text().startswith("填报模板有 1 行不能保存")
    refused = page.locator("li.import-refused")
    assert refused.count() == 1 and re.search(
        "正等待医改办审核|已被医改办采纳", refused.inner_text()
    )  # the desk test may have accepted it
    assert re.search(rf"第{rows[submitted]}行 · {re.escape(submitted)} ", refused.inner_text())
    browser.shot(page, "template-03-refused-1440")
    page.set_viewport_size(PHONE)
    _fits(page)
    browser.shot(page, "template-04-refused-390")

    # … until the department chooses to save the rest
    _upload(page, plan, path, save_rest=True)
    assert "1 行不能保存，其余各行已保存" in page.locator(".flash.ok").inner_text()
    assert page.locator("li.import-saved").count() == 1 and page.locator("li.import-refused").count() == 1
    browser.shot(page, "template-05-saved-rest-390")
    assert browser.blocked == []
