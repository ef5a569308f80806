"""Reading a filled progress template back (进展填报模板): every check before anything is saved.

The template kind and version, that it is for the expected plan, department and period,
the columns, every value. A problem with the file as a whole (not a workbook, another
template, renamed columns) raises one ``TemplateError`` listing every problem, each naming
sheet, row and column. A problem confined to a data row (a bad status, an item the
department does not lead) refuses that row only: ``read_template_rows`` returns the good
rows and the refused ones, and the caller decides (all or nothing, or save the rest);
``read_template`` is the strict form that raises for any problem. Excel and WPS write a
carriage return as ``_x000D_``; it is read back as a line break. The layout is defined with
the writer in ``yigai.reports.template_xlsx``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from yigai.domain.errors import DocumentError
from yigai.domain.periods import Period
from yigai.domain.plan import PlanDraft
from yigai.domain.reports import ProgressStatus
from yigai.reports.template_xlsx import (
    COLUMNS,
    DATA_SHEET,
    EDITABLE_KEYS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HEADERS,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    META_KEYS,
    META_LABELS,
    META_SHEET,
    OPTIONAL_KEYS,
    STATUS_LABELS,
    TEMPLATE_KIND,
    TEMPLATE_VERSION,
    TemplateItem,
    column_letter,
    plan_items,
)
from yigai.tabular import Limits, xlsx_problem


@dataclass(frozen=True, slots=True)
class ReportRow:
    item_id: str
    status: ProgressStatus
    percent: float
    narrative: str
    problems: str
    next_steps: str
    row: int = 0  # the row of 进展填报 it came from
    # 预填版本 as written ("2026Q3:2", "" when nothing was prefilled); None: an older template without the column
    prefill: str | None = field(default=None, compare=False)
    label: str = field(default="", compare=False)  # "T1.M3 谋划中长期…", to name the row in messages


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """One problem in a filled template; ``column`` is a letter, ``header`` its heading."""

    message_zh: str
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""
    item: str = ""  # the row's item, "T1.M3 谋划中长期…"

    def where_zh(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.item:
            parts.append(f"（{self.item}）")
        if self.column:
            parts.append(f"{self.column}列" + (f"（{self.header}）" if self.header else ""))
        return "".join(parts)

    def where_en(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.item:
            parts.append(f"item {self.item.split(' ')[0]}")
        if self.column:
            parts.append(f"column {self.column}" + (f" ({self.header})" if self.header else ""))
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class RefusedRow:
    """A data row that cannot be saved as it is, with every problem found in it."""

    row: int
    item_id: str
    label: str
    problems: tuple[TemplateProblem, ...]


@dataclass(frozen=True, slots=True)
class TemplateRows:
    """What a filled template holds: the rows to report and the rows refused for their own problems."""

    rows: list[ReportRow]
    refused: list[RefusedRow]


class TemplateError(DocumentError):
    """A filled template was refused; ``problems`` lists every problem found (a bad document: exit code 2)."""

    message_zh = "填报模板有误"

    def __init__(self, problems: Sequence[TemplateProblem], *, where: str = "") -> None:
        self.problems = list(problems)
        n = len(self.problems)
        en = "\n".join(
            f"  - {p.where_en()}: {p.message}" if p.where_en() else f"  - {p.message}" for p in self.problems
        )
        zh = "\n".join(
            f"  - {p.where_zh()}：{p.message_zh}" if p.where_zh() else f"  - {p.message_zh}" for p in self.problems
        )
        super().__init__(
            f"the filled template was refused ({n} problem{'s' if n != 1 else ''}); nothing was saved:\n{en}",
            message_zh=f"填报模板有 {n} 处错误，未保存任何内容：\n{zh}",
            where=where,
        )


class _Problems:
    def __init__(self) -> None:
        self.items: list[TemplateProblem] = []
        self.in_rows: dict[int, list[TemplateProblem]] = {}  # problems confined to one data row

    def add(
        self,
        zh: str,
        en: str,
        sheet: str = "",
        row: int | None = None,
        key: str = "",
        column: str = "",
        header: str = "",
        item: str = "",
        in_row: bool = False,
    ) -> None:
        if key:
            column, header = column_letter(key), HEADERS[key]
        problem = TemplateProblem(zh, en, sheet, row, column, header, item)
        if in_row and row is not None:
            self.in_rows.setdefault(row, []).append(problem)
        else:
            self.items.append(problem)


def read_template_rows(
    path: str | os.PathLike[str], *, plan_id: int, department: str, period: Period, draft: PlanDraft
) -> TemplateRows:
    """The good rows and the refused rows of a filled template; ``TemplateError`` for a bad file.

    A row whose 进展状态 … 下步打算 are all empty is not a report and is skipped.
    """
    path = Path(path)
    problems = _Problems()
    wb = _open(path, problems)
    if wb is None:
        raise TemplateError(problems.items, where=str(path))
    labels: dict[int, tuple[str, str]] = {}
    try:
        rows = _read(wb, problems, plan_id=plan_id, department=department, period=period, draft=draft, labels=labels)
    finally:
        wb.close()
    if problems.items:
        raise TemplateError(
            problems.items + [p for row in sorted(problems.in_rows) for p in problems.in_rows[row]], where=str(path)
        )
    refused = [
        RefusedRow(row, *labels.get(row, ("", "")), problems=tuple(found))
        for row, found in sorted(problems.in_rows.items())
    ]
    return TemplateRows(rows, refused)


def read_template(
    path: str | os.PathLike[str], *, plan_id: int, department: str, period: Period, draft: PlanDraft
) -> list[ReportRow]:
    """The rows of a filled template, or ``TemplateError`` listing every problem (a refused row too)."""
    found = read_template_rows(path, plan_id=plan_id, department=department, period=period, draft=draft)
    if found.refused:
        raise TemplateError([p for r in found.refused for p in r.problems], where=str(path))
    return found.rows


def _open(path: Path, problems: _Problems) -> Any:
    problem = xlsx_problem(path, Limits(MAX_FILE_BYTES, MAX_UNCOMPRESSED_BYTES))
    if problem is not None:
        problems.add(*problem)
        return None
    try:
        return load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged package
        problems.add("Excel 文件已损坏，无法打开", "the workbook is damaged and cannot be opened")
        return None


def _fold(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number a spreadsheet saved as 5.0
    return unicodedata.normalize("NFKC", str(value)).strip()


def _read(
    wb: Any,
    problems: _Problems,
    *,
    plan_id: int,
    department: str,
    period: Period,
    draft: PlanDraft,
    labels: dict[int, tuple[str, str]],
) -> list[ReportRow]:
    if META_SHEET not in wb.sheetnames:
        problems.add(
            f"缺少工作表「{META_SHEET}」：这不是本系统生成的进展填报模板",
            f"sheet {META_SHEET} is missing: this is not a yigai progress-report template",
            sheet=META_SHEET,
        )
        return []
    meta = _read_meta(wb[META_SHEET], problems)
    if meta is None:
        return []
    identity_ok = True
    for key, expected, zh, en in (
        ("plan_id", str(plan_id), "计划", "plan"),
        ("department", department, "填报部门", "department"),
        ("period", period.id, "报告期", "period"),
    ):
        value, row = meta.get(key, ("", 0))
        if value != _fold(expected):
            identity_ok = False
            problems.add(
                f"模板的{zh}为「{value}」，应为「{expected}」",
                f"the template is for {en} {value!r}, expected {expected!r}",
                sheet=META_SHEET,
                row=row,
                column="B",
                header=META_LABELS[key],
            )
    if DATA_SHEET not in wb.sheetnames:
        problems.add(f"缺少工作表「{DATA_SHEET}」", f"sheet {DATA_SHEET} is missing", sheet=DATA_SHEET)
        return []
    ws = wb[DATA_SHEET]
    rows_iter = ws.iter_rows(min_row=HEADER_ROW, values_only=False)
    header_cells = next(rows_iter, ())
    columns = _columns(header_cells, problems)
    items = {item.item_id: item for item in plan_items(draft)}
    out: list[ReportRow] = []
    seen: dict[str, int] = {}
    for offset, cells in enumerate(rows_iter):
        row = FIRST_DATA_ROW + offset
        if offset >= MAX_DATA_ROWS:
            problems.add(
                f"数据行超过 {MAX_DATA_ROWS} 行", f"more than {MAX_DATA_ROWS} data rows", sheet=DATA_SHEET, row=row
            )
            break
        parsed = _row(
            cells,
            row,
            columns,
            problems,
            expected_plan=plan_id,
            identity_ok=identity_ok,
            items=items,
            department=department,
            seen=seen,
            labels=labels,
        )
        if parsed is not None:
            out.append(parsed)
    return out


def _read_meta(ws: Any, problems: _Problems) -> dict[str, tuple[str, int]] | None:
    by_label = {label: key for key, label in META_KEYS}
    found: dict[str, tuple[str, int]] = {}
    for row, cells in enumerate(ws.iter_rows(min_row=1, max_row=50, max_col=2, values_only=True), start=1):
        label = _fold(cells[0] if cells else None)
        if label in by_label and by_label[label] not in found:
            found[by_label[label]] = (_fold(cells[1] if len(cells) > 1 else None), row)
    kind, kind_row = found.get("kind", ("", 0))
    if kind != TEMPLATE_KIND:
        problems.add(
            f"模板类型为「{kind}」，不是进展填报模板（{TEMPLATE_KIND}）",
            f"template kind is {kind!r}, not a progress-report template ({TEMPLATE_KIND})",
            sheet=META_SHEET,
            row=kind_row or None,
            column="B",
            header=META_LABELS["kind"],
        )
        return None
    version, version_row = found.get("version", ("", 0))
    if version not in (str(TEMPLATE_VERSION), f"{TEMPLATE_VERSION}.0"):
        problems.add(
            f"模板版本为「{version}」，本系统只接受第 {TEMPLATE_VERSION} 版，请重新下载模板",
            f"template version {version!r} is not supported (expected {TEMPLATE_VERSION}); download a new template",
            sheet=META_SHEET,
            row=version_row or None,
            column="B",
            header=META_LABELS["version"],
        )
        return None
    for key in ("plan_id", "department", "period"):
        if key not in found:
            problems.add(
                f"缺少「{META_LABELS[key]}」",
                f"{META_LABELS[key]} is missing",
                sheet=META_SHEET,
                column="A",
                header=META_LABELS[key],
            )
    return found


def _columns(header_cells: Sequence[Any], problems: _Problems) -> dict[str, int]:
    """Column index (0-based) of each expected header, found by name."""
    names = [_fold(getattr(c, "value", None)) for c in header_cells]
    columns: dict[str, int] = {}
    for index, (key, header, _) in enumerate(COLUMNS):
        if index < len(names) and names[index] == header:
            columns[key] = index
        elif header in names:
            columns[key] = names.index(header)
        elif key in OPTIONAL_KEYS:
            continue
        else:
            there = names[index] if index < len(names) else ""
            got = f"，该处为「{there}」" if there else ""
            problems.add(
                f"缺少列「{header}」{got}（列被删除或改名）",
                f"column {header!r} is missing" + (f" (found {there!r})" if there else "") + " (deleted or renamed)",
                sheet=DATA_SHEET,
                row=HEADER_ROW,
                key=key,
            )
    return columns


def _row(
    cells: Sequence[Any],
    row: int,
    columns: dict[str, int],
    problems: _Problems,
    *,
    expected_plan: int,
    identity_ok: bool,
    items: dict[str, TemplateItem],
    department: str,
    seen: dict[str, int],
    labels: dict[int, tuple[str, str]],
) -> ReportRow | None:
    def cell(key: str) -> Any:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    def raw(key: str) -> Any:
        c = cell(key)
        return None if c is None else c.value

    editable = [k for k in EDITABLE_KEYS if k in columns]
    if all(_fold(raw(k)) == "" for k in editable):
        return None
    ok = True
    item_id = _fold(raw("item_id"))
    label = items[item_id].label if item_id in items else item_id
    labels[row] = (item_id, label)

    def bad(zh: str, en: str, key: str) -> None:
        nonlocal ok
        ok = False
        problems.add(zh, en, sheet=DATA_SHEET, row=row, key=key, item=label, in_row=True)

    for key in ("plan_id", "item_id", *editable):
        c = cell(key)
        if c is not None and getattr(c, "data_type", None) == "f":
            bad("单元格含公式，请直接填写内容", "the cell holds a formula; enter the value itself", key)
    if not ok:
        return None

    if "plan_id" in columns and _fold(raw("plan_id")).removesuffix(".0") != str(expected_plan):
        bad(
            f"计划编号为「{_fold(raw('plan_id'))}」，应为「{expected_plan}」",
            f"plan id is {_fold(raw('plan_id'))!r}, expected {expected_plan}",
            "plan_id",
        )
    if "item_id" in columns:
        if not item_id:
            bad("事项编号为空", "the item id is empty", "item_id")
        elif item_id in seen:
            bad(
                f"事项「{item_id}」重复（已在第{seen[item_id]}行填报）",
                f"item {item_id} is repeated (already on row {seen[item_id]})",
                "item_id",
            )
        elif identity_ok and item_id not in items:
            bad(f"事项编号「{item_id}」不属于本计划", f"item {item_id} is not in this plan", "item_id")
        elif identity_ok and department not in items[item_id].lead:
            bad(f"事项「{item_id}」不由「{department}」牵头", f"item {item_id} is not led by {department}", "item_id")
        if item_id and item_id not in seen:
            seen[item_id] = row

    status: ProgressStatus | None = None
    if "status" in columns:
        text = _fold(raw("status"))
        if not text:
            bad("进展状态为空", "the status is empty", "status")
        elif text not in STATUS_LABELS:
            bad(
                f"进展状态「{text}」无效，应为{'/'.join(STATUS_LABELS)}之一",
                f"status {text!r} is not one of {'/'.join(STATUS_LABELS)}",
                "status",
            )
        else:
            status = ProgressStatus(text)

    percent: float | None = None
    if "percent" in columns:
        percent, error = _percent(cell("percent"), status)
        if error:
            bad(*error, "percent")
        elif percent is not None and status is ProgressStatus.COMPLETED and percent != 100:
            bad(
                f"状态为已完成，完成百分比应为100（填的是{percent:g}）",
                f"status 已完成 needs percent 100 (got {percent:g})",
                "percent",
            )
        elif percent is not None and status is ProgressStatus.NOT_STARTED and percent != 0:
            bad(
                f"状态为未启动，完成百分比应为0（填的是{percent:g}）",
                f"status 未启动 needs percent 0 (got {percent:g})",
                "percent",
            )

    if not ok or status is None or percent is None:
        return None
    prefill = _fold(raw("prefill")) if "prefill" in columns else None
    return ReportRow(
        item_id=item_id,
        status=status,
        percent=percent,
        narrative=_text(raw("narrative")),
        problems=_text(raw("problems")),
        next_steps=_text(raw("next_steps")),
        row=row,
        prefill=prefill,
        label=label,
    )


def _percent(c: Any, status: ProgressStatus | None) -> tuple[float | None, tuple[str, str] | None]:
    value = None if c is None else c.value
    if value is None or _fold(value) == "":
        if status is ProgressStatus.NOT_STARTED:
            return 0.0, None
        if status is ProgressStatus.COMPLETED:
            return 100.0, None
        return None, ("完成百分比为空", "the percent complete is empty")
    if isinstance(value, bool):
        number = math.nan
    elif isinstance(value, int | float):
        number = float(value)
        if "%" in (getattr(c, "number_format", "") or ""):
            number *= 100  # 80% typed into a percentage cell is stored as 0.8
    else:
        text = _fold(value).removesuffix("%").strip()
        try:
            number = float(text)
        except ValueError:
            return None, (f"完成百分比「{_fold(value)}」不是数字", f"percent {_fold(value)!r} is not a number")
    if not math.isfinite(number):
        return None, (f"完成百分比「{_fold(value)}」不是数字", f"percent {_fold(value)!r} is not a number")
    if not 0 <= number <= 100:
        return None, (f"完成百分比{number:g}超出0-100", f"percent {number:g} is outside 0-100")
    return round(number, 2), None


_ESCAPED_CONTROL = re.compile(r"_x(00[01][0-9A-Fa-f])_")


def _text(value: object) -> str:
    """Cell text as typed: ``_x000D_`` (how Excel and WPS store a carriage return) and CR LF become LF."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = _ESCAPED_CONTROL.sub(lambda m: chr(int(m.group(1), 16)), str(value))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


__all__ = [
    "RefusedRow",
    "ReportRow",
    "TemplateError",
    "TemplateProblem",
    "TemplateRows",
    "read_template",
    "read_template_rows",
]
