"""The Excel round trip through the services: write, fill, import — all rows or none."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from yigai.bootstrap import App, build
from yigai.domain.users import User
from yigai.reports.template_import import TemplateError
from yigai.services.demo import demo_settings
from yigai.services.reports import report_history, save_report
from yigai.services.review import accept_report, return_report
from yigai.services.templates import TemplateRowsRefusedError, import_department_template, write_department_template

from ..conftest import DemoBuild  # type: ignore[import-not-found]
from ..reports.excel_saved import as_excel_saves
from .conftest import Loop, at


def _fill(path: Path, edits: dict[int, tuple[str, float]]) -> None:
    """Fill 进展状态 and 完成百分比 of data rows (1-based among data rows)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["进展填报"]
    header_row = next(r for r in range(1, 6) if any(c.value == "进展状态" for c in ws[r]))
    cols = {c.value: c.column for c in ws[header_row]}
    for n, (status, percent) in edits.items():
        row = header_row + n
        ws.cell(row, cols["进展状态"]).value = status
        ws.cell(row, cols["完成百分比"]).value = percent
        ws.cell(row, cols["进展情况"]).value = "已按计划推进"
    wb.save(path)


def _items(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    ws = wb["进展填报"]
    header_row = next(r for r in range(1, 6) if any(c.value == "进展状态" for c in ws[r]))
    cols = {c.value: c.column for c in ws[header_row]}
    return [
        ws.cell(r, cols["事项编号"]).value
        for r in range(header_row + 1, ws.max_row + 1)
        if ws.cell(r, cols["事项编号"]).value
    ]


def test_write_fill_import(loop: Loop, tmp_path: Path) -> None:
    path = write_department_template(loop.app.uow(), loop.plan_id, "仓山医保局", "2023Q3", tmp_path / "t.xlsx")
    items = _items(path)
    assert len(items) == 41  # every item 区医保局 leads in seed 004
    _fill(path, {1: ("推进中", 60), 2: ("已完成", 100)})
    result = import_department_template(
        loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path, submit=True, now=at("2023-10-10")
    )
    assert [r.item_id for r in result.reports] == items[:2]
    assert result.department == "区医保局"
    history = report_history(loop.app.uow(), loop.plan_id, items[1], "2023Q3")
    assert [(h.status.value, h.percent, h.state.value) for h in history] == [("已完成", 100.0, "submitted")]


def test_any_bad_cell_saves_nothing(loop: Loop, tmp_path: Path) -> None:
    path = write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "t.xlsx")
    items = _items(path)
    _fill(path, {1: ("推进中", 60), 2: ("快完成了", 140)})
    with pytest.raises(TemplateError) as err:
        import_department_template(loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path)
    assert len(err.value.problems) == 2  # the status and the percent of row 2, each with sheet/row/column
    assert all(report_history(loop.app.uow(), loop.plan_id, item, "2023Q3") == [] for item in items[:2])


def test_another_departments_template_is_refused(loop: Loop, tmp_path: Path) -> None:
    path = write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "t.xlsx")
    _fill(path, {1: ("推进中", 60)})
    with pytest.raises(TemplateError):
        import_department_template(loop.app.uow(), loop.health, loop.plan_id, "区卫生健康委", "2023Q3", path)


# ---------------------------------------------------------------------------- the round trip in real life


def _rows(path: Path) -> dict[str, int]:
    """Item id → row of 进展填报."""
    ws = openpyxl.load_workbook(path)["进展填报"]
    return {ws.cell(r, 2).value: r for r in range(3, ws.max_row + 1) if ws.cell(r, 2).value}


