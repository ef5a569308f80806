"""Export a plan to XLSX in the layout reform offices already circulate.

Sheets: 任务清单 (one row per measure, or per task when it has none), 指标目标
(targets) and, when the plan has them, 项目清单 (appendix projects). Text that a
spreadsheet would run as a formula is escaped; the file is written to a
temporary name and renamed, so a failed export never leaves half a workbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from yigai.domain.formatting import escape_formula
from yigai.domain.plan import (
    Category,
    Comparator,
    Deadline,
    DeadlineKind,
    Measure,
    PlanDraft,
    Project,
    Responsibility,
    Target,
    Task,
)
from yigai.reports.atomic import write_atomically
from yigai.reports.xlsx_style import filter_and_freeze, set_width, style_header

# Sheet titles and column headers are data the users read: kept here, in Chinese.
TASK_SHEET = "任务清单"
TASK_HEADERS = ("序号", "主要任务", "具体措施", "牵头部门", "配合部门", "类别", "完成时间")
TASK_WIDTHS = (6, 30, 60, 24, 30, 10, 16)

TARGET_SHEET = "指标目标"
TARGET_HEADERS = (
    "指标名称",
    "统计口径",
    "属性",
    "比较",
    "目标值",
    "上限",
    "单位",
    "基期值",
    "到期",
    "所属任务",
    "原文",
)
TARGET_WIDTHS = (30, 14, 8, 6, 10, 10, 8, 10, 12, 30, 50)

PROJECT_SHEET = "项目清单"
PROJECT_HEADERS = ("序号", "分组", "项目内容", "牵头部门", "配合部门")
PROJECT_WIDTHS = (6, 24, 60, 24, 30)

DEADLINE_LABELS = {
    DeadlineKind.DATE: "",
    DeadlineKind.CONTINUOUS: "持续实施",
    DeadlineKind.BY_SCHEDULE: "按序时进度",
    DeadlineKind.BY_SUPERIORS: "按国家、省、市部署",
    DeadlineKind.ADJUST_AS_NEEDED: "适时调整",
    DeadlineKind.UNSPECIFIED: "",
}
COMPARATOR_LABELS = {Comparator.RANGE: "区间"}
LIST_SEPARATOR = "、"
AND_OTHERS = "等"

WRAPPED_HEADERS = {"主要任务", "具体措施", "牵头部门", "配合部门", "指标名称", "所属任务", "原文", "项目内容", "分组"}

Cell = str | int | float | dt.date | None


def departments_text(resp: Responsibility, role: str) -> str:
    refs = resp.lead if role == "lead" else resp.cooperating
    others = resp.lead_and_others if role == "lead" else resp.cooperating_and_others
    text = LIST_SEPARATOR.join(ref.name for ref in refs)
    return text + AND_OTHERS if text and others else text


def deadline_text(d: Deadline) -> str:
    if d.raw:
        return d.raw
    if d.date is not None:
        return d.date.isoformat()
    return DEADLINE_LABELS[d.kind]


def _categories(cats: Sequence[Category]) -> str:
    return LIST_SEPARATOR.join(c.value for c in cats)


def _numbered(no: str, text: str) -> str:
    if not no:
        return text
    return f"{no}. {text}" if no[-1].isdigit() else f"{no}{text}"


def task_rows(draft: PlanDraft) -> Iterable[tuple[Cell, ...]]:
    """One row per measure; a measure without its own departments, deadline or
    category inherits the task's, as in the printed tables."""
    row_no = 0
    for task in draft.tasks:
        main = _numbered(task.no, task.title or task.text)
        items: list[Measure | None] = [*task.measures] or [None]
        for measure in items:
            row_no += 1
            if measure is None:
                resp, deadline, cats, detail = task.responsibility, task.deadline, task.categories, task.text
            else:
                resp = task.responsibility if measure.responsibility.is_empty else measure.responsibility
                deadline = task.deadline if measure.deadline.kind is DeadlineKind.UNSPECIFIED else measure.deadline
                cats = measure.categories or task.categories
                detail = f"{measure.no} {measure.text}" if measure.no else measure.text
            yield (
                row_no,
                main,
                detail,
                departments_text(resp, "lead"),
                departments_text(resp, "cooperating"),
                _categories(cats),
                deadline_text(deadline),
            )


def target_rows(draft: PlanDraft) -> Iterable[tuple[Cell, ...]]:
    tasks: dict[str, Task] = {t.id: t for t in draft.tasks}

    def task_label(t: Target) -> str:
        task = tasks.get(t.task) if t.task else None
        return "" if task is None else _numbered(task.no, task.title)

    for t in draft.targets:
        comparator = "" if t.comparator is None else COMPARATOR_LABELS.get(t.comparator, t.comparator.value)
        yield (
            t.metric,
            t.scope,
            "" if t.attribute is None else t.attribute.value,
            comparator,
            t.value,
            t.value_high,
            t.unit,
            t.baseline,
            t.due,
            task_label(t),
            t.raw,
        )


def project_rows(projects: Sequence[Project]) -> Iterable[tuple[Cell, ...]]:
    for p in projects:
        yield (
            p.no,
            p.group,
            p.text,
            departments_text(p.responsibility, "lead"),
            departments_text(p.responsibility, "cooperating"),
        )


def _fill(ws: Worksheet, headers: Sequence[str], widths: Sequence[int], rows: Iterable[tuple[Cell, ...]]) -> None:
    ws.append(list(headers))
    for row in rows:
        ws.append([escape_formula(v) for v in row])
    for col, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        set_width(ws, col, width)
        style_header(ws.cell(row=1, column=col))
        wrap = header in WRAPPED_HEADERS
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.alignment = Alignment(vertical="top", wrap_text=wrap)
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    filter_and_freeze(ws, len(headers))


def build_workbook(draft: PlanDraft) -> Workbook:
    wb = Workbook()
    tasks = wb.active
    assert tasks is not None
    tasks.title = TASK_SHEET
    _fill(tasks, TASK_HEADERS, TASK_WIDTHS, task_rows(draft))
    _fill(wb.create_sheet(TARGET_SHEET), TARGET_HEADERS, TARGET_WIDTHS, target_rows(draft))
    if draft.projects:
        _fill(wb.create_sheet(PROJECT_SHEET), PROJECT_HEADERS, PROJECT_WIDTHS, project_rows(draft.projects))
    wb.properties.title = draft.meta.title or draft.source_name
    return wb


def write_plan_xlsx(draft: PlanDraft, path: Path) -> Path:
    """Write the workbook to ``path`` atomically (temporary file, then rename)."""
    return write_atomically(path, build_workbook(draft).save, what="workbook", what_zh=" Excel 文件")
