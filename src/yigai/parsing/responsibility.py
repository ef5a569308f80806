"""Responsibility clauses: （牵头部门：A、B；配合部门：C等）, 〔责任单位：…〕 and table cells."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yigai.domain.plan import Deadline, DepartmentRef, Responsibility
from yigai.parsing.deadlines import parse_deadline
from yigai.parsing.departments import DepartmentDirectory, split_names
from yigai.parsing.normalize import NormalizedText

LEAD_ROLES = ("牵头部门", "牵头单位", "责任单位", "责任部门", "主责部门", "主办单位", "牵头")
COOP_ROLES = ("配合部门", "配合单位", "协同部门", "协办单位", "参与部门", "参与单位", "配合")
DEADLINE_ROLES = ("完成时限", "完成时间", "时间节点", "时限要求", "完成期限")
_ROLE_RE = re.compile("(" + "|".join(LEAD_ROLES + COOP_ROLES + DEADLINE_ROLES) + r")\s*[:：]")
_OPEN_RE = re.compile(r"[(〔\[【]\s*(?=(?:" + "|".join(LEAD_ROLES) + r")\s*[:：])")
_BARE_RE = re.compile(r"(?:^|(?<=[。;]))\s*(?=(?:" + "|".join(LEAD_ROLES) + r")\s*[:：])")
_CLOSE = {"(": ")", "〔": "〕", "[": "]", "【": "】"}


@dataclass(slots=True)
class Clause:
    """A responsibility clause found in a paragraph (offsets in normalised text)."""

    start: int
    end: int
    responsibility: Responsibility
    closed: bool = True
    unknown: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    deadline: Deadline | None = None  # （…；完成时限：2023年12月）


def build_refs(
    text: str, base: int, norm: NormalizedText, directory: DepartmentDirectory, region: str
) -> tuple[list[DepartmentRef], bool, list[str], list[str]]:
    """Department list text at normalised offset ``base`` → refs, 等 flag, unknown and truncated names."""
    pieces, and_others = split_names(text, directory, region)
    refs: list[DepartmentRef] = []
    unknown: list[str] = []
    truncated: list[str] = []
    seen: set[str] = set()
    for piece in pieces:
        res = directory.resolve(piece.raw, region)
        if not res.known:
            unknown.append(piece.raw)
        if res.truncated:
            truncated.append(piece.raw)
        if res.name in seen:
            continue
        seen.add(res.name)
        refs.append(
            DepartmentRef(
                name=res.name,
                raw=piece.raw,
                kind=res.kind,
                known=res.known,
                span=norm.span(base + piece.start, base + piece.end),
            )
        )
    return refs, and_others, unknown, truncated


def _matching_close(text: str, start: int) -> int | None:
    """Index of the bracket closing the one at ``start`` (nesting aware)."""
    opener = text[start]
    closer = _CLOSE[opener]
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch in "(〔[【":
            depth += 1
        elif ch in ")〕]】":
            depth -= 1
            if depth == 0:
                return i if ch == closer or depth == 0 else None
        elif ch == "\n":
            return None
    return None


def parse_clause_body(
    body: str, base: int, norm: NormalizedText, directory: DepartmentDirectory, region: str
) -> Clause:
    """``牵头部门:A、B;配合部门:C等`` → Clause (start/end set by the caller)."""
    resp = Responsibility(raw=body)
    clause = Clause(base, base + len(body), resp)
    roles = list(_ROLE_RE.finditer(body))
    for idx, m in enumerate(roles):
        seg_end = roles[idx + 1].start() if idx + 1 < len(roles) else len(body)
        seg = body[m.end() : seg_end]
        if m.group(1) in DEADLINE_ROLES:
            clause.deadline = parse_deadline(seg.strip(" ;；,，。"))
            clause.deadline.span = norm.span(base + m.start(), base + seg_end)
            continue
        refs, others, unknown, truncated = build_refs(seg, base + m.end(), norm, directory, region)
        clause.unknown += unknown
        clause.truncated += truncated
        if m.group(1) in COOP_ROLES:
            resp.cooperating += refs
            resp.cooperating_and_others |= others
        else:
            resp.lead += refs
            resp.lead_and_others |= others
    return clause


def find_clauses(
    text: str, offset: int, norm: NormalizedText, directory: DepartmentDirectory, region: str = ""
) -> list[Clause]:
    """Responsibility clauses in ``text`` (a slice of norm.text starting at ``offset``)."""
    clauses: list[Clause] = []
    pos = 0
    while True:
        m = _OPEN_RE.search(text, pos)
        if not m:
            break
        close = _matching_close(text, m.start())
        end = close if close is not None else len(text)
        body = text[m.end() : end]
        clause = parse_clause_body(body, offset + m.end(), norm, directory, region)
        clause.start = offset + m.start()
        clause.end = offset + (end + 1 if close is not None else end)
        clause.closed = close is not None
        clause.responsibility.span = norm.span(clause.start, clause.end)
        clauses.append(clause)
        pos = end + 1
    if not clauses:
        m = _BARE_RE.search(text)
        if m:
            body_end = text.find("。", m.end())
            end = len(text) if body_end < 0 else body_end
            clause = parse_clause_body(text[m.end() : end], offset + m.end(), norm, directory, region)
            clause.start, clause.end = offset + m.end(), offset + end
            clause.responsibility.span = norm.span(clause.start, clause.end)
            clauses.append(clause)
    return clauses


def merge(into: Responsibility, other: Responsibility) -> None:
    """Add another clause's departments (a task with its clause split over paragraphs)."""
    names = {d.name for d in into.lead}
    into.lead += [d for d in other.lead if d.name not in names]
    names = {d.name for d in into.cooperating}
    into.cooperating += [d for d in other.cooperating if d.name not in names]
    into.lead_and_others |= other.lead_and_others
    into.cooperating_and_others |= other.cooperating_and_others
    into.raw = (into.raw + ";" + other.raw).strip(";")
    if into.span is None:
        into.span = other.span
