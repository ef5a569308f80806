"""Progress-report template: written for a department and period, filled, read back and checked.

Built on seed 004 (仓医改组〔2021〕1号): 区医保局 leads T1.M3 (with 区卫生健康委), T11.M2 …;
T2.M2 is led by 区卫生健康委 alone.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from yigai.domain.errors import NotFoundError, YigaiError
from yigai.domain.periods import parse_period
from yigai.domain.plan import PlanDraft
from yigai.domain.reports import ProgressReport, ProgressStatus
from yigai.reports.template_import import ReportRow, TemplateError, TemplateProblem, read_template, read_template_rows
from yigai.reports.template_xlsx import DATA_SHEET, META_SHEET, TEMPLATE_KIND, department_items, write_template

from .excel_saved import as_excel_saves

PLAN_ID = 7
DEPT = "区医保局"
PERIOD = parse_period("2023Q4")
VISIBLE = ("序号", "主要任务", "具体措施", "完成时间", "进展状态", "完成百分比", "进展情况", "存在问题", "下步打算")
# Columns of 进展填报: A 计划编号, B 事项编号, C 序号 … G 进展状态, H 完成百分比, I 进展情况, J 存在问题, K 下步打算,
# L 预填版本 (hidden).


@pytest.fixture(scope="module")
def draft(seed_drafts: list[PlanDraft]) -> PlanDraft:
    return seed_drafts[4]


@pytest.fixture
def blank(tmp_path: Path, draft: PlanDraft) -> Path:
    return write_template(draft, PLAN_ID, DEPT, PERIOD, tmp_path / "填报.xlsx")


def _edit(path: Path, cells: dict[str, object], sheet: str = DATA_SHEET) -> Path:
    wb = load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)
    return path


def _fill(path: Path, rows: dict[int, tuple[object, object, str, str, str]]) -> Path:
    cells: dict[str, object] = {}
    for row, (status, percent, narrative, problems, next_steps) in rows.items():
        cells.update(
            {f"G{row}": status, f"H{row}": percent, f"I{row}": narrative, f"J{row}": problems, f"K{row}": next_steps}
        )
    return _edit(path, cells)


def _read(path: Path, draft: PlanDraft, **expect: object) -> list[ReportRow]:
    args: dict[str, object] = {"plan_id": PLAN_ID, "department": DEPT, "period": PERIOD, "draft": draft} | expect
    return read_template(path, **args)  # type: ignore[arg-type]


def _problems(path: Path, draft: PlanDraft, **expect: object) -> list[TemplateProblem]:
    with pytest.raises(TemplateError) as info:
        _read(path, draft, **expect)
    assert isinstance(info.value, YigaiError)
    assert info.value.problems
    return info.value.problems


def _at(problems: list[TemplateProblem], sheet: str, row: int | None, column: str) -> TemplateProblem:
    found = [p for p in problems if (p.sheet, p.row, p.column) == (sheet, row, column)]
    assert found, f"no problem at {sheet}!{column}{row}: {problems}"
    return found[0]


# ---------------------------------------------------------------------------- writing


def test_template_lists_the_items_the_department_leads_with_hidden_ids(blank: Path, draft: PlanDraft) -> None:
    wb = load_workbook(blank)
    ws = wb[DATA_SHEET]
    assert "填报说明" in ws["A1"].value
    assert [c.value for c in ws[2]] == ["计划编号", "事项编号", *VISIBLE, "预填版本"]
    assert all(c.font.bold for c in ws[2])
    assert ws.freeze_panes == "D3"
    assert ws.column_dimensions["A"].hidden and ws.column_dimensions["B"].hidden and ws.column_dimensions["L"].hidden
    assert ws.column_dimensions["E"].width == 50
    expected = [item.item_id for item in department_items(draft, DEPT)]
    assert "T1.M3" in expected and "T11.M2" in expected and "T2.M2" not in expected
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == expected
    assert {r[0] for r in rows} == {PLAN_ID}
    assert [r[2] for r in rows] == list(range(1, len(expected) + 1))
    first = rows[0]
    assert (
        first[3].startswith("1. 完善深化医改领导体制")
        and first[4].startswith("(3) 谋划中长期")
        and first[5] == "持续实施"
    )
    assert first[6:] == (None,) * 6  # nothing to prefill: 预填版本 empty too
    # locked sheet; only 进展状态 … 下步打算 can be edited
    assert ws.protection.sheet
    assert ws["B3"].protection.locked and ws["E3"].protection.locked and ws["L3"].protection.locked
    assert not ws["G3"].protection.locked and not ws["K3"].protection.locked
    validations = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert validations["G3"].type == "list"
    assert validations["G3"].formula1 == '"未启动,推进中,已完成,滞后,受阻"'
    assert (validations["H3"].type, validations["H3"].operator) == ("decimal", "between")
    assert (validations["H3"].formula1, validations["H3"].formula2) == ("0", "100")
    assert str(validations["G3"].sqref) == f"G3:G{2 + len(expected)}"

    meta = {r[0]: r[1] for r in wb[META_SHEET].iter_rows(values_only=True)}
    assert meta["模板类型"] == TEMPLATE_KIND and meta["模板版本"] == 1
    assert meta["计划编号"] == PLAN_ID and meta["文号"] == "仓医改组〔2021〕1号"
    assert meta["填报部门"] == DEPT and meta["报告期"] == "2023Q4" and meta["报告期名称"] == "2023年第4季度"


def test_a_department_that_leads_nothing_gets_no_template(tmp_path: Path, draft: PlanDraft) -> None:
    with pytest.raises(NotFoundError) as info:
        write_template(draft, PLAN_ID, "区统计局", PERIOD, tmp_path / "x.xlsx")
    assert "区统计局" in info.value.message_zh
    assert not (tmp_path / "x.xlsx").exists()


def _report(
    item: str,
    period: str,
    version: int,
    status: ProgressStatus,
    percent: float,
    narrative: str = "",
    department: str = DEPT,
) -> ProgressReport:
    return ProgressReport(
        plan_id=PLAN_ID,
        item_id=item,
        period_id=period,
        department=department,
        status=status,
        percent=percent,
        narrative=narrative,
        problems="-资金未到位",
        next_steps="@下季度完成",
        version=version,
        saved_at=dt.datetime(2024, 1, version),
    )


def test_latest_reports_are_prefilled_and_formula_text_stays_text(tmp_path: Path, draft: PlanDraft) -> None:
    existing = [
        _report("T1.M3", "2023Q4", 1, ProgressStatus.IN_PROGRESS, 40, "第一版"),
        _report("T1.M3", "2023Q4", 2, ProgressStatus.IN_PROGRESS, 60, "=SUM(A1:A9) 第二版"),
        _report("T1.M3", "2024Q1", 1, ProgressStatus.COMPLETED, 100, "下一期，不用"),
        _report("T7.M2", "2023Q3", 1, ProgressStatus.DELAYED, 30, "上期"),  # carried forward
        _report("T11.M2", "2023Q4", 5, ProgressStatus.COMPLETED, 100, "共同牵头部门的", department="区卫生健康委"),
    ]
    path = write_template(draft, PLAN_ID, DEPT, PERIOD, tmp_path / "t.xlsx", existing)
    ws = load_workbook(path)[DATA_SHEET]
    by_id = {row[1].value: row for row in ws.iter_rows(min_row=3)}
    t13 = by_id["T1.M3"]
    assert [c.value for c in t13[6:]] == ["推进中", 60, "=SUM(A1:A9) 第二版", "-资金未到位", "@下季度完成", "2023Q4:2"]
    assert [c.data_type for c in t13[8:11]] == ["s", "s", "s"]  # text, never a formula
    assert t13[8].quotePrefix
    assert [c.value for c in by_id["T7.M2"][6:9]] == ["滞后", 30, "上期"]
    assert by_id["T7.M2"][11].value == "2023Q3:1"  # prefilled from the period before
    # one report thread per item and period, whichever lead department writes it: a co-lead's report is the row's
    assert [c.value for c in by_id["T11.M2"][6:9]] == ["已完成", 100, "共同牵头部门的"]
    assert by_id["T11.M2"][11].value == "2023Q4:5"

    rows = _read(path, draft)
    assert rows[0] == ReportRow(
        "T1.M3", ProgressStatus.IN_PROGRESS, 60.0, "=SUM(A1:A9) 第二版", "-资金未到位", "@下季度完成", row=3
    )
    assert [(r.item_id, r.prefill) for r in rows] == [
        ("T1.M3", "2023Q4:2"),
        ("T7.M2", "2023Q3:1"),
        ("T11.M2", "2023Q4:5"),
    ]


def test_filled_template_round_trips(blank: Path, draft: PlanDraft) -> None:
    _fill(
        blank,
        {
            3: ("推进中", 60, "已完成规划初稿", "部门意见待统一", "四季度报审"),
            4: ("已完成", 100, "机制已建立", "", ""),
            6: ("未启动", None, "", "", "等待省级文件"),  # blank percent: 0 for 未启动
            7: ("  已完成 ", "100%", "全角空格与百分号", "", ""),
            8: ("滞后", "４５", "", "", ""),  # full-width digits
        },
    )
    rows = _read(blank, draft)
    ids = [item.item_id for item in department_items(draft, DEPT)]
    assert rows == [
        ReportRow(ids[0], ProgressStatus.IN_PROGRESS, 60.0, "已完成规划初稿", "部门意见待统一", "四季度报审", row=3),
        ReportRow(ids[1], ProgressStatus.COMPLETED, 100.0, "机制已建立", "", "", row=4),
        ReportRow(ids[3], ProgressStatus.NOT_STARTED, 0.0, "", "", "等待省级文件", row=6),
        ReportRow(ids[4], ProgressStatus.COMPLETED, 100.0, "全角空格与百分号", "", "", row=7),
        ReportRow(ids[5], ProgressStatus.DELAYED, 45.0, "", "", "", row=8),
    ]


def test_a_percentage_formatted_cell_counts_as_percent(blank: Path, draft: PlanDraft) -> None:
    wb = load_workbook(blank)
    ws = wb[DATA_SHEET]
    ws["G3"], ws["H3"] = "推进中", 0.8  # 80% typed into a cell Excel formats as a percentage
    ws["H3"].number_format = "0%"
    wb.save(blank)
    assert _read(blank, draft)[0].percent == 80.0


def test_an_untouched_template_reports_nothing(blank: Path, draft: PlanDraft) -> None:
    assert _read(blank, draft) == []


# ---------------------------------------------------------------------------- refusals


def test_wrong_template_kind(blank: Path, draft: PlanDraft) -> None:
    _edit(blank, {"B1": "plan-export"}, META_SHEET)
    problems = _problems(blank, draft)
    assert len(problems) == 1
    assert "plan-export" in _at(problems, META_SHEET, 1, "B").message_zh


def test_wrong_template_version(blank: Path, draft: PlanDraft) -> None:
    _fill(blank, {3: ("推进中", 50, "", "", "")})
    _edit(blank, {"B2": 2}, META_SHEET)
    problems = _problems(blank, draft)
    assert len(problems) == 1
    assert "版本" in _at(problems, META_SHEET, 2, "B").message_zh


def test_a_sheet_without_metadata_is_not_a_template(tmp_path: Path, draft: PlanDraft, blank: Path) -> None:
    wb = load_workbook(blank)
    del wb[META_SHEET]
    wb.save(blank)
    problems = _problems(blank, draft)
    assert problems[0].sheet == META_SHEET and "不是本系统生成" in problems[0].message_zh


@pytest.mark.parametrize(
    ("expect", "row", "word"),
    [
        ({"plan_id": 8}, 3, "plan"),
        ({"department": "区卫生健康委"}, 6, "department"),
        ({"period": parse_period("2023Q3")}, 7, "period"),
    ],
)
def test_a_template_for_another_plan_department_or_period(
    blank: Path, draft: PlanDraft, expect: dict[str, object], row: int, word: str
) -> None:
    _fill(blank, {3: ("推进中", 50, "", "", "")})
    problems = _problems(blank, draft, **expect)
    problem = _at(problems, META_SHEET, row, "B")
    assert word in problem.message


def test_renamed_and_deleted_columns(blank: Path, draft: PlanDraft) -> None:
    wb = load_workbook(blank)
    ws = wb[DATA_SHEET]
    ws["G2"] = "状态"  # renamed
    ws.delete_cols(10)  # 存在问题 gone; 下步打算 moves to J and is still found by name
    ws["G3"], ws["H3"] = "推进中", 50
    wb.save(blank)
    problems = _problems(blank, draft)
    assert {(p.row, p.column, p.header) for p in problems} == {(2, "G", "进展状态"), (2, "J", "存在问题")}
    assert "状态" in _at(problems, DATA_SHEET, 2, "G").message_zh


@pytest.mark.parametrize(
    ("cells", "column", "zh"),
    [
        ({"G3": "进行中", "H3": 50}, "G", "进展状态「进行中」无效"),
        ({"H3": 50, "I3": "忘了选状态"}, "G", "进展状态为空"),
        ({"G3": "推进中", "H3": "八十"}, "H", "不是数字"),
        ({"G3": "推进中", "H3": 120}, "H", "超出0-100"),
        ({"G3": "推进中", "H3": -5}, "H", "超出0-100"),
        ({"G3": "推进中", "H3": None}, "H", "完成百分比为空"),
        ({"G3": "已完成", "H3": 50}, "H", "应为100"),
        ({"G3": "推进中", "H3": "=40+10"}, "H", "公式"),
        ({"B3": "T999.M1", "G3": "推进中", "H3": 50}, "B", "不属于本计划"),
        ({"B3": "T2.M2", "G3": "推进中", "H3": 50}, "B", "不由「区医保局」牵头"),
        ({"B3": None, "G3": "推进中", "H3": 50}, "B", "事项编号为空"),
        ({"A3": 99, "G3": "推进中", "H3": 50}, "A", "计划编号"),
    ],
)
def test_bad_values_name_sheet_row_and_column(
    blank: Path, draft: PlanDraft, cells: dict[str, object], column: str, zh: str
) -> None:
    _edit(blank, {"G4": "推进中", "H4": 30, **cells})  # row 4 is fine, and is not returned either
    problems = _problems(blank, draft)
    assert len(problems) == 1, problems
    assert zh in _at(problems, DATA_SHEET, 3, column).message_zh


def test_duplicate_rows_are_refused(blank: Path, draft: PlanDraft) -> None:
    first = department_items(draft, DEPT)[0].item_id
    _edit(blank, {"B5": first, "G3": "推进中", "H3": 50, "G5": "滞后", "H5": 20})
    problems = _problems(blank, draft)
    assert len(problems) == 1
    problem = _at(problems, DATA_SHEET, 5, "B")
    assert "重复" in problem.message_zh and "第3行" in problem.message_zh and "row 3" in problem.message


def test_every_problem_is_reported_at_once_in_both_languages(blank: Path, draft: PlanDraft) -> None:
    _edit(
        blank,
        {
            "G3": "好",
            "H3": 50,
            "G4": "推进中",
            "H4": 101,
            "B5": "T2.M2",
            "G5": "推进中",
            "H5": 5,
            "G6": "推进中",
            "H6": 10,
        },
    )
    with pytest.raises(TemplateError) as info:
        _read(blank, draft)
    err = info.value
    assert [(p.row, p.column) for p in err.problems] == [(3, "G"), (4, "H"), (5, "B")]
    row4 = department_items(draft, DEPT)[1]  # each row is named by its item too
    assert "3 problems" in str(err) and f"sheet 进展填报, row 4, item {row4.item_id}, column H (完成百分比)" in str(err)
    assert "3 处错误" in err.message_zh
    assert f"工作表「进展填报」第4行（{row4.label}）H列（完成百分比）" in err.message_zh
    assert "第5行（T2.M2 " in err.message_zh  # an item the department does not lead is named by its title too
    assert err.where.endswith("填报.xlsx")


def test_rows_with_problems_are_refused_one_by_one(blank: Path, draft: PlanDraft) -> None:
    _edit(blank, {"G3": "好", "H3": 50, "G4": "推进中", "H4": 40, "B5": "T2.M2", "G5": "推进中", "H5": 5})
    found = read_template_rows(blank, plan_id=PLAN_ID, department=DEPT, period=PERIOD, draft=draft)
    items = department_items(draft, DEPT)
    assert [(r.row, r.item_id, r.percent) for r in found.rows] == [(4, items[1].item_id, 40.0)]
    assert [(r.row, r.item_id, [p.column for p in r.problems]) for r in found.refused] == [
        (3, items[0].item_id, ["G"]),
        (5, "T2.M2", ["B"]),
    ]
    assert found.refused[0].label == items[0].label and found.refused[0].label.startswith("T1.M3 谋划中长期")


def test_line_breaks_as_excel_and_wps_store_them(blank: Path, draft: PlanDraft) -> None:
    _edit(blank, {"G3": "推进中", "H3": 5.0, "I3": "第一行_x000D_\n第二行\r\n第三行"})
    assert _read(blank, draft)[0].narrative == "第一行\n第二行\n第三行"


def test_a_file_that_is_not_xlsx(tmp_path: Path, draft: PlanDraft) -> None:
    text = tmp_path / "报表.xlsx"
    text.write_text("序号,进展状态\n1,推进中\n", encoding="utf-8")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    other_zip = tmp_path / "word.xlsx"  # a Word package is a zip but not a workbook
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(damaged, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types")
        zf.writestr("xl/workbook.xml", "not xml")
    for path in (text, empty, other_zip, damaged):
        problems = _problems(path, draft)
        assert len(problems) == 1
        assert "Excel" in problems[0].message_zh, path
    with pytest.raises(TemplateError):
        _read(tmp_path / "missing.xlsx", draft)


def test_a_zip_bomb_is_refused_without_unpacking(tmp_path: Path, draft: PlanDraft) -> None:
    bomb = tmp_path / "bomb.xlsx"
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as entry:
            for _ in range(64):
                entry.write(chunk)
    assert bomb.stat().st_size < 1024 * 1024
    problems = _problems(bomb, draft)
    assert len(problems) == 1 and "压缩" in problems[0].message_zh and "absurd" in problems[0].message


def test_a_template_saved_by_excel_or_wps_reads_the_same(tmp_path: Path, draft: PlanDraft) -> None:
    existing = [
        _report("T1.M3", "2023Q4", 2, ProgressStatus.IN_PROGRESS, 60, "第一段\n第二段"),
        _report("T7.M2", "2023Q3", 1, ProgressStatus.DELAYED, 30, "上期"),
    ]
    path = write_template(draft, PLAN_ID, DEPT, PERIOD, tmp_path / "t.xlsx", existing)
    _fill(path, {5: ("推进中", 45, "部分加粗的文字", "", "")})
    before = _read(path, draft)
    as_excel_saves(path, rich={"部分加粗的文字": ["部分", "加粗", "的文字"]})
    with zipfile.ZipFile(path) as z:  # really restructured: shared strings, CR as _x000D_, 7.0, no empty cells
        assert "_x000D_\n第二段" in z.read("xl/sharedStrings.xml").decode()
        assert "<v>7.0</v>" in z.read("xl/worksheets/sheet2.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert sheet.count("<c ") < 12 * (2 + len(department_items(draft, DEPT)))
    after = _read(path, draft)
    assert after == before and [r.prefill for r in after] == [r.prefill for r in before] == ["2023Q4:2", "2023Q3:1", ""]
    assert after[0].narrative == "第一段\n第二段" and after[2].narrative == "部分加粗的文字"
