"""A bulletin as an Excel workbook: one sheet per section, plus the charts.

Text a spreadsheet would run as a formula (= + - @ …) is stored as text with a quote
prefix, so a narrative typed by a department can never execute.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from yigai.reports.bulletin_charts import Chart, bulletin_charts
from yigai.reports.bulletin_data import (
    APPENDIX_HEADERS,
    INDICATOR_HEADERS,
    METHOD_TITLE,
    NOT_RANKED_HEADERS,
    NOT_RANKED_INTRO,
    NOT_RANKED_MARK,
    RED_HEADERS,
    SCORE_DETAIL_HEADERS,
    STATUS_HEADERS,
    BulletinData,
    RankingRow,
)
from yigai.reports.template_xlsx import set_text
from yigai.reports.xlsx_style import BOLD, set_width, style_header

OVERVIEW_SHEET = "总体情况"
RED_LIST_SHEET = "红色清单"
INDICATOR_SHEET = "指标预警"
RANKING_SHEET = "部门排名"
METHOD_SHEET = "计分与排名方法"
APPENDIX_SHEET = "任务明细"
CHART_SHEET = "图表"
RED_LIST_COLUMNS = ("牵头部门", *RED_HEADERS)
OVERVIEW_LABELS = ("通报", "评估日期", "报告期", "文号", "完成率", "报送率", "按时报送率", "综合得分")
CHART_ROWS = 24  # rows left for each chart on the chart sheet


def _table(
    ws: Worksheet, start_row: int, headers: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]
) -> None:
    for col, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        style_header(ws.cell(start_row, col, header))
        set_width(ws, col, width, grow_only=True)
    for r, values in enumerate(rows, start=start_row + 1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(r, col)
            set_text(cell, value)
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str) and len(value) > 8)
    ws.freeze_panes = f"A{start_row + 1}"


def build_xlsx(data: BulletinData, charts: Sequence[Chart] | None = None) -> Workbook:
    charts = bulletin_charts(data) if charts is None else charts
    wb = Workbook()
    ov_ws = wb.active
    assert ov_ws is not None
    ov_ws.title = OVERVIEW_SHEET
    ov = data.overview
    facts = (
        data.title,
        data.at,
        data.period_label,
        data.doc_number,
        ov.completion_rate,
        ov.reporting_rate,
        ov.on_time_rate,
        round(ov.score, 1),
    )
    for row, (label, value) in enumerate(zip(OVERVIEW_LABELS, facts, strict=True), start=1):
        ov_ws.cell(row, 1, label).font = BOLD
        cell = ov_ws.cell(row, 2)
        set_text(cell, value)
        if label in ("完成率", "报送率", "按时报送率"):
            cell.number_format = "0.0%"
        elif label == "评估日期":
            cell.number_format = "yyyy-mm-dd"
    base = len(OVERVIEW_LABELS) + 1
    for offset, sentence in enumerate((ov.sentence, ov.targets_sentence)):
        set_text(ov_ws.cell(base + offset, 1), sentence)
    _table(ov_ws, base + 3, STATUS_HEADERS, [(c.label, c.count, c.share) for c in ov.counts], (16, 60, 10))
    for r in range(base + 4, base + 4 + len(ov.counts)):
        ov_ws.cell(r, 3).number_format = "0.0%"
    ov_ws.freeze_panes = None

    red = wb.create_sheet(RED_LIST_SHEET)
    _table(
        red,
        1,
        RED_LIST_COLUMNS,
        [
            (
                g.department,
                i,
                it.task,
                it.title,
                it.status_label,
                it.deadline,
                None if it.percent is None else it.percent / 100,
                it.reason,
            )
            for g in data.red_list
            for i, it in enumerate(g.items, start=1)
        ],
        (18, 6, 28, 40, 12, 14, 10, 40),
    )
    _percent_column(red, 7)

    ind = wb.create_sheet(INDICATOR_SHEET)
    _table(
        ind,
        1,
        (*INDICATOR_HEADERS[:3], "最新值", "单位", "最新期", "序时进度应达", "趋势研判"),
        [
            (i, r.metric, r.target, r.latest, r.unit, r.latest_period, r.expected, r.sentence)
            for i, r in enumerate(data.off_track, start=1)
        ],
        (6, 30, 14, 10, 8, 16, 12, 60),
    )

    rank = wb.create_sheet(RANKING_SHEET)
    _table(
        rank,
        1,
        SCORE_DETAIL_HEADERS,
        [_detail(r) for r in data.ranking],
        (6, 20, 8, 8, 8, 8, 8, 8, 8, 10, 8, 8, 8, 8, 8),
    )
    for col in (5, 9, 10):
        _percent_column(rank, col)
    if data.not_ranked:
        start = len(data.ranking) + 3
        rank.cell(start, 1, NOT_RANKED_INTRO).font = BOLD
        _table(
            rank,
            start + 1,
            NOT_RANKED_HEADERS,
            [
                (r.department, r.class_label, r.items, r.completion_rate, r.on_time_rate, round(r.score, 2), r.reason)
                for r in data.not_ranked
            ],
            (20, 14, 8, 8, 10, 8, 50),
        )
        for row in rank.iter_rows(min_row=start + 2, min_col=4, max_col=5):
            for cell in row:
                cell.number_format = "0.0%"
        rank.freeze_panes = "A2"

    app = wb.create_sheet(APPENDIX_SHEET)
    _table(
        app,
        1,
        APPENDIX_HEADERS,
        [
            (
                r.no,
                r.task,
                r.title,
                r.lead,
                r.deadline,
                r.status_label,
                None if r.percent is None else r.percent / 100,
                r.period,
                r.review,
                r.narrative,
                r.problems,
                r.next_steps,
            )
            for r in data.appendix
        ],
        (6, 28, 40, 18, 14, 12, 10, 16, 8, 40, 30, 30),
    )
    _percent_column(app, 7)
    app.auto_filter.ref = f"A1:{get_column_letter(len(APPENDIX_HEADERS))}{max(app.max_row, 1)}"

    if data.method:
        method = wb.create_sheet(METHOD_SHEET)
        method.cell(1, 1, METHOD_TITLE).font = BOLD
        method.column_dimensions["A"].width = 120
        for n, text in enumerate(data.method, start=2):
            set_text(method.cell(n, 1), text)
            method.cell(n, 1).alignment = Alignment(wrap_text=True, vertical="top")

    chart_ws = wb.create_sheet(CHART_SHEET)
    for n, chart in enumerate(charts):
        image = Image(io.BytesIO(chart.png))
        image.width, image.height = round(image.width * 0.45), round(image.height * 0.45)
        chart_ws.add_image(image, f"A{1 + n * CHART_ROWS}")
    wb.properties.title = data.title
    return wb


def _detail(r: RankingRow) -> tuple[object, ...]:
    """SCORE_DETAIL_HEADERS as numbers (rates as fractions shown as percentages)."""
    return (
        r.rank or NOT_RANKED_MARK,
        r.department,
        r.items,
        r.completed,
        r.completion_rate,
        r.reports_due,
        r.late,
        r.missing,
        r.reporting_rate,
        r.on_time_rate,
        round(r.item_mean, 2),
        -round(r.deduction, 2),
        round(r.bonus, 2),
        round(r.score, 2),
        None if r.rank_score is None else round(r.rank_score, 2),
    )


def _percent_column(ws: Worksheet, col: int) -> None:
    for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
        cell.number_format = "0.0%"


def write_xlsx(data: BulletinData, path: Path, charts: Sequence[Chart] | None = None) -> None:
    build_xlsx(data, charts).save(str(path))
