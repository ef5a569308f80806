"""Excel round trip for progress reports (进展填报模板): the layout and the writer.

``write_template`` writes, for one department and one reporting period, a workbook
prefilled with the items that department leads (a measure, or a task without
measures); ``yigai.reports.template_import.read_template`` reads the filled file back
and checks everything before the caller saves anything.

Layout of sheet 进展填报: row 1 the instructions, row 2 the headers, items from
row 3. Columns A-B (计划编号, 事项编号) identify the row and are hidden and
locked; only 进展状态 … 下步打算 can be edited. The hidden, locked column L
(预填版本, ``2026Q3:2``) says which report version the row was prefilled with, so
that an import can tell an untouched row from an edited one and a stale template
from a current one. Sheet 模板信息 holds the metadata.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from yigai import clock
from yigai.domain.errors import NotFoundError, YigaiError
from yigai.domain.formatting import runs_as_formula
from yigai.domain.periods import Period, parse_period
from yigai.domain.plan import DeadlineKind, Measure, PlanDraft, Task
from yigai.domain.reports import ProgressReport, ProgressStatus
from yigai.reports.atomic import write_atomically
from yigai.reports.xlsx_export import deadline_text
from yigai.reports.xlsx_style import BOLD, EDITABLE_FILL, WARNING_FONT, set_width, style_header

TEMPLATE_KIND = "yigai-progress-report"
TEMPLATE_VERSION = 1

DATA_SHEET = "进展填报"
META_SHEET = "模板信息"
INSTRUCTIONS_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3

# (key, header, width); the first two are the hidden identifying columns.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("plan_id", "计划编号", 10),
    ("item_id", "事项编号", 12),
    ("no", "序号", 6),
    ("task", "主要任务", 28),
    ("measure", "具体措施", 50),
    ("deadline", "完成时间", 14),
    ("status", "进展状态", 12),
    ("percent", "完成百分比", 12),
    ("narrative", "进展情况", 40),
    ("problems", "存在问题", 30),
    ("next_steps", "下步打算", 30),
    ("prefill", "预填版本", 12),
)
HEADERS = {key: header for key, header, _ in COLUMNS}
HIDDEN_KEYS = ("plan_id", "item_id", "prefill")
# Templates written before 预填版本 existed lack it; the reader then compares with the database.
OPTIONAL_KEYS = ("prefill",)
EDITABLE_KEYS = ("status", "percent", "narrative", "problems", "next_steps")
STATUS_LABELS = tuple(s.value for s in ProgressStatus)
INSTRUCTIONS = (
    "填报说明：只填写“进展状态”至“下步打算”各列。进展状态从下拉列表中选择（{statuses}）；"
    "完成百分比填 0-100 的数字；不要增删、改名或移动列，不要修改隐藏的编号列和“模板信息”工作表；"
    "某事项本期不报送的，将其“进展状态”至“下步打算”留空。预填的是最近一次报告：与本期当前版本相同的行、"
    "沿用上期内容而未改动的行都不会保存为新版本，导入结果会逐行列出。"
)

META_KEYS: tuple[tuple[str, str], ...] = (
    ("kind", "模板类型"),
    ("version", "模板版本"),
    ("plan_id", "计划编号"),
    ("title", "计划名称"),
    ("doc_number", "文号"),
    ("department", "填报部门"),
    ("period", "报告期"),
    ("period_label", "报告期名称"),
    ("generated", "生成时间"),
)
META_LABELS = dict(META_KEYS)


# Limits on what read_template opens: a template for a few hundred items is tens of KiB.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_DATA_ROWS = 10_000
LABEL_CHARS = 30


# ---------------------------------------------------------------------------- items


@dataclass(frozen=True, slots=True)
class TemplateItem:
    """What a department reports on: a measure, or a task without measures."""

    item_id: str
    task: Task
    measure: Measure | None
    lead: tuple[str, ...]

    @property
    def task_text(self) -> str:
        title = self.task.title or self.task.text
        no = self.task.no
        if not no:
            return title
        return f"{no}. {title}" if no[-1].isdigit() else f"{no}{title}"

    @property
    def detail(self) -> str:
        if self.measure is None:
            return self.task.text
        return f"{self.measure.no} {self.measure.text}" if self.measure.no else self.measure.text

    @property
    def label(self) -> str:
        """``T1.M3 谋划中长期医改规划…``: the code and the start of the title, to name a row in messages."""
        text = (self.measure.text if self.measure is not None else (self.task.title or self.task.text)).strip()
        short = text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"
        return f"{self.item_id} {short}".strip()

    @property
    def deadline(self) -> str:
        m = self.measure
        if m is not None and m.deadline.kind is not DeadlineKind.UNSPECIFIED:
            return deadline_text(m.deadline)
        return deadline_text(self.task.deadline)


def plan_items(draft: PlanDraft) -> list[TemplateItem]:
    """Every reportable item in plan order; a measure with no lead of its own has its task's."""
    out = []
    for task in draft.tasks:
        task_lead = tuple(dict.fromkeys(ref.name for ref in task.responsibility.lead))
        if not task.measures:
            out.append(TemplateItem(task.id, task, None, task_lead))
        for m in task.measures:
            own = tuple(dict.fromkeys(ref.name for ref in m.responsibility.lead))
            out.append(TemplateItem(m.id, task, m, own or task_lead))
    return out