def _set(path: Path, edits: dict[int, dict[str, object]]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["进展填报"]
    cols = {c.value: c.column for c in ws[2]}
    for row, values in edits.items():
        for header, value in values.items():
            ws.cell(row, cols[header]).value = value
    wb.save(path)


def _history(loop: Loop, item: str, period: str = "2023Q3") -> list[tuple[int, str, float, str]]:
    return [
        (r.version, r.state.value, r.percent, r.narrative)
        for r in report_history(loop.app.uow(), loop.plan_id, item, period)
    ]


def _states(loop: Loop, items: list[str]) -> None:
    """2023Q3 of 区医保局: items[0] submitted, [1] a draft, [2] returned, [3] accepted, [4] only reported in 2023Q2."""
    ybj, admin, uow, plan = loop.insurance, loop.admin, loop.app.uow, loop.plan_id
    for n, item in enumerate(items[:4]):
        save_report(
            uow(),
            ybj,
            plan,
            item,
            "2023Q3",
            "区医保局",
            "推进中",
            10 * (n + 1),
            narrative=f"第{n}项进展\r\n第二段",
            submit=n != 1,
            now=at("2023-10-08"),
        )
    return_report(uow(), admin, plan, items[2], "2023Q3", "请补充数据", now=at("2023-10-09"))
    accept_report(uow(), admin, plan, items[3], "2023Q3", now=at("2023-10-09"))
    save_report(
        uow(),
        ybj,
        plan,
        items[4],
        "2023Q2",
        "区医保局",
        "滞后",
        20,
        narrative="上期进展",
        submit=True,
        now=at("2023-07-08"),
    )


def test_unchanged_rows_are_listed_and_edited_rows_become_versions(loop: Loop, tmp_path: Path) -> None:
    items = _items(write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "0.xlsx"))
    _states(loop, items)
    path = write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "t.xlsx")
    rows = _rows(path)
    _set(path, {rows[items[1]]: {"完成百分比": 25}, rows[items[2]]: {"进展情况": "已补充数据", "完成百分比": 35}})
    result = import_department_template(
        loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path, submit=True, now=at("2023-10-12")
    )
    assert [(r.item_id, r.row) for r in result.saved] == [(items[1], rows[items[1]]), (items[2], rows[items[2]])]
    assert [r.item_id for r in result.unchanged] == [items[0], items[3], items[4]] and not result.refused
    notes = {r.item_id: r.note_zh for r in result.rows}
    assert "与本期第1版（已提交）相同" in notes[items[0]] and "与本期第2版（已采纳）相同" in notes[items[3]]
    assert "沿用2023年第2季度报告内容，未改动，未作为本期报告保存" in notes[items[4]]
    assert "修改了第1版（草稿），保存为第2版（已提交）" in notes[items[1]]
    assert _history(loop, items[1]) == [
        (1, "draft", 20.0, "第1项进展\r\n第二段"),
        (2, "submitted", 25.0, "第1项进展\n第二段"),
    ]
    assert _history(loop, items[2])[-1] == (3, "submitted", 35.0, "已补充数据")
    assert len(_history(loop, items[0])) == 1 and len(_history(loop, items[3])) == 2 and _history(loop, items[4]) == []
    assert [r.version for r in result.reports] == [2, 3]


def test_an_edited_row_the_review_rules_forbid_is_refused_by_name(loop: Loop, tmp_path: Path) -> None:
    items = _items(write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "0.xlsx"))
    _states(loop, items)
    path = write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "t.xlsx")
    rows = _rows(path)
    _set(
        path,
        {
            rows[items[0]]: {"完成百分比": 50},
            rows[items[3]]: {"进展情况": "改一改"},
            rows[items[1]]: {"完成百分比": 25},
        },
    )
    with pytest.raises(TemplateRowsRefusedError) as err:  # all or nothing: nothing saved
        import_department_template(
            loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path, submit=True, now=at("2023-10-12")
        )
    refused = err.value.result
    assert not refused.committed and refused.reports == []
    assert [(r.item_id, r.outcome.value) for r in refused.rows if r.outcome.value != "unchanged"] == [
        (items[0], "refused"),
        (items[1], "saved"),
        (items[3], "refused"),
    ]
    text = err.value.message_zh
    assert "填报模板有 2 行不能保存" in text and "另有 1 行可保存" in text
    assert f"工作表「进展填报」第{rows[items[0]]}行（{items[0]} " in text
    assert "本期第1版已提交，正等待医改办审核，不能修改；如需更正，请医改办退回后再填报" in text
    assert "本期第2版已被医改办采纳，不能再修改" in text
    assert [p.row for p in err.value.problems] == [rows[items[0]], rows[items[3]]]
    assert len(_history(loop, items[1])) == 1

    result = import_department_template(
        loop.app.uow(),
        loop.insurance,
        loop.plan_id,
        "区医保局",
        "2023Q3",
        path,
        submit=True,
        save_rest=True,
        now=at("2023-10-12"),
    )
    assert result.committed and [r.item_id for r in result.saved] == [items[1]]
    assert [r.item_id for r in result.refused] == [items[0], items[3]]
    assert _history(loop, items[1])[-1][:3] == (2, "submitted", 25.0) and len(_history(loop, items[0])) == 1


