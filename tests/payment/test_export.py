"""Payment workbooks: one sheet per table, long tables continued, formulas escaped, written atomically."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from yigai.domain.errors import YigaiError
from yigai.payment.export import Sheet, write_sheets


def test_a_long_table_continues_on_numbered_sheets(tmp_path: Path) -> None:
    rows = ((f"c{i}", i * 1.5) for i in range(7))
    path = write_sheets(
        tmp_path / "t.xlsx",
        [Sheet("病例分值", ("病例", "分值"), rows), Sheet("未入组", ("病例", "原因"), [])],
        max_rows=3,
    )
    wb = load_workbook(path)
    assert wb.sheetnames == ["病例分值", "病例分值(2)", "病例分值(3)", "未入组"]
    got = [r for name in wb.sheetnames[:3] for r in wb[name].iter_rows(min_row=2, values_only=True)]
    assert got == [(f"c{i}", i * 1.5) for i in range(7)]  # nothing cut off, order kept
    assert [c.value for c in wb["病例分值(3)"][1]] == ["病例", "分值"]  # each part has the header
    assert list(wb["未入组"].iter_rows(values_only=True)) == [("病例", "原因")]


def test_text_that_would_run_as_a_formula_is_escaped_numbers_are_not(tmp_path: Path) -> None:
    rows = [("=1+2", -5.0, "-x"), ("@SUM(A1)", 3, None)]
    path = write_sheets(tmp_path / "t.xlsx", [Sheet("s", ("a", "b", "c"), rows)])
    rows = list(load_workbook(path)["s"].iter_rows(min_row=2, values_only=True))
    assert rows == [("'=1+2", -5.0, "'-x"), ("'@SUM(A1)", 3, None)]


def test_a_failed_write_names_the_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "t.xlsx").mkdir()  # the rename onto a folder fails after the workbook was written
    with pytest.raises(YigaiError) as exc:
        write_sheets(target / "t.xlsx", [Sheet("s", ("a",), [("x",)])])
    assert exc.value.where == str(target / "t.xlsx")
    assert [p.name for p in target.iterdir()] == ["t.xlsx"]  # no temporary file left
