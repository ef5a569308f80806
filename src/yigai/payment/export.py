"""Payment tables to XLSX: one sheet per table, written in one step, cells safe from formula injection.

Follows the project's export conventions (:mod:`yigai.reports.xlsx_export`, :mod:`yigai.reports.atomic`):
text a spreadsheet would run as a formula is escaped, and the workbook is written to a temporary
name and renamed, so a failed export never leaves half a file. A table longer than a worksheet
(1,048,576 rows) continues on numbered sheets, nothing is cut off. Sheets are written in
openpyxl's streaming mode, so a million case rows do not become a million cell objects at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yigai.domain.formatting import escape_formula

if TYPE_CHECKING:  # openpyxl loads when a workbook is written: the commands import Sheet at start
    from openpyxl import Workbook

MAX_ROWS = 1_048_576 - 1  # an XLSX sheet's rows, less the header
TITLE_MAX = 31  # an XLSX sheet title's length


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    return escape_formula(str(value))


def write_sheets(path: str | Path, sheets: Sequence[Sheet], *, max_rows: int = MAX_ROWS) -> Path:
    """Write the sheets (headers in bold) to ``path`` atomically; returns the path."""
    from openpyxl import Workbook

    from yigai.reports.atomic import write_atomically

    def write(tmp: Path) -> None:
        wb = Workbook(write_only=True)
        for sheet in sheets:
            part, n = 1, 0
            ws = _new(wb, sheet, part)
            for row in sheet.rows:
                if n == max_rows:
                    part, n = part + 1, 0
                    ws = _new(wb, sheet, part)
                ws.append([_cell(v) for v in row])
                n += 1
        wb.save(tmp)

    return write_atomically(path, write, what="payment workbook", what_zh="支付测算工作簿")


def _new(wb: Workbook, sheet: Sheet, part: int) -> Any:
    from openpyxl.cell import WriteOnlyCell

    from yigai.reports.xlsx_style import style_header

    title = sheet.title if part == 1 else f"{sheet.title}({part})"
    ws = wb.create_sheet(title[:TITLE_MAX])
    header = []
    for h in sheet.headers:
        c = WriteOnlyCell(ws, value=_cell(h))
        style_header(c, fill=False)
        header.append(c)
    ws.append(header)
    return ws


__all__ = ["Sheet", "write_sheets", "MAX_ROWS"]
