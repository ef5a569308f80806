"""What a table means: indicator targets, a task/measure list, or a project list."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from yigai.domain.plan import Category, Comparator, Span, Target
from yigai.parsing.deadlines import FIVE_YEAR_PLANS, find_dates
from yigai.parsing.normalize import NormalizedText
from yigai.parsing.tables import Row, Table, compact
from yigai.parsing.targets import first_number, parse_attribute, parse_table_value, split_name_unit, targets_in_text

if TYPE_CHECKING:
    from yigai.domain.plan import Task
    from yigai.parsing.structure import Para


_TASK_HEADERS = (
    "重点任务",
    "主要任务",
    "工作任务",
    "任务内容",
    "工作内容",
    "重点工作",
    "工作措施",
    "主要内容",
    "改革任务",
    "任务",
)


class TableKind(StrEnum):
    INDICATORS = "indicators"
    TASKS = "tasks"
    PROJECTS = "projects"
    OTHER = "other"


def classify(table: Table) -> TableKind:
    if table.col("指标名称") is not None or (
        table.col("指标") is not None and table.col("目标", "年") is not None and table.col("牵头") is None
    ):
        return TableKind.INDICATORS
    if table.col("具体措施") is not None or (
        table.col("主要任务", "任务") is not None
        and table.col("牵头", "责任") is not None
        and table.col("完成时间", "完成时限", "类别") is not None
    ):
        return TableKind.TASKS
    if (
        table.col(*_TASK_HEADERS) is not None
        and table.col("牵头", "责任", "主责", "主办") is not None
        and table.col("项目") is None
        and not any("一级" in h or "二级" in h for h in table.header)
    ):
        return TableKind.TASKS  # 序号 | 重点任务 | 牵头单位 | 配合单位: a task list without a deadline column
    if table.col("牵头", "责任单位") is not None:
        return TableKind.PROJECTS
    return TableKind.OTHER


_ITEM_NO_RE = re.compile(r"^\s*(?:\(?(\d{1,3})\)?|([一二三四五六七八九十]{1,3}))\s*[、.．)]?\s*")
_GROUP_RE = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_CATEGORY_ONLY_RE = re.compile(r"(?:措施类|政策类|指标类)+")


def split_no(text: str) -> tuple[str, str]:
    """ "1. 完善…" → ("1", "完善…"); "(2) 谋划…" → ("(2)", "谋划…")."""
    m = _ITEM_NO_RE.match(text)
    if not m or not (m.group(1) or m.group(2)) or m.end() == len(text):
        return "", text.strip()
    no = m.group(0).strip().rstrip("、.．")
    return no, text[m.end() :].strip()


@dataclass(slots=True)
class CellText:
    text: str
    span: Span | None
    inherited: bool = False


@dataclass(slots=True)
class MeasureRow:
    task_no: str
    task_title: str
    no: str
    text: str
    span: Span
    lead: CellText
    cooperating: CellText
    categories: list[Category]
    category_span: Span | None
    deadline: CellText
    inherited: list[str] = field(default_factory=list)
    is_task: bool = False  # a task list without a 具体措施 column: each row is a task


def _cell(row: Row, col: int | None, norm: NormalizedText) -> CellText:
    if col is None or col >= len(row.cells):
        return CellText("", None)
    c = row.cells[col]
    return CellText(c.text, norm.span(c.start, c.end) if c.text else None)


def measure_rows(table: Table, norm: NormalizedText) -> list[MeasureRow]:
    """Rows of a task table; blank cells inherit from the row above within the same task."""
    c_task = table.col("主要任务", "任务", *_TASK_HEADERS)
    c_meas = table.col("具体措施", "措施")
    c_lead = table.col("牵头", "责任", "主责", "主办")
    c_coop = table.col("配合", "协同", "参与", "协办")
    c_cat = table.col("类别", "类型")
    c_due = table.col("完成时间", "完成时限", "时间", "时限")
    c_no = table.col("序号", "编号")
    rows_are_tasks = c_meas is None
    if rows_are_tasks:
        c_meas, c_task = c_task, None
    out: list[MeasureRow] = []
    task_no, task_title = "", ""
    prev: MeasureRow | None = None
    for row in table.rows:
        first = row.text(c_task) if c_task is not None else ""
        measure = _cell(row, c_meas, norm)
        filled = [c for c in row.cells if c.text]
        if first and not measure.text and len(filled) == 1 and _GROUP_RE.match(first):
            continue  # a group row such as 一、构建…
        if first:
            no, title = split_no(compact(first))
            if (no, title) != (task_no, task_title):
                task_no, task_title, prev = no, title, None
        if not measure.text:
            continue
        m_no, m_text = split_no(measure.text)
        if rows_are_tasks:
            if c_no is not None and row.text(c_no):
                m_no = compact(row.text(c_no))
            task_no, task_title, prev = m_no, m_text, None
        lead, coop, due = _cell(row, c_lead, norm), _cell(row, c_coop, norm), _cell(row, c_due, norm)
        cat = _cell(row, c_cat, norm)
        if not cat.text and _CATEGORY_ONLY_RE.fullmatch(due.text.replace(" ", "")):
            cat, due = due, CellText("", None)  # a category typed into the deadline column
        inherited: list[str] = []
        if prev is not None:
            for name, cur, old in (
                ("lead", lead, prev.lead),
                ("cooperating", coop, prev.cooperating),
                ("deadline", due, prev.deadline),
            ):
                if not cur.text and old.text:
                    cur.text, cur.span, cur.inherited = old.text, old.span, True
                    inherited.append(name)
        categories = [c for c in Category if c.value in cat.text.replace(" ", "")]
        cat_span = cat.span
        if not categories and prev is not None and prev.categories:
            categories, cat_span = list(prev.categories), prev.category_span
            inherited.append("category")
        mr = MeasureRow(
            task_no,
            task_title,
            m_no,
            m_text,
            norm.span(row.start, row.end),
            lead,
            coop,
            categories,
            cat_span,
            due,
            inherited,
            rows_are_tasks,
        )
        out.append(mr)
        prev = mr
    return out


@dataclass(slots=True)
class ProjectRow:
    no: str
    group: str
    text: str
    span: Span
    lead: CellText
    cooperating: CellText


def project_rows(table: Table, norm: NormalizedText) -> list[ProjectRow]:
    """Rows of a project list; lead/cooperating cells apply to the rows after them until refilled."""
    c_lead = table.col("牵头", "责任", "主责", "主办")
    c_coop = table.col("配合", "协同", "参与", "协办")
    c_item = next(
        (i for i in range(len(table.header)) if i not in (c_lead, c_coop) and "二级" in table.header[i]), None
    )
    c_group = next((i for i in range(len(table.header)) if "一级" in table.header[i]), None)
    out: list[ProjectRow] = []
    group = ""
    lead, coop = CellText("", None), CellText("", None)
    for row in table.rows:
        if c_group is not None and row.text(c_group):
            _, group = split_no(compact(row.text(c_group)))
        item_col = (
            c_item
            if c_item is not None
            else next((i for i, c in enumerate(row.cells) if c.text and i not in (c_lead, c_coop, c_group)), None)
        )
        if item_col is None or not row.text(item_col):
            continue
        no, text = split_no(row.text(item_col))
        cur_lead, cur_coop = _cell(row, c_lead, norm), _cell(row, c_coop, norm)
        if cur_lead.text:
            lead = cur_lead
            coop = cur_coop
        elif cur_coop.text:
            coop = cur_coop
        cell = row.cells[item_col]
        out.append(
            ProjectRow(
                no,
                group,
                text,
                norm.span(cell.start, cell.end),
                CellText(lead.text, lead.span, not cur_lead.text),
                CellText(coop.text, coop.span, not cur_coop.text),
            )
        )
    return out


def _due_from_header(header: str) -> tuple[str, int | None]:
    """ "“十三五”目标值" → due end of 2020; "2025年" → end of 2025."""
    for key, year in FIVE_YEAR_PLANS.items():
        if key in header:
            return str(year), year
    dates = find_dates(header)
    if dates:
        return str(dates[0].date.year), dates[0].date.year
    return "", None


def indicator_targets(table: Table, norm: NormalizedText) -> list[Target]:
    """Each row of an indicator table → a Target (with the observed value where a column gives one)."""
    c_name = table.col("指标名称", "指标")
    c_scope = table.col("统计口径", "口径")
    c_attr = table.col("属性", "类型")
    target_cols = [i for i, h in enumerate(table.header) if "目标" in h]
    year_cols = [i for i, h in enumerate(table.header) if re.search(r"\d{4}", h) and i not in target_cols]
    c_target = target_cols[0] if target_cols else (year_cols[-1] if year_cols else None)
    c_observed = year_cols[0] if target_cols and year_cols else None
    if c_name is None or c_target is None:
        return []
    _, due_year = _due_from_header(table.header[c_target])
    obs_period, _ = _due_from_header(table.header[c_observed]) if c_observed is not None else ("", None)
    out: list[Target] = []
    prev: Row | None = None
    for row in table.rows:
        name_cell = row.cells[c_name]
        value_text = row.text(c_target)
        others = [row.text(i) for i in range(len(row.cells)) if i != c_name and (c_scope is None or i != 0)]
        if prev is not None and not value_text and name_cell.text and not any(o for o in others if o != name_cell.text):
            # the row broke over a page: the name continues the previous row's name
            prev.cells[c_name].text += name_cell.text
            prev.cells[c_name].end = name_cell.end
            out[-1].metric, out[-1].unit = split_name_unit(prev.cells[c_name].text)
            continue
        if not value_text:
            continue
        if not name_cell.text and prev is not None:
            name_cell = prev.cells[c_name]
            row.inherited.add(c_name)
        else:
            prev = row
        metric, unit = split_name_unit(name_cell.text)
        comp, value, high, _label = parse_table_value(value_text)
        observed_raw = row.text(c_observed) if c_observed is not None else ""
        label = re.match(r"^([\u4e00-\u9fff]{2,6})\s*\d", compact(observed_raw))
        if label:
            metric = f"{metric}（{label.group(1)}）"
        vcell = row.cells[c_target]
        target = Target(
            raw="\t".join(c.text for c in row.cells),
            metric=metric,
            comparator=comp if value is not None else None,
            value=value,
            value_high=high,
            unit=unit,
            scope=compact(row.text(c_scope)) if c_scope is not None and row.text(c_scope) not in ("—", "-", "") else "",
            attribute=parse_attribute(row.text(c_attr)) if c_attr is not None else None,
            due=dt.date(int(due_year), 12, 31) if due_year else None,
            observed=first_number(observed_raw) if observed_raw else None,
            observed_raw=compact(observed_raw),
            observed_period=obs_period,
            source=f"table:{compact(table.caption)}" if table.caption else "table",
            span=norm.span(row.start, row.end),
            provenance={
                "metric": norm.span(name_cell.start, name_cell.end),
                "value": norm.span(vcell.start, vcell.end),
            },
        )
        if comp is Comparator.RANGE and high is None:
            target.comparator = Comparator.EQ
        out.append(target)
    return out


# --- rows rebuilt from a table flattened one cell per line ------------------------------------

_UNIT_CELL_RE = re.compile(
    r"^(?:%|‰|‱|岁|人|名|张|个|家|所|元|万元|亿元|分|日|天|次|小时|分钟|公里|平方米|台|项|1/10万|/10万|1/万|万人|万人次|人次|倍)$"
)
_VALUE_CELL_RE = re.compile(
    r"^[≥≤<>＞＜=约]?\s*\d+(?:\.\d+)?\s*(?:[-~—]\s*\d+(?:\.\d+)?)?\s*(?:%|‰|‱)?(?:左右|以上|以下|以内)?$"
)
_WORDED_TARGET_RE = re.compile(r"达到|保持|稳步|提升|提高|不低于|高于|低于|满意|水平|平均|逐步|持续")
_ROW_LABEL_RE = re.compile(r"^(?:\(?\d{1,2}\)?[.、．]?)\s*")


def flat_row_targets(
    lines: list[tuple[str, int]],
    norm: NormalizedText,
    due_year: int | None,
    sentence_targets: Callable[[str, int], list[Target]],
) -> list[Target]:
    """Targets of rows rebuilt from a one-cell-per-line table.

    A row with a unit cell and figures (指标 | 单位 | 2020年值 | 2025年目标值 | 性质) gives one
    target: the last figure of the row, the earlier ones being baselines and other places'
    values. A row whose cells are the pieces of a sentence ("1 | …控制在 | 9% | 以内。") is
    read as the sentence it is.
    """
    out: list[Target] = []
    for text, start in lines:
        cells = text.split("\t")
        label = _ROW_LABEL_RE.sub("", cells[0]).strip()
        rest = cells[1:]
        if not label and rest:
            label, rest = rest[0].strip(), rest[1:]
        unit_at = next((k for k, c in enumerate(rest) if _UNIT_CELL_RE.match(c.strip())), None)
        values = [
            (k, c)
            for k, c in enumerate(rest)
            if _VALUE_CELL_RE.match(c.strip().replace(" ", "")) and not re.fullmatch(r"(?:19|20)\d{2}", c.strip())
        ]
        sentence = "。" in text or re.search(r"(?:在|到|达|于|为|至|有)$", label) is not None
        if not values or len(label) < 2 or sentence:
            joined = "".join(_ROW_LABEL_RE.sub("", c) if n == 0 else c for n, c in enumerate(cells))
            out += sentence_targets(joined, start + (len(cells[0]) - len(_ROW_LABEL_RE.sub("", cells[0]))))
            continue
        k, cell = values[-1]
        if any(_WORDED_TARGET_RE.search(c) for c in rest[k + 1 :]):
            continue  # the target column says it in words (达到满意水平): the figure is a baseline
        comp, value, high, _label = parse_table_value(cell)
        if value is None:
            continue
        metric, unit = split_name_unit(label)
        if unit_at is not None and not unit:
            unit = rest[unit_at].strip()
        if not unit and re.search(r"%", cell):
            unit = "%"
        attr = next((parse_attribute(c) for c in rest if parse_attribute(c)), None)
        first = values[0][1] if len(values) > 1 else ""
        cell_start = start + len(cells[0]) + 1 + sum(len(c) + 1 for c in rest[:k])
        out.append(
            Target(
                raw=text.replace("\t", " "),
                metric=metric,
                comparator=comp,
                value=value,
                value_high=high,
                unit=unit.replace("/10万", "1/10万").replace("11/10万", "1/10万"),
                attribute=attr,
                due=dt.date(due_year, 12, 31) if due_year else None,
                observed=first_number(first) if first else None,
                observed_raw=compact(first),
                source="table",
                span=norm.span(start, start + len(text)),
                provenance={"value": norm.span(cell_start, cell_start + len(cell))},
            )
        )
    return out


def flat_block_targets(block: list[Para], paras: list[Para], norm: NormalizedText, tasks: list[Task]) -> list[Target]:
    """Targets of rows rebuilt from a one-cell-per-line table: the header is the first line when it
    is not a row, else the nearest header or caption above (a table split by group lines)."""
    rows = [p for p in block if re.match(r"\(?\d{1,2}\)?(?:[.、．]|\t|$)", p.text)]
    year = header_year(" ".join(p.text for p in block if p not in rows))
    if year is None:
        for p in reversed(paras[max(0, block[0].idx - 60) : block[0].idx]):
            if (p.is_table or len(p.text) <= 40) and (year := header_year(p.text)):
                break
    at = norm.span(block[0].start, block[0].end).start
    owner = next((t for t in tasks if t.span and t.span.start <= at < t.span.end), None)
    targets = flat_row_targets(
        [(p.text, p.start) for p in rows], norm, year, lambda text, start: targets_in_text(text, start, norm)
    )
    for target in targets:
        if target.due is None and year:
            target.due = dt.date(year, 12, 31)
        target.task = owner.id if owner else None
    return targets


def header_year(text: str) -> int | None:
    """The latest year a table's header or caption names ("2025年目标值", "“十四五”目标")."""
    years = [y for k, y in FIVE_YEAR_PLANS.items() if k in text] + [d.date.year for d in find_dates(text)]
    return max(years) if years else None


