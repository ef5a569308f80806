"""Paragraphs, the section tree and which items are tasks.

Rules are for the genre, not for particular files:
- numbered items carrying responsibility clauses are tasks, and so are their
  numbered siblings;
- otherwise tasks are the numbered items with a lead phrase inside the task
  part of the plan (the section titled 主要任务/重点任务 …, or the whole body
  minus preamble sections such as 指导思想, 保障措施);
- otherwise tasks are the lead-phrase paragraphs (bold, or a short first
  sentence) of the task part.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from yigai.domain.plan import Section
from yigai.parsing.markers import Marker, MarkerType, match_marker
from yigai.parsing.normalize import NormalizedText

TASK_SECTION_RE = re.compile(
    r"主要任务|重点任务|工作任务|主要措施|重点工作|任务措施|工作重点|重点举措|重点改革任务|具体任务|"
    r"[^保障]{2}措施$"  # 防控措施, 工作措施 (not 保障措施)
)
NON_TASK_RE = re.compile(
    r"指导思想|基本原则|总体要求|总体目标|发展目标|主要目标|工作目标|目标任务$|保障措施|组织实施|组织保障|组织领导|"
    r"发展基础|改革发展基础|现状|面临形势|形势|发展环境|工作基础|回顾|背景|实施步骤|工作步骤|进度安排|"
    r"保障要素|保障机制|工作要求|实施保障"
)
# A top-level section that lists each department's duties (四、职责分工): its items are tasks too.
DUTY_SECTION_RE = re.compile(r"职责分工$|任务分工$|部门职责$|工作职责$|职责$")
# An item that opens by naming the body that acts: "(二)卫生部门：负责…", "(三)各县(区)政府要…"
_ACTOR_OPENING_RE = re.compile(r"^[^,，;；。]{2,24}?(?:[:：]|要|负责|牵头|应当|应)")
_LEAD_MAX = 40
_LEAD_MIN = 4


@dataclass(slots=True)
class Para:
    idx: int
    text: str
    start: int  # normalised offsets
    end: int
    marker: Marker | None = None
    is_table: bool = False
    level: int = 0
    section: Section | None = None
    parent: Section | None = None
    lead_len: int = 0  # length of the lead phrase (without its 。), 0 when none
    closes: int = 0  # level of the section a closing clause line speaks for ("牵头单位：X" after its items)
    bold: bool = False  # the paragraph opens in bold

    @property
    def body(self) -> str:
        """Text after the marker."""
        return self.text[self.marker.length :] if self.marker else self.text

    @property
    def body_start(self) -> int:
        return self.start + (self.marker.length if self.marker else 0)


@dataclass(slots=True)
class Layout:
    paras: list[Para]
    sections: list[Section]  # roots
    appendix_start: int  # index of the first appendix paragraph (len(paras) if none)
    body_start: int  # normalised offset of the first heading
    tables: list[list[Para]] = field(default_factory=list)


def split_paragraphs(norm: NormalizedText) -> list[Para]:
    paras: list[Para] = []
    pos = 0
    for line in norm.text.split("\n"):
        if line.strip():
            is_table = "\t" in line or "|" in line
            marker = None if is_table else match_marker(line)
            paras.append(Para(len(paras), line, pos, pos + len(line), marker, is_table))
        pos += len(line) + 1
    for i, p in enumerate(paras):  # a cell broken out of a pipe table ("九、…" then "|")
        if (
            not p.is_table
            and 0 < i < len(paras) - 1
            and paras[i - 1].is_table
            and paras[i + 1].text.lstrip().startswith("|")
            and len(p.text) < 80
        ):
            p.is_table, p.marker = True, None
    for i, p in enumerate(paras):
        p.idx = i
    return paras


def lead_length(text: str, bold_at_start: bool) -> int:
    """Length of a lead phrase ("推进公立医院高质量发展。…", "基础条件建设：有…"), or 0."""
    stop = text.find("。")
    colon = re.match(r"[^,，;；:：。]{4,20}[:：](?=\S)", text)
    if colon and (stop < 0 or colon.end() < stop):
        return colon.end() - 1
    if stop < 0:
        return 0
    lead = text[:stop]
    if bold_at_start and stop <= 60:
        return stop
    if _LEAD_MIN <= len(lead) <= _LEAD_MAX and not re.search(r"[,，;；:：]", lead) and stop + 1 < len(text):
        return stop
    return 0


def _title(p: Para) -> str:
    body = p.body
    if p.lead_len:
        return body[: p.lead_len]
    return body if len(body) <= 60 else body[:60]


def build_layout(norm: NormalizedText) -> Layout:
    paras = split_paragraphs(norm)
    roots: list[Section] = []
    stack: list[tuple[MarkerType, Section]] = []
    appendix_start = len(paras)
    seen_heading = False
    body_start = len(norm.text)
    counter = 0
    for p in paras:
        if p.is_table:
            continue
        if seen_heading and re.match(r"附\s*件|附表", p.text):
            appendix_start = p.idx
            break
        bold = norm.is_bold(p.body_start, p.body_start + 1) if p.body else False
        p.lead_len = lead_length(p.body, bold)
        p.bold = bold
        if p.marker is None:
            p.parent = stack[-1][1] if stack else None
            continue
        if not seen_heading:
            seen_heading = True
            body_start = p.start
        mtype = p.marker.type
        if any(t == mtype for t, _ in stack):
            while stack and stack[-1][0] != mtype:
                stack.pop()
            stack.pop()
        counter += 1
        title_end = p.body_start + len(_title(p))
        section = Section(
            id=f"S{counter}",
            level=len(stack) + 1,
            marker=p.marker.text,
            number=p.marker.number,
            title=_title(p),
            span=norm.span(p.body_start, title_end),
        )
        p.parent = stack[-1][1] if stack else None
        (p.parent.children if p.parent else roots).append(section)
        p.section, p.level = section, section.level
        stack.append((mtype, section))
    tables: list[list[Para]] = []
    for p in paras:
        if p.is_table:
            if tables and tables[-1][-1].idx == p.idx - 1:
                tables[-1].append(p)
            else:
                tables.append([p])
    return Layout(paras, roots, appendix_start, body_start, tables)


def extent(layout: Layout, p: Para) -> list[Para]:
    """``p`` and the paragraphs after it up to the next heading of its level or higher."""
    out = [p]
    for q in layout.paras[p.idx + 1 : layout.appendix_start]:
        if q.is_table:
            break
        if q.marker is not None and q.level <= p.level:
            break
        if q.closes and q.closes < p.level:
            break  # the closing clause of the section that holds p
        out.append(q)
    return out


def ancestors(layout: Layout, section: Section | None) -> list[Section]:
    """Sections enclosing ``section`` (outermost first), found through the tree."""

    def walk(nodes: list[Section], path: list[Section]) -> list[Section] | None:
        for node in nodes:
            if node is section:
                return path
            found = walk(node.children, path + [node])
            if found is not None:
                return found
        return None

    return walk(layout.sections, []) or [] if section else []


def _in_sections(layout: Layout, heads: list[Para]) -> list[Para]:
    out: list[Para] = []
    for h in heads:
        out += extent(layout, h)
    return out


def _task_heads(layout: Layout, body: list[Para]) -> list[Para]:
    return [
        p
        for p in body
        if p.marker
        and p.section
        and len(p.section.title) <= 30
        and not NON_TASK_RE.search(p.section.title)
        and (TASK_SECTION_RE.search(p.section.title) or (p.level == 1 and DUTY_SECTION_RE.search(p.section.title)))
    ]


def has_task_part(layout: Layout) -> bool:
    """The body has a section of tasks (主要任务, 重点工作, 职责分工 …)."""
    return bool(_task_heads(layout, [p for p in layout.paras[: layout.appendix_start] if not p.is_table]))


def task_part(layout: Layout) -> list[Para]:
    """Paragraphs of the task part of the plan."""
    body = [p for p in layout.paras[: layout.appendix_start] if not p.is_table and p.start >= layout.body_start]
    heads = _task_heads(layout, body)
    if heads:
        top = min(h.level for h in heads)
        return _in_sections(layout, [h for h in heads if h.level == top])
    excluded = {
        q.idx for h in body if h.marker and h.section and NON_TASK_RE.search(h.section.title) for q in extent(layout, h)
    }
    return [p for p in body if p.idx not in excluded]


def _in_preamble(layout: Layout, p: Para) -> bool:
    """Inside a top-level section such as 保障措施 or 指导思想 (see NON_TASK_RE)."""
    section = p.parent
    top = ancestors(layout, section) + ([section] if section else [])
    return bool(top) and NON_TASK_RE.search(top[0].title) is not None


def _outside_preamble(layout: Layout, paras: list[Para]) -> list[Para]:
    return [p for p in paras if not _in_preamble(layout, p)]


def own_paras(layout: Layout, p: Para) -> list[Para]:
    """``p`` and the unnumbered paragraphs after it, up to the next numbered item of any level."""
    out = [p]
    for q in layout.paras[p.idx + 1 : layout.appendix_start]:
        if q.is_table or q.marker is not None or (q.closes and q.closes < p.level):
            break
        out.append(q)
    return out


def choose_tasks(layout: Layout, has_clause: dict[int, bool]) -> list[Para]:
    """The paragraphs that open tasks (see the module docstring).

    With clauses, a task is the innermost numbered item that carries one (a document may
    assign at 1. under one heading and at (1) under another), together with its numbered
    siblings that carry none and hold no such item either.
    """
    items = [
        p for p in layout.paras[: layout.appendix_start] if p.marker and not p.is_table and p.start >= layout.body_start
    ]
    with_clause = [p for p in items if has_clause.get(p.idx)]
    outside = _outside_preamble(layout, with_clause)
    if outside:  # 保障措施 items that carry clauses too are not the plan's tasks
        with_clause = outside
        items = [p for p in items if p in outside or not _in_preamble(layout, p)]
    if with_clause:
        inner: dict[int, bool] = {p.idx: False for p in items}
        open_items: list[Para] = []  # the items whose extent the walk is in, outermost first
        for p in layout.paras[: layout.appendix_start]:
            if p.is_table:
                open_items.clear()
                continue
            if p.closes:
                open_items = [q for q in open_items if q.level <= p.closes]
            if p.marker is None:
                continue
            open_items = [q for q in open_items if q.level < p.level]
            if has_clause.get(p.idx):
                for q in open_items:
                    inner[q.idx] = True  # holds an item that carries a clause
            open_items.append(p)
        deepest = [p for p in with_clause if not inner[p.idx]]
        groups = {(id(p.parent), p.marker.type) for p in deepest if p.marker}
        return [p for p in items if p.marker and (id(p.parent), p.marker.type) in groups and not inner[p.idx]]
    part = task_part(layout)
    # "1.建立双向转诊制度。完善…" and "1.建立双向转诊制度。" on its own line with its text below
    duty_part = {
        q.idx
        for h in part
        if h.marker and h.section and h.level == 1 and DUTY_SECTION_RE.search(h.section.title)
        for q in extent(layout, h)
    }
    with_body = [
        p
        for p in part
        if p.marker and (p.lead_len or _titled(layout, p) or (p.idx in duty_part and _ACTOR_OPENING_RE.match(p.body)))
    ]
    if with_body:
        mtype = Counter(p.marker.type for p in with_body if p.marker).most_common(1)[0][0]
        return [p for p in with_body if p.marker and p.marker.type == mtype]
    return [p for p in part if p.marker is None and p.lead_len]


def _titled(layout: Layout, p: Para) -> bool:
    """A numbered item that is only a title, with its text in plain paragraphs below it."""
    if p.marker is None:
        return False
    title = p.body.rstrip("。")
    if not (4 <= len(title) <= _LEAD_MAX) or re.search(r"[;；:：。]", title):
        return False
    below = extent(layout, p)[1:]
    if not below:
        return False
    leads = sum(1 for q in below if q.marker is None and q.lead_len)
    return leads < 2 or leads * 2 < len(below)  # paragraphs that open with lead phrases are the tasks


_ANNEX_HEAD_RE = re.compile(r"附\s*件\s*\d")
_FORM_RE = re.compile(r"(?:申请|申报|登记|审批|审核|报名|备案|信息|调查|推荐)表|回执|花名册")


def annex_text(layout: Layout) -> list[Para]:
    """The annexes' paragraphs that may state targets: not the forms to fill in (申请表, 登记表, 回执 …)."""
    out: list[Para] = []
    form = False
    paras = [p for p in layout.paras[layout.appendix_start :] if not p.is_table]
    for k, p in enumerate(paras):
        if _ANNEX_HEAD_RE.match(p.text):
            form = _FORM_RE.search("".join(q.text for q in paras[k : k + 3])[:80]) is not None
        if not form:
            out.append(p)
    return out
