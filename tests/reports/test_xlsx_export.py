"""XLSX export read back with openpyxl: layout, inheritance, escaping, styling."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from yigai.domain.errors import YigaiError
from yigai.domain.plan import PlanDraft
from yigai.reports.xlsx_export import (
    PROJECT_HEADERS,
    PROJECT_SHEET,
    TARGET_HEADERS,
    TARGET_SHEET,
    TASK_HEADERS,
    TASK_SHEET,
    escape_formula,
    write_plan_xlsx,
)


def _values(path: Path, sheet: str) -> list[tuple[object, ...]]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def test_task_sheet_has_one_row_per_measure_and_inherits_from_the_task(tmp_path: Path, sample_draft: PlanDraft) -> None:
    path = write_plan_xlsx(sample_draft, tmp_path / "plan.xlsx")
    rows = _values(path, TASK_SHEET)
    assert rows[0] == TASK_HEADERS
    assert rows[1:] == [
        (
            1,
            "1. 完善深化医改领导体制",
            "(1) 完善医改领导组织架构，调整政府领导职责分工",
            "区委、区政府",
            None,
            "措施类",
            "适时调整",
        ),
        (
            2,
            "1. 完善深化医改领导体制",
            "(2) =完善医改领导小组及秘书处统筹推进机制",
            "区医改领导小组",
            "各镇街（园区）等",
            "政策类、措施类",
            "持续实施",
        ),
        (
            3,
            "2. 推进家庭医生签约",
            "到2025年，家庭医生签约覆盖率达到80%以上。",
            "区卫健局等",
            "区医保局、区财政局",
            "指标类",
            "到2025年",
        ),
        (4, "加强督查评估", "加强督查评估。", None, None, None, None),
    ]


def test_measure_without_departments_takes_the_tasks(tmp_path: Path, sample_draft: PlanDraft) -> None:
    sample_draft.tasks[0].measures[0].responsibility.lead.clear()
    rows = _values(write_plan_xlsx(sample_draft, tmp_path / "p.xlsx"), TASK_SHEET)
    assert rows[1][3:5] == ("区卫健局", "区医保局")


def test_target_sheet(tmp_path: Path, sample_draft: PlanDraft) -> None:
    rows = _values(write_plan_xlsx(sample_draft, tmp_path / "p.xlsx"), TARGET_SHEET)
    assert rows[0] == TARGET_HEADERS
    assert rows[1] == (
        "家庭医生签约覆盖率",
        "常住人口",
        "约束性",
        "≥",
        80,
        None,
        "%",
        32.5,
        dt.datetime(2025, 12, 31),
        "2. 推进家庭医生签约",
        "家庭医生签约覆盖率达到80%以上",
    )
    assert rows[2][:7] == ("每千常住人口床位数", None, None, "区间", 7, 7.48, "张")
    # text that a spreadsheet would evaluate comes back as text, escaped
    assert rows[3][0] == "'-药占比" and rows[3][10] == "'+5个百分点"


def test_project_sheet_only_when_there_are_projects(tmp_path: Path, sample_draft: PlanDraft) -> None:
    wb = load_workbook(write_plan_xlsx(sample_draft, tmp_path / "a.xlsx"))
    assert wb.sheetnames == [TASK_SHEET, TARGET_SHEET, PROJECT_SHEET]
    assert list(wb[PROJECT_SHEET].iter_rows(values_only=True)) == [
        PROJECT_HEADERS,
        ("1", "基层能力建设", "'@社区卫生服务中心标准化建设", "区卫健局", "区发改局"),
    ]
    sample_draft.projects.clear()
    assert load_workbook(write_plan_xlsx(sample_draft, tmp_path / "b.xlsx")).sheetnames == [TASK_SHEET, TARGET_SHEET]


def test_no_cell_is_a_formula(tmp_path: Path, sample_draft: PlanDraft) -> None:
    wb = load_workbook(write_plan_xlsx(sample_draft, tmp_path / "p.xlsx"))
    kinds = {cell.data_type for ws in wb for row in ws.iter_rows() for cell in row}
    assert "f" not in kinds
    assert wb[TASK_SHEET]["C3"].value == "(2) =完善医改领导小组及秘书处统筹推进机制"  # not at the start: untouched


def test_header_is_bold_frozen_and_filtered(tmp_path: Path, sample_draft: PlanDraft) -> None:
    ws = load_workbook(write_plan_xlsx(sample_draft, tmp_path / "p.xlsx"))[TASK_SHEET]
    assert all(cell.font.bold for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G5"
    assert ws.column_dimensions["C"].width == 60


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+86", "'+86"), ("-", "'-"), ("@x", "'@x"), ("a=b", "a=b"), (-5, -5), (None, None)],
)
def test_escape_formula(value: str | int | None, expected: str | int | None) -> None:
    assert escape_formula(value) == expected


def test_unwritable_target_is_a_clear_error(tmp_path: Path, sample_draft: PlanDraft) -> None:
    with pytest.raises(YigaiError) as info:
        write_plan_xlsx(sample_draft, tmp_path / "missing-dir" / "p.xlsx")
    assert "无法写入" in info.value.bilingual()
    assert list(tmp_path.iterdir()) == []
