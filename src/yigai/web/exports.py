"""Lists as CSV or XLSX downloads: ``?format=csv`` / ``?format=xlsx`` on every list endpoint.

Text that a spreadsheet would run as a formula (``= + - @``, tab, carriage return) is
prefixed with an apostrophe in both formats (OWASP "CSV injection"), the same rule as the
plan export. CSV is UTF-8 with a byte-order mark so that Excel opens Chinese correctly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from yigai.domain.formatting import escape_formula
from yigai.reports.xlsx_style import HEADER_FILL
from yigai.web.files import download

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
MAX_WIDTH = 60


class ListFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


Column = tuple[str, str]  # (key in the row dict, header shown in the file)


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell; text (joined lists and mappings included) goes through ``escape_formula``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, int | float | dt.date):
        return value
    if isinstance(value, StrEnum):
        text = value.value
    elif isinstance(value, list | tuple | set | frozenset):
        text = "、".join(str(v) for v in value)
    elif isinstance(value, Mapping):
        text = "；".join(f"{k}: {v}" for k, v in value.items())
    else:
        text = str(value)
    return escape_formula(text)


def csv_bytes(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for _, header in columns])
    for row in rows:
        writer.writerow([_csv_text(_cell(row.get(key))) for key, _ in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_text(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def xlsx_bytes(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], title: str = "数据") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31] or "数据"
    ws.append([header for _, header in columns])
    widths = [max(6, len(header) * 2 + 2) for _, header in columns]
    for row in rows:
        cells = [_cell(row.get(key)) for key, _ in columns]
        ws.append(cells)
        for i, value in enumerate(cells):
            widths[i] = min(MAX_WIDTH, max(widths[i], len(str(value)) + 2))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        header = ws.cell(row=1, column=i)
        header.font, header.fill = Font(bold=True), HEADER_FILL
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 1)}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]], fmt: ListFormat, name: str) -> Any:
    """The rows as JSON (a list), or as a CSV/XLSX download named ``name.csv`` / ``name.xlsx``."""
    if fmt is ListFormat.CSV:
        return download(csv_bytes(columns, rows), f"{name}.csv", CSV_TYPE)
    if fmt is ListFormat.XLSX:
        return download(xlsx_bytes(columns, rows, name), f"{name}.xlsx", XLSX_TYPE)
    return list(rows)