# ---- indicator tables glued into running text ---------------------------------------
# A page that lost every cell boundary: "序号指标名称2020年完成值2025年目标值责任单位养老方面1养老服务床位
# 总量（张）25783000区社会事业局2养老机构护理型床位占比（%）-60区社会事业局…". Each row is its number,
# the indicator's name with its unit in brackets, the baseline and the target written together, and
# the responsible body.
_GLUED_HEAD_RE = re.compile(
    r"指标(?:名称)?(?:(?P<base>\d{4})年)?(?:完成值|基期值|基线值|现状值|现状|基数)(?P<year>\d{4})年?(?:目标值|目标)"
)
_GLUED_UNIT_RE = re.compile(r"[(（](?P<unit>%|‰|1/10万|个|张|人|名|家|所|元|岁|天|次|台|项|床|万人|平方米)[)）]")
_GLUED_VALUES_RE = re.compile(r"[-—–/]?[\d.]+%?|[-—–/]")


def _plain_number(text: str) -> bool:
    """A number as a person writes it: no leading zero except 0 or 0.x, at most two decimals."""
    return re.fullmatch(r"(?:0|[1-9]\d*)(?:\.\d{1,2})?", text) is not None


def split_glued_values(digits: str, percent: bool) -> tuple[float | None, float] | None:
    """ "25783000" → (2578, 3000); "-60" → (None, 60); "6.2525" → (6.25, 25): the baseline and the target
    written together. The split keeps both numbers plain (no leading zero, at most two decimals),
    percentages at most 100, and baseline and target of the nearest magnitude."""
    digits = digits.rstrip("%")
    if digits[:1] in "-—–/":
        rest = digits[1:]
        return (None, float(rest)) if rest and _plain_number(rest) else None
    best: tuple[float, float, float] | None = None
    for k in range(1, len(digits)):
        a, b = digits[:k], digits[k:]
        if not (_plain_number(a) and _plain_number(b)):
            continue
        va, vb = float(a), float(b)
        if percent and (va > 100 or vb > 100):
            continue
        gap = abs(math.log((vb + 1) / (va + 1)))
        if best is None or gap < best[0]:
            best = (gap, va, vb)
    return (best[1], best[2]) if best else None


