"""What the CLI prints: JSON, a readable text outline, and Rich tables.

Headers are bilingual (Chinese over English) because the CLI serves both the
reform office and the engineers who run it.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from yigai.domain.plan import Deadline, PlanDraft, Responsibility, Target, Task

if TYPE_CHECKING:  # the heavy modules load when a command runs (yigai --help stays fast)
    from rich.table import Table

    from yigai.services.plans import DepartmentLoad, ImportResult
    from yigai.storage.repository import PlanSummary


def print_json(data: Any) -> None:
    """JSON on stdout, Chinese unescaped; dates and enums as strings."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def summary_dict(s: PlanSummary) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "doc_number": s.doc_number,
        "issuer": s.issuer,
        "date": None if s.date is None else s.date.isoformat(),
        "region": s.region,
        "source_name": s.source_name,
        "imported_at": s.imported_at.isoformat(),
        **dataclasses.asdict(s.counts),
    }


def load_dict(d: DepartmentLoad) -> dict[str, Any]:
    return {**dataclasses.asdict(d), "lead": d.lead, "cooperating": d.cooperating}


def result_dict(r: ImportResult) -> dict[str, Any]:
    return {
        "status": r.status.value,
        "plan_id": r.plan_id,
        "source_name": r.source_name,
        "title": r.title,
        "doc_number": r.doc_number,
        "matched_by": r.matched_by,
        **dataclasses.asdict(r.counts),
    }


# ----------------------------------------------------------------- text outline


def _who(resp: Responsibility, deadline: Deadline | None) -> str:
    from yigai.reports.xlsx_export import deadline_text, departments_text

    parts = [f"牵头 lead: {departments_text(resp, 'lead') or '—'}"]
    if resp.cooperating:
        parts.append(f"配合 cooperating: {departments_text(resp, 'cooperating')}")
    when = "" if deadline is None else deadline_text(deadline)
    if when:
        parts.append(f"完成时间 due: {when}")
    return "；".join(parts)


def target_value(t: Target) -> str:
    """``≥ 80%``, ``≈ 7.48张``, ``range 4–5名``."""
    value = number(t.value) if t.value_high is None else f"{number(t.value)}–{number(t.value_high)}"
    comparator = "" if t.comparator is None else f"{t.comparator.value} "
    if t.unit == "1:x":  # a ratio: 医护比 1:1.2
        return f"{comparator}1:{value}"
    return f"{comparator}{value}{t.unit}"


def target_line(t: Target) -> str:
    bits = [f"{t.metric}: {target_value(t)}".rstrip(": ")]
    if t.due:
        bits.append(f"到期 due {t.due.isoformat()}")
    if t.scope:
        bits.append(f"口径 {t.scope}")
    if t.attribute:
        bits.append(t.attribute.value)
    if t.baseline is not None:
        bits.append(f"基期 baseline {number(t.baseline)}")
    if t.implicit:
        bits.append("隐含 implied by the words")
    return "，".join(bits)


def outline(draft: PlanDraft) -> str:
    """The plan as an indented, human-readable outline (``parse --format text``)."""
    m = draft.meta
    lines = [
        f"标题 title: {m.title}",
        f"文号 document number: {m.doc_number}",
        f"发文机关 issuer: {m.issuer}",
        f"日期 date: {m.date.isoformat() if m.date else ''}",
        f"地区 region: {m.region}",
        f"有效期至 valid until: {m.valid_until.isoformat() if m.valid_until else ''}",
        "",
        f"任务 tasks ({len(draft.tasks)})",
    ]
    for t in draft.tasks:
        lines.append(f"  {t.no} {t.title}".rstrip())
        lines.append(f"      {_who(t.responsibility, t.deadline)}")
        for meas in t.measures:
            lines.append(f"      {meas.no} {meas.text}")
            if not meas.responsibility.is_empty or meas.deadline.raw:
                lines.append(f"          {_who(meas.responsibility, meas.deadline)}")
    if draft.projects:
        lines += ["", f"项目 projects ({len(draft.projects)})"]
        for p in draft.projects:
            lines.append(f"  {p.no} [{p.group}] {p.text}")
            lines.append(f"      {_who(p.responsibility, None)}")
    lines += ["", f"指标 targets ({len(draft.targets)})"]
    lines += [f"  {target_line(t)}" for t in draft.targets]
    lines += ["", f"警告 warnings ({len(draft.warnings)})"]
    lines += [f"  [{w.code}] {w.message}" + (f" @{w.span.start}" if w.span else "") for w in draft.warnings]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- tables


def _table(title: str, columns: Sequence[tuple[str, str]]) -> Table:
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for header, justify in columns:
        # fold, not ellipsis: Chinese text has no spaces to wrap at, and nothing may be cut off;
        # numbers (right-aligned) never wrap, the text columns give way
        table.add_column(header, justify=justify, overflow="fold", no_wrap=justify == "right")  # type: ignore[arg-type]
    return table


COUNT_COLUMNS = [
    ("任务\ntasks", "right"),
    ("措施\nmeasures", "right"),
    ("部门\ndepts", "right"),
    ("指标\ntargets", "right"),
]


