"""Task tables of an annex that a web page flattened to one cell per line.

A 任务分解表 or 考核标准 with a responsibility column (项目 / 内容 / 评分标准 / 牵头科室) loses its
grid on a web page: every cell is a line, a cell that spans rows is printed once, and the
rows are not numbered. What survives is the order of the cells, so the rows are rebuilt
from it:

- the header is a run of column names that ends with (or contains) a responsibility column
  (牵头科室, 责任单位 …); a table whose columns name 指标/权重/标准值 lists indicators, not tasks;
- a row ends with its department cell: the lines that read as departments; the next line
  that does not opens the next row, and so does a 项目 label with its score ("综合评价（5分）",
  "三、项目服务推进（10分）") after a row that has content but no department;
- a 项目 (the label a row opens with) whose numbered items fall into two rows or more has a
  department cell per item or group of items: each item is a task and takes the cell of its
  row. A 项目 whose items all sit in one row is one task, its items being its measures. A label
  repeated where the table turns a page continues its 项目.

A row that names no department but says none is due (本年度无我委负责的指标) is not a task.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from yigai.domain.plan import DepartmentRef, Measure, Responsibility, Task
from yigai.parsing.markers import MarkerType, match_marker
from yigai.parsing.normalize import NormalizedText

# (cell text, its normalised start) → the departments it names, and whether the list ended with 等
RefsOf = Callable[[str, int | None], tuple[list[DepartmentRef], bool]]

_RESP_HEAD_RE = re.compile(r"^(?:牵头|责任|主责|主要责任|承办|主办|负责)(?:科室|单位|部门|处室|科室单位|单位部门)$")
_HEAD_CELLS = frozenset(
    (
        "项目",
        "项目名称",
        "类别",
        "内容",
        "考核内容",
        "工作内容",
        "年度工作目标",
        "工作目标",
        "目标",
        "目标任务",
        "评分标准",
        "考核办法",
        "考核标准",
        "评分办法",
        "计分办法",
        "考核要点",
        "项目得分",
        "自评得分",
        "得分",
        "分值",
        "分数",
        "工作任务",
        "重点任务",
        "主要任务",
        "任务",
        "任务内容",
        "具体措施",
        "工作措施",
        "主要措施",
        "措施",
        "完成时限",
        "时限",
        "时间节点",
        "完成时间",
        "序号",
        "备注",
        "责任人",
    )
)
_INDICATOR_HEAD_RE = re.compile(r"指标|权重|标准值|目标值|基线|基期")
_ANNEX_RE = re.compile(r"^附\s*(?:件|表)\s*\d")
_ITEM_RE = re.compile(r"^(\d{1,2})[.、．]\s*")
_SCORE_RE = re.compile(r"^[^。;；]{0,30}?\([^()]{0,14}?\d+(?:\.\d+)?\s*分\s*\)")
_NONE_RE = re.compile(r"^(?:本年度|本年|今年|当年)?无")
_NONE_DUE_RE = re.compile(r"无[^。,，;；]{0,6}负责")
_WORD_RE = re.compile(r"\W")


class Line:
    """One paragraph of the annex: its text and where it starts in the normalised text."""

    __slots__ = ("text", "start")

    def __init__(self, text: str, start: int) -> None:
        self.text, self.start = text, start

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(slots=True)
class AnnexTask:
    no: str
    title: str
    title_start: int
    text: str
    start: int
    end: int
    group: str
    departments: list[Line] = field(default_factory=list)
    measures: list[tuple[str, Line]] = field(default_factory=list)  # (number, line) of the items of a 项目 task


@dataclass(slots=True)
class _Row:
    content: list[Line] = field(default_factory=list)
    departments: list[Line] = field(default_factory=list)

    def items(self) -> list[int]:
        return [k for k, ln in enumerate(self.content) if _ITEM_RE.match(ln.text)]

    def label(self) -> list[Line]:
        """The lines before the first numbered item: the 项目 cell (all of it when nothing is numbered)."""
        items = self.items()
        if items:
            return self.content[: items[0]]
        first = self.content[:1]
        if len(self.content) > 1 and self.content[1].text.startswith("("):
            first.append(self.content[1])
        return first


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _header(lines: list[Line], k: int) -> tuple[int, int] | None:
    """The header around the responsibility column at ``k``: (first line, line after the header)."""
    a = k
    while a > 0 and _compact(lines[a - 1].text) in _HEAD_CELLS:
        a -= 1
    if a > 0 and a == k:  # the first column's name glued to the caption: "…考核标准(55分)项目"
        glued = next((h for h in _HEAD_CELLS if _compact(lines[a - 1].text).endswith(h)), None)
        if glued is None:
            return None
        a -= 1
    elif a > 0:
        prev = _compact(lines[a - 1].text)
        if any(prev.endswith(h) and len(prev) > len(h) for h in ("项目", "序号")):
            a -= 1
    b = k + 1
    while b < len(lines) and _compact(lines[b].text) in _HEAD_CELLS:
        b += 1
    names = [_compact(ln.text) for ln in lines[a:b]]
    if len(names) < 2 or any(_INDICATOR_HEAD_RE.search(n) for n in names):
        return None
    return a, b


def _rows(lines: list[Line], is_department: Callable[[str], bool]) -> list[_Row]:
    head = {
        _compact(ln.text) for ln in lines if _compact(ln.text) in _HEAD_CELLS or _RESP_HEAD_RE.match(_compact(ln.text))
    }
    rows: list[_Row] = [_Row()]
    for ln in lines:
        text = _compact(ln.text)
        row = rows[-1]
        if text in head and len(text) <= 6:
            continue  # the header printed again on a new page
        if row.departments and text.startswith("(") and text.endswith(")") and len(text) <= 12:
            last = row.departments[-1]  # 政法监督科 / （审批办）
            row.departments[-1] = Line(last.text + ln.text, last.start)
            continue
        if is_department(text) and not _NONE_RE.match(text) and (row.content or row.departments):
            row.departments.append(ln)
            continue
        opens = (marker := match_marker(text)) is not None and marker.type is MarkerType.CN
        labelled = opens or (_SCORE_RE.match(text) is not None and not _ITEM_RE.match(text))
        filled = bool(row.items()) or any(len(c.text) >= 12 for c in row.content)
        if row.departments or (labelled and filled):
            rows.append(row := _Row())
        row.content.append(ln)
    return [r for r in rows if r.content]


def _key(lines: list[Line]) -> str:
    return _WORD_RE.sub("", "".join(ln.text for ln in lines))


def _strip_marker(text: str) -> tuple[str, str]:
    m = match_marker(text)
    if m is not None and m.type in (MarkerType.CN, MarkerType.NUM):
        return text[: m.length].rstrip("、.．"), text[m.length :].lstrip()
    return "", text


def _title(text: str) -> str:
    stop = min((i for i in (text.find("。"), text.find(";"), text.find("；")) if i > 0), default=-1)
    return text[:stop] if 0 < stop <= 60 else text[:60]


def _tasks_of_group(rows: list[_Row], repeated: set[str]) -> list[AnnexTask]:
    label = rows[0].label()
    with_items = [r for r in rows if r.items()]
    group_no, group_title = _strip_marker("".join(ln.text for ln in label)) if label else ("", "")
    if (m := _SCORE_RE.match(group_title)) is not None:
        group_title = m.group(0)
    if len(with_items) >= 2 or (with_items and not label):
        out: list[AnnexTask] = []
        for row in with_items:
            idx = row.items()
            for n, k in enumerate(idx):
                stop = idx[n + 1] if n + 1 < len(idx) else len(row.content)
                own = [row.content[k]] + [c for c in row.content[k + 1 : stop] if _compact(c.text) not in repeated]
                no, body = _strip_marker(own[0].text)
                text = body
                for c in own[1:]:  # a cell the page broke into lines: 提升 / 12345 / 便民热线…
                    text += c.text if text[-1:] not in "。;；!?" else "\n" + c.text
                out.append(
                    AnnexTask(
                        no,
                        _title(text),
                        own[0].end - len(body),
                        text,
                        own[0].start,
                        own[-1].end,
                        group_title,
                        list(row.departments),
                    )
                )
        return out
    if not label:
        return []
    content = [c for r in rows for c in r.content]
    group_no, head = _strip_marker(label[0].text)
    title = head
    if len(label) == 2:  # the score on a line of its own: 政策争取 / （采用加分法，最高10分）…
        close = label[1].text.find(")")
        title = head + label[1].text[: close + 1]
    departments = [d for r in rows for d in r.departments]
    if not departments and _NONE_DUE_RE.search(_key(content)):
        return []  # 本年度无我委负责的指标
    score = _SCORE_RE.match(title)  # 资金争取（15分）争取省级…: the 项目 cell ends at its score
    task = AnnexTask(
        group_no,
        score.group(0) if score else _title(title),
        label[0].end - len(head),
        "\n".join(head if c is label[0] else c.text for c in content),
        content[0].start,
        content[-1].end,
        title,
        departments,
    )
    for r in rows:
        for k in r.items():
            task.measures.append((_strip_marker(r.content[k].text)[0], r.content[k]))
    return [task]


def read(lines: list[Line], is_department: Callable[[str], bool]) -> list[AnnexTask]:
    """The tasks of every flattened task table among ``lines`` (the paragraphs of the annexes)."""
    out: list[AnnexTask] = []
    k = 0
    while k < len(lines):
        if not _RESP_HEAD_RE.match(_compact(lines[k].text)):
            k += 1
            continue
        bounds = _header(lines, k)
        if bounds is None:
            k += 1
            continue
        end = next((j for j in range(bounds[1], len(lines)) if _ANNEX_RE.match(_compact(lines[j].text))), len(lines))
        body = lines[bounds[1] : end]
        counts = Counter(_compact(ln.text) for ln in body)
        repeated = {t for t, c in counts.items() if c >= 2 and len(t) >= 8}
        rows = _rows(body, is_department)
        groups: list[list[_Row]] = []
        for row in rows:
            label, idx = row.label(), row.items()
            first = _ITEM_RE.match(row.content[idx[0]].text) if idx else None
            first_no = int(first.group(1)) if first else None
            same = bool(groups) and bool(label) and _key(label) == _key(groups[-1][0].label())
            cont = bool(groups) and not label and first_no is not None and first_no > 1
            if groups and (same or cont) and groups[-1][0].items():
                groups[-1].append(row)
            else:
                groups.append([row])
        for group in groups:
            out += _tasks_of_group(group, repeated)
        k = end
    return out


def to_tasks(found: list[AnnexTask], norm: NormalizedText, refs_of: RefsOf, *, first_is_lead: bool) -> list[Task]:
    """The plan's tasks from the table's rows; with "排序第一位为牵头" the first unit leads."""
    tasks: list[Task] = []
    for n, row in enumerate(found, 1):
        lead: list[DepartmentRef] = []
        others = False
        for ln in row.departments:
            refs, more = refs_of(ln.text, ln.start)
            lead, others = lead + refs, others or more
        resp = Responsibility(
            lead[:1] if first_is_lead else lead,
            lead[1:] if first_is_lead else [],
            others,
            False,
            "、".join(ln.text for ln in row.departments),
        )
        task = Task(
            id=f"T{n}",
            no=row.no,
            path=[row.group] if row.group else [],
            section_id=None,
            title=row.title,
            text=row.text,
            responsibility=resp,
            span=norm.span(row.start, row.end),
        )
        task.provenance["title"] = norm.span(row.title_start, row.title_start + len(row.title))
        if task.span is not None:
            task.provenance["text"] = task.span
        if row.departments:
            resp.span = task.provenance["responsibility"] = norm.span(row.departments[0].start, row.departments[-1].end)
        for k, (no, ln) in enumerate(row.measures, 1):
            task.measures.append(
                Measure(
                    f"{task.id}.M{k}",
                    no,
                    ln.text[len(no) + 1 :].lstrip(),
                    Responsibility(),
                    span=norm.span(ln.start, ln.end),
                )
            )
        tasks.append(task)
    return tasks