def test_a_row_changed_since_the_download_is_not_overwritten(loop: Loop, tmp_path: Path) -> None:
    items = _items(write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "0.xlsx"))
    _states(loop, items)
    path = write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "t.xlsx")
    rows = _rows(path)
    # after the download someone else edits the draft on the web and reports on a new item
    save_report(
        loop.app.uow(), loop.admin, loop.plan_id, items[1], "2023Q3", "区医保局", "推进中", 90, now=at("2023-10-10")
    )
    save_report(
        loop.app.uow(), loop.admin, loop.plan_id, items[5], "2023Q3", "区医保局", "推进中", 5, now=at("2023-10-10")
    )
    _set(path, {rows[items[1]]: {"完成百分比": 25}, rows[items[5]]: {"进展状态": "推进中", "完成百分比": 8}})
    result = import_department_template(
        loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path, save_rest=True, now=at("2023-10-12")
    )
    notes = {r.item_id: (r.outcome.value, r.note_zh) for r in result.rows}
    assert notes[items[1]] == (
        "refused",
        "下载模板后该事项报告已有变化（模板基于第1版，当前为第2版），为免覆盖未保存；请重新下载模板后填写",
    )
    assert notes[items[5]][0] == "refused" and "模板基于本期尚无报告时，当前为第1版" in notes[items[5]][1]
    assert _history(loop, items[1])[-1][2] == 90.0 and _history(loop, items[5])[-1][2] == 5.0


def test_an_untouched_draft_is_submitted_and_an_old_template_still_works(loop: Loop, tmp_path: Path) -> None:
    items = _items(write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "0.xlsx"))
    _states(loop, items)
    path = write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["进展填报"].delete_cols(12)  # a template written before 预填版本 existed
    wb.save(path)
    drafts = import_department_template(
        loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path, now=at("2023-10-12")
    )
    assert drafts.saved == [] and len(drafts.unchanged) == 5  # as drafts: nothing to do
    result = import_department_template(
        loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path, submit=True, now=at("2023-10-12")
    )
    assert [(r.item_id, r.note_zh) for r in result.saved] == [
        (items[1], "第1版草稿未改动，提交，保存为第2版（已提交）")
    ]
    assert _history(loop, items[1])[-1][:2] == (2, "submitted")


def test_a_template_saved_by_excel_with_windows_line_breaks_is_unchanged(loop: Loop, tmp_path: Path) -> None:
    items = _items(write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "0.xlsx"))
    _states(loop, items)
    path = as_excel_saves(
        write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "t.xlsx")
    )
    result = import_department_template(
        loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path, submit=True, now=at("2023-10-12")
    )
    assert [r.item_id for r in result.unchanged] == [items[0], items[2], items[3], items[4]]
    assert [r.item_id for r in result.saved] == [items[1]]  # the untouched draft, submitted


# ---------------------------------------------------------------------------- on the demo district


def _demo_round_trip(
    demo_build: DemoBuild, tmp_path: Path
) -> tuple[App, User, int, str, Path, dict[str, int], str, str, str]:
    """区卫生健康委's template of the demo's last reported quarter: most rows submitted, one returned,
    a few never reported (prefilled from the quarter before)."""
    app = build(demo_settings(demo_build.copy_to(tmp_path / "demo")))
    plan, returned, period = demo_build.summary.returned.split("/")
    missing = next(
        key.split("/")[1]
        for key in demo_build.summary.missing
        if key.startswith(f"{plan}/") and key.endswith(f"/{period}")
    )
    with app.uow() as uow:
        wjw = uow.users.get("wjw")
        submitted = next(
            r.item_id
            for r in uow.reports.for_plan(int(plan), period)
            if r.department == "区卫生健康委" and r.state.value == "submitted"
        )
    assert wjw is not None
    path = write_department_template(app.uow(), plan, "区卫生健康委", period, tmp_path / "卫健委.xlsx")
    return app, wjw, int(plan), period, path, _rows(path), returned, missing, submitted


