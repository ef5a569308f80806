"""Helpers for the API tests: users as domain objects, small valid files, a filled template."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from yigai.data import seed_paths
from yigai.domain.users import User
from yigai.services.templates import write_department_template

from .conftest import PLAN, Web

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SEED_000 = seed_paths()[0]


def user(web: Web, name: str) -> User:
    with web.core.uow() as uow:
        found = uow.users.get(name)
    assert found is not None
    return found


def filled_template(web: Web, department: str, period: str, percent: int = 55) -> bytes:
    """The department's template with every row filled 推进中 ``percent``%."""
    path = web.folder / f"template-{period}.xlsx"
    write_department_template(web.core.uow(), PLAN, department, period, path)
    book = load_workbook(path)
    sheet = book["进展填报"]
    header = next(r for r in sheet.iter_rows(min_row=1, max_row=5) if any(c.value == "进展状态" for c in r))
    columns = {c.value: c.column for c in header}
    for row in range(header[0].row + 1, sheet.max_row + 1):
        if sheet.cell(row, columns["事项编号"]).value:
            sheet.cell(row, columns["进展状态"]).value = "推进中"
            sheet.cell(row, columns["完成百分比"]).value = percent
            sheet.cell(row, columns["进展情况"]).value = "按计划推进"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def seed_document() -> tuple[str, bytes, str]:
    return (Path(SEED_000).name, Path(SEED_000).read_bytes(), "text/plain")
