"""Duty statements of a rules document (办法, 规定, 细则, 条例).

A rules document sets eligibility, standards and procedures; its work for departments is the
division of duties, written one statement per department in a section such as 组织与实施,
部门职责 or 加强部门协同: "财政部门负责医疗救助基金的筹集和拨付，并会同民政等相关部门…",
"区税务部门做好基本医保保费征缴相关工作。" — as 第X条 articles or as sentences of one paragraph.
Each statement that opens with the body that acts and a duty verb is a task led by that body;
会同 names the bodies it works with. A statement whose subject is the government at large
(各级政府应…) or that only says what ought to be (应, 要) is not a duty of a department.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from yigai.domain.plan import DepartmentRef, Responsibility, Task
from yigai.parsing.normalize import NormalizedText
from yigai.parsing.structure import Layout, Para, extent

# (text, its normalised start) → the departments it names, and whether the list ended with 等
RefsOf = Callable[[str, int | None], tuple[list[DepartmentRef], bool]]

RULES_TITLE_RE = re.compile(r"(?:办法|规定|细则|条例|规则|规程)(?:\((?:试行|暂行)\))?$")
_DUTY_HEAD_RE = re.compile(r"部门协同|协同配合|职责分工|部门职责|工作职责|部门分工|分工协作|组织与实施|组织实施")
_VERBS = (
    "负责",
    "牵头",
    "做好",
    "强化",
    "加强",
    "按规定",
    "按职责",
    "按照职责",
    "会同",
    "协助",
    "承担",
    "指导",
    "督促",
)
_ARTICLE_RE = re.compile(r"^第[一二三四五六七八九十百零〇]+条\s*")
_STATEMENT_RE = re.compile(r"^(?P<who>[^,，;；。:：“”《》]{2,24}?)(?P<verb>" + "|".join(_VERBS) + ")")
_WITH_RE = re.compile(
    r"会同(?P<who>[^,，;；。]{2,30}?)(?:等(?:相关|有关)?(?:部门|单位))?(?=[,，;；。]|加强|做好|开展|共同)"
)
_SENTENCE_RE = re.compile(r"[^。;；]+[。;；]?")
_PARTS_RE = re.compile(r"、|和|及")


@dataclass(slots=True)
class Duty:
    no: str  # 第二十三条, or "" for a sentence of a paragraph
    title: str
    text: str
    start: int  # normalised offset of the statement
    who: str
    who_start: int
    with_: str = ""
    with_start: int = 0


def _is_body_list(who: str, is_department: Callable[[str], bool]) -> bool:
    """ "财政部门", "审计、监察部门" (one suffix for the list), "区医保部门"."""
    parts = [p for p in _PARTS_RE.split(who) if p]
    if not parts or not is_department(parts[-1]):
        return False
    return all(is_department(p) or (len(p) <= 6 and not re.search(r"[的了在对把将]", p)) for p in parts[:-1])


def _heads(layout: Layout) -> list[Para]:
    body = layout.paras[: layout.appendix_start]
    return [p for p in body if p.marker and p.section and _DUTY_HEAD_RE.search(p.section.title)]


def duty_statements(layout: Layout, is_department: Callable[[str], bool]) -> list[Duty]:
    """The duty statements in the document's duty sections, in document order."""
    out: list[Duty] = []
    seen: set[int] = set()
    for head in _heads(layout):
        for p in extent(layout, head):
            if p.idx in seen or p.is_table:
                continue
            seen.add(p.idx)
            text, base = (p.body, p.body_start) if p is head else (p.text, p.start)
            if p is head:  # "(二)加强部门协同。区医保部门负责…": the heading's own sentence is its title
                title = head.section.title if head.section else ""
                at = text.find(title)
                if title and at >= 0:
                    cut = at + len(title)
                    cut += 1 if text[cut : cut + 1] in "。." else 0
                    text, base = text[cut:], base + cut
            for m in _SENTENCE_RE.finditer(text):
                sentence = m.group(0).strip()
                offset = base + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
                article = _ARTICLE_RE.match(sentence)
                no = article.group(0).strip() if article else ""
                if article:
                    sentence, offset = sentence[article.end() :], offset + article.end()
                s = _STATEMENT_RE.match(sentence)
                if s is None or not _is_body_list(s.group("who"), is_department):
                    continue
                stop = re.search(r"[,，;；。]", sentence)
                title = sentence[: stop.start()] if stop else sentence
                duty = Duty(no, title[:40], sentence.rstrip("。;；"), offset, s.group("who"), offset + s.start("who"))
                w = _WITH_RE.search(sentence)
                if w is not None:
                    duty.with_, duty.with_start = w.group("who"), offset + w.start("who")
                out.append(duty)
    return out


def to_tasks(found: list[Duty], norm: NormalizedText, refs_of: RefsOf) -> list[Task]:
    """One task per duty statement, led by the body that acts; 会同 gives the cooperating ones."""
    tasks: list[Task] = []
    for n, d in enumerate(found, 1):
        lead, lead_others = refs_of(d.who, d.who_start)
        coop, coop_others = refs_of(d.with_, d.with_start) if d.with_ else ([], False)
        resp = Responsibility(
            lead,
            coop,
            lead_others,
            coop_others,
            d.who + (f";{d.with_}" if d.with_ else ""),
            norm.span(d.who_start, d.who_start + len(d.who)),
        )
        task = Task(
            id=f"T{n}",
            no=d.no,
            path=[],
            section_id=None,
            title=d.title,
            text=d.text,
            responsibility=resp,
            span=norm.span(d.start, d.start + len(d.text)),
        )
        task.provenance["title"] = norm.span(d.start, d.start + len(d.title))
        if task.span is not None:
            task.provenance["text"] = task.span
        if resp.span is not None:
            task.provenance["responsibility"] = resp.span
        tasks.append(task)
    return tasks