def test_demo_a_department_edits_two_rows_of_a_template_with_submitted_reports(
    demo_build: DemoBuild, tmp_path: Path
) -> None:
    app, wjw, plan, period, path, rows, returned, missing, _submitted = _demo_round_trip(demo_build, tmp_path)
    with app:
        filled = [
            item
            for item, row in rows.items()
            if openpyxl.load_workbook(path)["进展填报"].cell(row, 7).value is not None
        ]
        assert len(filled) > 60  # prefilled with what was reported
        _set(
            path,
            {
                rows[returned]: {"进展情况": "已按退回意见补充了各社区的签约数据", "完成百分比": 80},
                rows[missing]: {"进展状态": "推进中", "完成百分比": 30, "进展情况": "本季度已启动"},
            },
        )
        result = import_department_template(app.uow(), wjw, plan, "区卫生健康委", period, path, submit=True)
        assert result.committed and not result.refused
        assert sorted(r.item_id for r in result.saved) == sorted([returned, missing])
        assert returned in filled and missing in filled  # the missing one prefilled from the quarter before
        assert len(result.unchanged) == len(filled) - 2  # every other prefilled row
        notes = [r.note_zh for r in result.unchanged]
        assert sum("（已提交）相同" in n for n in notes) > 60 and any(n.startswith("沿用") for n in notes)
        assert all(r.row == rows[r.item_id] and r.label.startswith(r.item_id + " ") for r in result.rows)
        history = report_history(app.uow(), plan, returned, period)
        assert [h.state.value for h in history][-2:] == ["returned", "submitted"]
        assert (
            history[-1].narrative == "已按退回意见补充了各社区的签约数据"
            and history[-1].evidence == history[-2].evidence
        )
        assert [(h.version, h.percent) for h in report_history(app.uow(), plan, missing, period)] == [(1, 30.0)]


def test_demo_an_edit_to_a_report_awaiting_review_is_refused_by_name(demo_build: DemoBuild, tmp_path: Path) -> None:
    app, wjw, plan, period, path, rows, returned, _missing, submitted = _demo_round_trip(demo_build, tmp_path)
    with app:
        _set(path, {rows[returned]: {"完成百分比": 80}, rows[submitted]: {"进展情况": "补充一句"}})
        with pytest.raises(TemplateRowsRefusedError) as err:
            import_department_template(app.uow(), wjw, plan, "区卫生健康委", period, path, submit=True)
        assert (
            f"第{rows[submitted]}行（{submitted} " in err.value.message_zh
            and "正等待医改办审核" in err.value.message_zh
        )
        assert len(report_history(app.uow(), plan, returned, period)) == 2  # nothing saved
        result = import_department_template(
            app.uow(), wjw, plan, "区卫生健康委", period, path, submit=True, save_rest=True
        )
        assert [r.item_id for r in result.saved] == [returned] and [r.item_id for r in result.refused] == [submitted]
        assert len(report_history(app.uow(), plan, returned, period)) == 3


def test_the_same_file_edited_and_uploaded_again_saves_the_edits(loop: Loop, tmp_path: Path) -> None:
    path = write_department_template(loop.app.uow(), loop.plan_id, "区医保局", "2023Q3", tmp_path / "t.xlsx")
    items, rows = _items(path), _rows(path)
    _set(
        path,
        {
            rows[items[0]]: {"进展状态": "推进中", "完成百分比": 10},
            rows[items[1]]: {"进展状态": "推进中", "完成百分比": 20},
        },
    )
    first = import_department_template(
        loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path, now=at("2023-10-08")
    )
    assert len(first.saved) == 2
    _set(path, {rows[items[1]]: {"完成百分比": 25}})  # the department's own file, corrected: its 预填版本 is stale
    again = import_department_template(
        loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path, now=at("2023-10-09")
    )
    assert [r.item_id for r in again.unchanged] == [items[0]]
    assert [(r.item_id, r.note_zh) for r in again.saved] == [
        (items[1], "下载模板后本人已保存第1版，本行在其后保存，保存为第2版（草稿）")
    ]
