"""The one look of every workbook yigai writes: header fill and font, editable cells, column widths.

Template, list exports, bulletins and payment workbooks all style their header rows here, so
an office sees one house style and a change of colour is made once.
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
EDITABLE_FILL = PatternFill("solid", fgColor="FFF9E5")  # cells a department fills in
BOLD = Font(bold=True)
WARNING_FONT = Font(color="C00000")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
MAX_WIDTH = 60


def style_header(cell: Any, *, fill: bool = True) -> None:
    """Bold, centred, wrapped; the header fill unless ``fill`` is False (write-only sheets' plain header)."""
    cell.font = BOLD
    cell.alignment = HEADER_ALIGNMENT
    if fill:
        cell.fill = HEADER_FILL


def set_width(ws: Any, column: int, width: float, *, grow_only: bool = False) -> None:
    """Set column ``column``'s (1-based) width; ``grow_only`` keeps a wider one already set."""
    dim = ws.column_dimensions[get_column_letter(column)]
    dim.width = max(dim.width or 0, width) if grow_only else width


def filter_and_freeze(ws: Any, columns: int) -> None:
    """Freeze the header row and put a filter on it."""
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(ws.max_row, 1)}"
