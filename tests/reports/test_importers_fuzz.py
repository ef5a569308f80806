"""Importers under arbitrary input: only the project's own error types come out.

Hypothesis fills a real progress template with arbitrary values of arbitrary types in arbitrary
cells (both sheets), and feeds arbitrary bytes and text to the template reader, the values
importer's sheet reader, the org-unit file reader and the indicator catalogue reader. Each
either returns a result or raises a ``YigaiError`` saying what and where — never a crash.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from yigai.domain.errors import YigaiError
from yigai.domain.periods import parse_period
from yigai.domain.plan import PlanDraft
from yigai.reports.template_import import read_template
from yigai.reports.template_xlsx import DATA_SHEET, META_SHEET, write_template
from yigai.services.indicators import read_catalogue
from yigai.services.orgunits import read_units
from yigai.tabular import read_table

PLAN_ID, DEPT, PERIOD = 7, "区医保局", parse_period("2023Q4")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40).map(lambda t: "".join(c for c in t if c.isprintable())),
    st.sampled_from(["推进中", "已完成", "未启动", "滞后", "=1+1", "100%", "１２０", "-5", "abc", ""]),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
)
cells = st.dictionaries(st.tuples(st.integers(1, 40), st.integers(1, 14)), cell_values, max_size=25)


@pytest.fixture(scope="module")
def blank(seed_drafts: list[PlanDraft], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PlanDraft]:
    draft = seed_drafts[4]
    return write_template(draft, PLAN_ID, DEPT, PERIOD, tmp_path_factory.mktemp("tpl") / "t.xlsx"), draft


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=cells, meta=cells)
def test_a_template_with_arbitrary_cells_reads_or_names_its_problems(
    blank: tuple[Path, PlanDraft], data: dict[tuple[int, int], object], meta: dict[tuple[int, int], object]
) -> None:
    path, draft = blank
    wb = load_workbook(path)
    for sheet, edits in ((DATA_SHEET, data), (META_SHEET, meta)):
        for (row, col), value in edits.items():
            cell = wb[sheet].cell(row=row, column=col)
            if not isinstance(cell, MergedCell):  # a merged area's inner cells cannot hold values
                cell.value = value
    with tempfile.TemporaryDirectory() as tmp:
        edited = Path(tmp) / "t.xlsx"
        wb.save(edited)
        try:
            rows = read_template(edited, plan_id=PLAN_ID, department=DEPT, period=PERIOD, draft=draft)
        except YigaiError as exc:
            assert exc.message_zh and str(exc)
        else:
            assert all(0 <= r.percent <= 100 for r in rows if r.percent is not None)


@FUZZ
@given(payload=st.binary(max_size=4000), suffix=st.sampled_from([".xlsx", ".csv", ".yaml", ".xlsm"]))
def test_arbitrary_bytes_are_refused_with_a_clear_error(
    blank: tuple[Path, PlanDraft], payload: bytes, suffix: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(payload)
        for read in (lambda: read_table(path), lambda: read_units(path), lambda: read_catalogue(path)):
            try:
                read()
            except YigaiError as exc:
                assert exc.message_zh
        if suffix == ".xlsx":
            with pytest.raises(YigaiError):
                read_template(path, plan_id=PLAN_ID, department=DEPT, period=PERIOD, draft=blank[1])


@FUZZ
@given(text=st.text(max_size=2000), suffix=st.sampled_from([".csv", ".yaml"]))
def test_arbitrary_text_files_are_read_or_refused_with_a_clear_error(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(text.encode("utf-8", errors="replace"))
        for read in (lambda: read_table(path), lambda: read_units(path), lambda: read_catalogue(path)):
            try:
                read()
            except YigaiError as exc:
                assert exc.message_zh
