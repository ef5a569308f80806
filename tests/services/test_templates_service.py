"""The Excel round trip through the services: write, fill, import — all rows or none."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from .conftest import Loop, at
from yigai.reports.template_import import TemplateError
from yigai.services.reports import report_history
from yigai.services.templates import import_department_template, write_department_template


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
    return [ws.cell(r, cols["事项编号"]).value for r in range(header_row + 1, ws.max_row + 1)
            if ws.cell(r, cols["事项编号"]).value]


def test_write_fill_import(loop: Loop, tmp_path: Path) -> None:
    path = write_department_template(loop.app.uow(), loop.plan_id, "仓山医保局", "2023Q3", tmp_path / "t.xlsx")
    items = _items(path)
    assert len(items) == 41  # every item 区医保局 leads in seed 004
    _fill(path, {1: ("推进中", 60), 2: ("已完成", 100)})
    result = import_department_template(loop.app.uow(), loop.insurance, loop.plan_id, "区医保局", "2023Q3", path,
                                        submit=True, now=at("2023-10-10"))
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