def department_items(draft: PlanDraft, department: str) -> list[TemplateItem]:
    return [item for item in plan_items(draft) if department in item.lead]


# ---------------------------------------------------------------------------- writing


def set_text(cell: Any, value: object) -> None:
    """Store ``value``; text a spreadsheet would run as a formula (= + - @) stays text.

    Cells read back by an import keep their exact text: a quote prefix rather than ``escape_formula``'s apostrophe.
    """
    cell.value = value
    if runs_as_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True


def cell_text(text: str) -> str:
    """Line breaks as a spreadsheet keeps them (a browser sends CR LF, Excel stores LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def prefill_stamp(report: ProgressReport | None) -> str | None:
    """``2026Q3:2``: the period and version a row was prefilled with (None: nothing prefilled)."""
    return None if report is None else f"{report.period_id}:{report.version}"


def parse_prefill_stamp(text: str) -> tuple[str, int] | None:
    """``2026Q3:2`` → ("2026Q3", 2); anything else → None."""
    period_id, sep, version = text.partition(":")
    if not sep or not period_id or not version.removesuffix(".0").isdigit():
        return None
    return period_id, int(version.removesuffix(".0"))


def latest_reports(reports: Iterable[ProgressReport], period: Period) -> dict[str, ProgressReport]:
    """Per item, the newest version for ``period``, else for the latest earlier period.

    Drafts count (a department picks up where it left off); later periods are ignored.
    """
    best: dict[str, tuple[tuple[int, str, int], ProgressReport]] = {}
    for r in reports:
        if r.period_id == period.id:
            key = (1, r.period_id, r.version)
        else:
            try:
                p = parse_period(r.period_id)
            except YigaiError:
                continue
            if p.end >= period.end:
                continue
            key = (0, p.end.isoformat(), r.version)
        if r.item_id not in best or key > best[r.item_id][0]:
            best[r.item_id] = (key, r)
    return {item: pair[1] for item, pair in best.items()}


def build_template(
    draft: PlanDraft, plan_id: int, department: str, period: Period, existing: Sequence[ProgressReport] = ()
) -> Workbook:
    items = department_items(draft, department)
    if not items:
        raise NotFoundError(
            f"department {department!r} leads no task or measure of this plan",
            message_zh=f"部门「{department}」在本计划中没有牵头的任务或措施",
            where=department,
        )
    # an item has one report thread per period whichever of its lead departments writes it, so the row
    # shows the item's latest report (a co-lead's included): that is the version an edit must follow
    reports = [r for r in existing if r.plan_id == plan_id]
    prefill = latest_reports(reports, period)

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = DATA_SHEET
    _instructions(ws)
    for col, (_, header, width) in enumerate(COLUMNS, start=1):
        style_header(ws.cell(HEADER_ROW, col, header))
        set_width(ws, col, width)
    for key in HIDDEN_KEYS:
        ws.column_dimensions[column_letter(key)].hidden = True

    for n, item in enumerate(items, start=1):
        row = FIRST_DATA_ROW + n - 1
        r = prefill.get(item.item_id)
        values: dict[str, object] = {
            "plan_id": plan_id,
            "item_id": item.item_id,
            "no": n,
            "task": item.task_text,
            "measure": item.detail,
            "deadline": item.deadline,
            "status": r.status.value if r else None,
            "percent": r.percent if r else None,
            "narrative": r.narrative if r else None,
            "problems": r.problems if r else None,
            "next_steps": r.next_steps if r else None,
            "prefill": prefill_stamp(r),
        }
        for col, (key, _, _) in enumerate(COLUMNS, start=1):
            cell = ws.cell(row, col)
            value = values[key]
            set_text(cell, cell_text(value) if isinstance(value, str) and value else (value if value != "" else None))
            wrap = key in ("task", "measure", "narrative", "problems", "next_steps")
            cell.alignment = Alignment(vertical="top", wrap_text=wrap)
            if key in EDITABLE_KEYS:
                cell.protection = Protection(locked=False)
                cell.fill = EDITABLE_FILL
            if key == "percent":
                cell.number_format = "0.##"
    last = FIRST_DATA_ROW + len(items) - 1
    _validations(ws, last)
    ws.freeze_panes = f"{column_letter('task')}{FIRST_DATA_ROW}"  # headers and 序号 stay in view
    ws.protection = SheetProtection(
        sheet=True, formatRows=False, formatColumns=False, selectLockedCells=False, selectUnlockedCells=False
    )
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    meta = wb.create_sheet(META_SHEET)
    values_meta = {
        "kind": TEMPLATE_KIND,
        "version": TEMPLATE_VERSION,
        "plan_id": plan_id,
        "title": draft.meta.title or draft.source_name,
        "doc_number": draft.meta.doc_number,
        "department": department,
        "period": period.id,
        "period_label": period.label,
        "generated": clock.now().replace(tzinfo=None).isoformat(sep=" "),
    }
    for row, (key, label) in enumerate(META_KEYS, start=1):
        meta.cell(row, 1, label).font = BOLD
        set_text(meta.cell(row, 2), values_meta[key])
    meta.column_dimensions["A"].width = 14
    meta.column_dimensions["B"].width = 60
    meta.protection = SheetProtection(sheet=True)
    wb.properties.title = f"{department} {period.label} 进展填报"
    return wb


def _instructions(ws: Worksheet) -> None:
    cell = ws.cell(INSTRUCTIONS_ROW, 1, INSTRUCTIONS.format(statuses="/".join(STATUS_LABELS)))
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    cell.font = WARNING_FONT
    ws.merge_cells(start_row=INSTRUCTIONS_ROW, start_column=1, end_row=INSTRUCTIONS_ROW, end_column=len(COLUMNS))
    ws.row_dimensions[INSTRUCTIONS_ROW].height = 48


def _validations(ws: Worksheet, last_row: int) -> None:
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_LABELS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="进展状态",
        error="请从下拉列表中选择：" + "/".join(STATUS_LABELS),
    )
    percent = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成百分比",
        error="请填写 0-100 之间的数字",
    )
    for dv, key in ((status, "status"), (percent, "percent")):
        letter = column_letter(key)
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        ws.add_data_validation(dv)


def column_letter(key: str) -> str:
    return str(get_column_letter([c[0] for c in COLUMNS].index(key) + 1))


def write_template(
    draft: PlanDraft,
    plan_id: int,
    department: str,
    period: Period,
    path: str | os.PathLike[str],
    existing: Sequence[ProgressReport] = (),
) -> Path:
    """Write the department's template for ``period`` to ``path`` atomically; returns the path."""
    wb = build_template(draft, plan_id, department, period, existing)
    return write_atomically(path, wb.save, what="template", what_zh="填报模板")


__all__ = [
    "COLUMNS",
    "DATA_SHEET",
    "META_SHEET",
    "TEMPLATE_KIND",
    "TEMPLATE_VERSION",
    "TemplateItem",
    "cell_text",
    "column_letter",
    "department_items",
    "parse_prefill_stamp",
    "plan_items",
    "prefill_stamp",
    "write_template",
]