def plans_table(summaries: Iterable[PlanSummary], title: str = "计划 plans") -> Table:
    table = _table(
        title, [("编号\nid", "right"), ("标题\ntitle", "left"), ("文号\ndoc number", "left"), *COUNT_COLUMNS]
    )
    table.columns[2].no_wrap = True  # a 文号 broken across lines is unreadable
    for s in summaries:
        c = s.counts
        table.add_row(
            str(s.id), s.title, s.doc_number, str(c.tasks), str(c.measures), str(c.departments), str(c.targets)
        )
    return table


def meta_table(plan_id: int, draft: PlanDraft, summary: PlanSummary) -> Table:
    from rich.table import Table

    m, c = draft.meta, summary.counts
    table = Table(show_header=False, title=m.title or draft.source_name)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("编号 id", str(plan_id)),
        ("文号 document number", m.doc_number),
        ("发文机关 issuer", m.issuer),
        ("日期 date", m.date.isoformat() if m.date else ""),
        ("地区 region", m.region),
        ("类型 type", m.type.value),
        ("有效期至 valid until", m.valid_until.isoformat() if m.valid_until else ""),
        ("来源 source", f"{draft.source_name} ({draft.source_format})"),
        ("导入时间 imported", summary.imported_at.isoformat(sep=" ")),
        ("任务/措施 tasks/measures", f"{c.tasks} / {c.measures}"),
        ("部门 departments", str(c.departments)),
        ("指标 targets", str(c.targets)),
        ("项目 projects", str(c.projects)),
        ("解析警告 warnings", str(c.warnings)),
    ]
    for key, value in rows:
        table.add_row(key, value)
    return table


def tasks_table(tasks: Sequence[Task], title: str) -> Table:
    from yigai.reports.xlsx_export import deadline_text, departments_text

    table = _table(
        title,
        [
            ("序号\nno", "right"),
            ("任务 / 措施\ntask / measure", "left"),
            ("牵头\nlead", "left"),
            ("配合\ncooperating", "left"),
            ("完成时间\ndue", "left"),
        ],
    )
    for t in tasks:
        table.add_row(
            t.no,
            f"[bold]{t.title}[/]",
            departments_text(t.responsibility, "lead"),
            departments_text(t.responsibility, "cooperating"),
            deadline_text(t.deadline),
        )
        for meas in t.measures:
            table.add_row(
                "",
                f"  {meas.no} {meas.text}",
                departments_text(meas.responsibility, "lead"),
                departments_text(meas.responsibility, "cooperating"),
                deadline_text(meas.deadline),
            )
    return table


def targets_table(draft: PlanDraft) -> Table:
    tasks = {t.id: t for t in draft.tasks}
    table = _table(
        f"指标 targets ({len(draft.targets)})",
        [
            ("指标\nmetric", "left"),
            ("目标\ntarget", "left"),
            ("到期\ndue", "left"),
            ("口径\nscope", "left"),
            ("属性\nattribute", "left"),
            ("任务\ntask", "left"),
        ],
    )
    for t in draft.targets:
        task = tasks.get(t.task) if t.task else None
        table.add_row(
            t.metric,
            target_value(t),
            t.due.isoformat() if t.due else "",
            t.scope,
            t.attribute.value if t.attribute else "",
            f"{task.no} {task.title}" if task else "",
        )
    return table


def departments_table(loads: Sequence[DepartmentLoad], title: str) -> Table:
    table = _table(
        title,
        [
            ("部门\ndepartment", "left"),
            ("牵头\nlead", "right"),
            ("配合\ncooperating", "right"),
            ("牵头任务\nlead tasks", "right"),
            ("牵头措施\nlead measures", "right"),
            ("配合任务\ncoop. tasks", "right"),
            ("配合措施\ncoop. measures", "right"),
            ("项目 牵头/配合\nprojects", "right"),
        ],
    )
    for d in loads:
        name = d.name if d.kind == "department" else f"{d.name} [dim]({d.kind})[/]"
        table.add_row(
            name,
            str(d.lead),
            str(d.cooperating),
            str(d.lead_tasks),
            str(d.lead_measures),
            str(d.cooperating_tasks),
            str(d.cooperating_measures),
            f"{d.lead_projects}/{d.cooperating_projects}",
        )
    return table


STATUS_LABELS = {
    "imported": "已导入 imported",
    "already imported": "已存在 already imported",
    "replaced": "已替换 replaced",
}
SAME_DOC_NUMBER = "（同文号 same document number）"


def import_table(results: Sequence[ImportResult]) -> Table:
    table = _table(
        "导入结果 import",
        [
            ("文件\nfile", "left"),
            ("结果\nresult", "left"),
            ("编号\nid", "right"),
            ("文号\ndoc number", "left"),
            *COUNT_COLUMNS,
        ],
    )
    table.columns[3].no_wrap = True
    for r in results:
        c = r.counts
        status = STATUS_LABELS[r.status.value] + (SAME_DOC_NUMBER if r.matched_by == "doc_number" else "")
        table.add_row(
            r.source_name,
            status,
            str(r.plan_id),
            r.doc_number,
            str(c.tasks),
            str(c.measures),
            str(c.departments),
            str(c.targets),
        )
    return table