def glued_indicator_targets(text: str, start: int, norm: NormalizedText) -> list[Target]:
    """Targets of an indicator table whose cells a web page wrote without separators (see above)."""
    head = _GLUED_HEAD_RE.search(text)
    if head is None:
        return []
    year = int(head.group("year"))
    out: list[Target] = []
    pos, expected = head.end(), 1
    for m in _GLUED_UNIT_RE.finditer(text, head.end()):
        values = _GLUED_VALUES_RE.match(text, m.end())
        if values is None:
            break  # the table has ended
        before = text[pos : m.start()]
        at = next((before.find(str(n)) for n in (expected, 1) if before.find(str(n)) >= 0), -1)
        if at < 0:
            break
        number = expected if before.startswith(str(expected), at) else 1
        name = before[at + len(str(number)) :]
        if not 2 <= len(name) <= 40 or re.search(r"[。;；]", name):
            break
        split = split_glued_values(values.group(0), m.group("unit") == "%")
        pos, expected = values.end(), number + 1
        if split is None:
            continue
        baseline, value = split
        row_start, row_end = start + m.start() - len(name), start + values.end()
        out.append(
            Target(
                raw=text[m.start() - len(name) : values.end()],
                metric=name,
                comparator=Comparator.EQ,
                value=value,
                unit=m.group("unit"),
                baseline=baseline,
                baseline_year=int(head.group("base")) if head.group("base") else None,
                due=dt.date(year, 12, 31),
                source="table",
                span=norm.span(row_start, row_end),
                provenance={"value": norm.span(start + values.start(), start + values.end())},
            )
        )
    return out
