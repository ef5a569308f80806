"""Responsibility clauses: （牵头部门：A、B；配合部门：C等）, 〔责任单位：…〕 and table cells."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yigai.domain.plan import Deadline, DepartmentRef, Responsibility
from yigai.parsing.deadlines import parse_deadline
from yigai.parsing.departments import DepartmentDirectory, looks_like_department, split_names
from yigai.parsing.markers import match_marker
from yigai.parsing.normalize import NormalizedText


def _by_length(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


LEAD_ROLES = _by_length(
    (
        "牵头部门",
        "牵头单位",
        "牵头科室",
        "牵头处室",
        "责任单位",
        "责任部门",
        "责任科室",
        "责任处室",
        "主责部门",
        "主责单位",
        "主办单位",
        "主办部门",
        "主要负责单位",
        "主要负责部门",
        "负责单位",
        "负责部门",
        "实施单位",
        "承办单位",
        "牵头",
    )
)
COOP_ROLES = _by_length(
    (
        "配合部门",
        "配合单位",
        "配合科室",
        "协同部门",
        "协同单位",
        "协办单位",
        "协办部门",
        "参与部门",
        "参与单位",
        "协助单位",
        "配合",
    )
)
DEADLINE_ROLES = ("完成时限", "完成时间", "时间节点", "时限要求", "完成期限")
# Labels whose names are people or not departments: read past them, never as departments.
IGNORED_ROLES = ("责任领导", "分管领导", "牵头领导", "责任人", "联系人", "挂钩领导", "督办领导")
_ROLE_RE = re.compile("(" + "|".join(LEAD_ROLES + COOP_ROLES + DEADLINE_ROLES + IGNORED_ROLES) + r")\s*[:：]")
_ANY_ROLE = "|".join(LEAD_ROLES + IGNORED_ROLES)
_OPEN_RE = re.compile(r"[(〔\[【]\s*(?=(?:" + _ANY_ROLE + r")\s*[:：])")
_BARE_RE = re.compile(r"(?:^|(?<=[。;]))\s*(?=(?:" + "|".join(_by_length(LEAD_ROLES + COOP_ROLES)) + r")\s*[:：])")
_CLOSE = {"(": ")", "〔": "〕", "[": "]", "【": "】"}
_LEAD_MARK_RE = re.compile(r"\((?:牵头|主责|负责)\)")

# Statements without labels: "由A牵头，B、C配合", "A负责，B配合", "(A、B按职责分工负责)",
# "A牵头，B等部门按职责分工落实". The verb after a list of departments gives their role.
_LEAD_VERBS = _by_length(
    (
        "牵头负责",
        "牵头落实",
        "牵头抓总",
        "牵头组织",
        "牵头",
        "按职责分工负责",
        "按照职责分工负责",
        "分工负责",
        "按职责负责",
        "具体负责",
        "共同负责",
        "负责",
        "主责",
        "抓总",
    )
)
_COOP_VERBS = _by_length(
    (
        "积极配合",
        "协助配合",
        "协同配合",
        "配合",
        "参与",
        "协助",
        "协同",
        "协办",
        "予以协助",
        "予以配合",
    )
)
_SHARED_VERBS = _by_length(
    (
        "按职责分工落实",
        "按照职责分工落实",
        "按职责分工抓好落实",
        "按职责落实",
        "分工落实",
        "抓好落实",
        "共同落实",
        "按职责分工推进",
    )
)
_VERB_RE = re.compile("(" + "|".join(_by_length(_LEAD_VERBS + _COOP_VERBS + _SHARED_VERBS)) + ")")
_PART_SPLIT_RE = re.compile(r"[,，;；]")
# 负责人, 负责制, 牵头单位 are nouns; 负责制定 is a verb
_NOT_AFTER_VERB_RE = re.compile(r"人|同志|制(?!定|订)|的|单位|部门|科室|处室|领导")
_LIST_OPENER_RE = re.compile(r"由|邀请|会同|联合")
_SENTENCE_RE = re.compile(r"[^。;!?]+")
_BRACKET_OPEN_RE = re.compile(r"[(〔\[【]")
_DUTY_HINT_RE = re.compile(r"要|应|须|[:：]")
_DUTY_LINE_RE = re.compile(
    r"(?:^|——|—)\s*(?P<names>[^:：,，。;；—]{2,30}?)[:：]\s*(?P<verb>积极配合|配合|协助|参与|负责|牵头)"
)
_ORG_END_RE = re.compile(r"[局委办厅心院司门部科处站所会队府行团构关社室署街镇区台报校馆织组联](?:\)|）)?$")
_DUTY_RE = re.compile(
    r"^\s*(?:同时|此外|另外|[一二三四五六七八九十]是)?[,，]?(?P<names>[^,，;；:：]{2,60}?)"
    r"(?:对[^,，;；:：。]{1,16}?)?(?:要|应当|应|须|必须)(?P<coop>积极配合|配合|协助)?"
)
# "建立…组织部门牵头抓总、…部门具体负责…的责任体系": a system described, not a task assigned
_DESCRIBED_RE = re.compile(r"的(?:责任体系|工作格局|工作机制|责任制|体制|机制|格局|体系|制度)")


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
    inline: bool = False  # a statement inside the task's own sentences: kept in its text
    named_lead: bool = False  # a 牵头 label or verb named the lead explicitly
    responsible: list[str] = field(default_factory=list)  # names under 责任单位: cooperating where a 牵头 is named
    acting: bool = False  # read from who acts (X要…, ——X：负责…), not from a statement of who is responsible


def build_refs(
    text: str, base: int, norm: NormalizedText, directory: DepartmentDirectory, region: str, level: str = ""
) -> tuple[list[DepartmentRef], bool, list[str], list[str]]:
    """Department list text at normalised offset ``base`` → refs, 等 flag, unknown and truncated names."""
    pieces, and_others = split_names(text, directory, region)
    refs: list[DepartmentRef] = []
    unknown: list[str] = []
    truncated: list[str] = []
    seen: set[str] = set()
    for piece in pieces:
        res = directory.resolve(piece.raw, region, level)
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
    body: str, base: int, norm: NormalizedText, directory: DepartmentDirectory, region: str, level: str = ""
) -> Clause:
    """``牵头部门:A、B;配合部门:C等`` → Clause (start/end set by the caller).

    ``责任单位：A（牵头）、B`` makes A the lead and B cooperating; people after 责任领导 are skipped.
    """
    resp = Responsibility(raw=body)
    clause = Clause(base, base + len(body), resp)
    roles = list(_ROLE_RE.finditer(body))
    for idx, m in enumerate(roles):
        seg_end = roles[idx + 1].start() if idx + 1 < len(roles) else len(body)
        seg = body[m.end() : seg_end]
        if m.group(1) in IGNORED_ROLES:
            continue
        if m.group(1) in DEADLINE_ROLES:
            clause.deadline = parse_deadline(seg.strip(" ;；,，。"))
            clause.deadline.span = norm.span(base + m.start(), base + seg_end)
            continue
        marked = [k.start() for k in _LEAD_MARK_RE.finditer(seg)]
        if marked and m.group(1) not in COOP_ROLES:
            cut = marked[-1]
            close = seg.find(")", cut) + 1
            lead_part = _LEAD_MARK_RE.sub(lambda x: " " * len(x.group(0)), seg[:close])
            _add(clause, resp, lead_part, base + m.end(), norm, directory, region, level=level, coop=False)
            _add(clause, resp, seg[close:], base + m.end() + close, norm, directory, region, level=level, coop=True)
            continue
        before = len(resp.lead)
        if _role_verbs(seg) and m.group(1) not in COOP_ROLES:
            # "责任单位：中医科教科、体改科分别牵头…，各科室依据职责分工配合": roles inside the list
            _listed_roles(clause, resp, seg, base + m.end(), norm, directory, region, level)
            continue
        _add(clause, resp, seg, base + m.end(), norm, directory, region, level=level, coop=m.group(1) in COOP_ROLES)
        if m.group(1) in _RESPONSIBLE_ROLES:
            clause.responsible += [r.name for r in resp.lead[before:]]
        elif m.group(1) not in COOP_ROLES:
            clause.named_lead = True
    if clause.named_lead and clause.responsible:
        settle_responsible(resp, clause.responsible)
    return clause


_RESPONSIBLE_ROLES = ("责任单位", "责任部门", "负责单位", "负责部门", "实施单位", "承办单位", "责任科室", "责任处室")


def settle_responsible(resp: Responsibility, responsible: list[str]) -> None:
    """Where a lead is named (牵头单位：A), the units listed as 责任单位 cooperate with it."""
    moving = [r for r in resp.lead if r.name in responsible]
    if len(moving) == len(resp.lead):
        return
    resp.lead = [r for r in resp.lead if r.name not in responsible]
    names = {r.name for r in resp.cooperating}
    resp.cooperating += [r for r in moving if r.name not in names]


def _listed_roles(
    clause: Clause,
    resp: Responsibility,
    seg: str,
    base: int,
    norm: NormalizedText,
    directory: DepartmentDirectory,
    region: str,
    level: str,
) -> None:
    """A labelled list whose parts say their own role; parts without a verb are leads."""
    pos = 0
    for m in _PART_SPLIT_RE.finditer(seg + ","):
        part = seg[pos : m.start()]
        verb = next((v for v in _role_verbs(part) if v.start() > 0), None)
        if verb is None:
            _add(clause, resp, part, base + pos, norm, directory, region, level=level, coop=False)
        else:
            names = re.sub(
                r"(?:分别|依据职责分工|依据职责|按职责分工|按照职责分工|按职责|共同)$", "", part[: verb.start()]
            )
            coop = verb.group(1) in _COOP_VERBS
            _add(clause, resp, names, base + pos, norm, directory, region, level=level, coop=coop)
            clause.named_lead |= not coop
        pos = m.end()


def _role_verbs(text: str) -> list[re.Match[str]]:
    """The role verbs of ``text``; 牵头单位 and 负责人 are nouns, not verbs."""
    return [v for v in _VERB_RE.finditer(text) if not _NOT_AFTER_VERB_RE.match(text, v.end())]


def _add(
    clause: Clause,
    resp: Responsibility,
    seg: str,
    base: int,
    norm: NormalizedText,
    directory: DepartmentDirectory,
    region: str,
    *,
    coop: bool,
    level: str = "",
) -> None:
    refs, others, unknown, truncated = build_refs(seg, base, norm, directory, region, level)
    clause.unknown += unknown
    clause.truncated += truncated
    if coop:
        resp.cooperating += refs
        resp.cooperating_and_others |= others
    else:
        resp.lead += refs
        resp.lead_and_others |= others


def _department_list(text: str, directory: DepartmentDirectory, region: str) -> bool:
    """Whether ``text`` is nothing but a list of departments ("市卫健委、市财政局等部门")."""
    text = text.strip()
    if not text or len(text) > 120:
        return False
    pieces = [
        p
        for p in re.split(
            r"[、/]|(?<=[局委办厅院会室科所站队心司部位构关])(?:和|及|与|以及)", _strip_brackets_safe(text)
        )
        if p
    ]
    generic = re.search(r"等(?:有关|相关)?(?:部门|单位)$", text) is not None
    for piece in pieces:
        piece = re.sub(r"等(?:有关|相关)?(?:部门|单位)?$", "", piece).strip()
        if not piece:
            return False
        if looks_like_department(piece, directory, region):
            continue
        if generic and 2 <= len(piece) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", piece):
            continue  # 公安、卫生计生、综治等部门: short names a 等部门 vouches for
        return False
    return True


def _government(names: str, directory: DepartmentDirectory, region: str) -> bool:
    """The first of the names is a government body by its level or a known spelling, not an
    institution (医疗机构要… is the work itself, 市医保中心要… assigns it)."""
    first = re.split(r"[、,，]|(?<=[局委办厅院会室科所站队心司部])(?:和|及|与)", names.strip())[0]
    return directory.is_known(first, region) or re.match(r"(?:省|市|区|县|各县|各区|各市)(?!场)", first) is not None


def _strip_brackets_safe(text: str) -> str:
    """Separators inside brackets are not list separators: 各县（市、区）卫健局 stays one name."""
    out, depth = [], 0
    for ch in text:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(depth - 1, 0)
        out.append("·" if depth and ch in "、/" else ch)
    return "".join(out)


def parse_statement(
    text: str,
    base: int,
    norm: NormalizedText,
    directory: DepartmentDirectory,
    region: str,
    *,
    whole: bool,
    level: str = "",
) -> Clause | None:
    """A statement of who does a task, without labels (see the module's verbs).

    ``whole``: every comma-separated part must be a role or a deadline (a bracketed clause);
    otherwise the parts that are roles are taken and the rest is the task's own text.
    """
    resp = Responsibility(raw=text)
    clause = Clause(base, base + len(text), resp, inline=not whole)
    pos, found, has_lead = 0, False, False
    parts: list[tuple[str, int]] = []
    for m in _PART_SPLIT_RE.finditer(text + ","):
        parts.append((text[pos : m.start()], pos))
        pos = m.end()
    for part, at in parts:
        stripped = part.strip(" 。")
        if not stripped:
            continue
        lead_in = re.match(r"(?:并|要|由|请|均由|分别由|主要由)?(会同|联合|协调)?", stripped)
        joint = lead_in.group(1) if lead_in else None
        rest = stripped[lead_in.end() :] if lead_in else stripped
        offset = at + part.find(stripped) + (lead_in.end() if lead_in else 0)
        verb, names_at = None, 0
        for vm in _VERB_RE.finditer(rest):
            after = rest[vm.end() : vm.end() + 2]
            if vm.start() == 0 or _NOT_AFTER_VERB_RE.match(after):
                continue
            # the list starts the part, or follows 由/邀请/会同 inside it ("进一步建立健全由市医保局牵头")
            starts = [k.end() for k in reversed(list(_LIST_OPENER_RE.finditer(rest, 0, vm.start())))] + [0]
            names_at = next(
                (k for k in starts if k < vm.start() and _department_list(rest[k : vm.start()], directory, region)), -1
            )
            if names_at >= 0:
                verb = vm
                break
        if joint and verb is None and _department_list(re.split(r"[,，]", rest)[0], directory, region):
            names = rest
            _add(clause, resp, names, base + offset, norm, directory, region, level=level, coop=True)
            found = True
            continue
        if verb is None:
            if whole and not (find_dates_only(stripped)):
                return None
            if whole:
                clause.deadline = parse_deadline(stripped)
                clause.deadline.span = norm.span(base + at, base + at + len(part))
            continue
        names, word = rest[names_at : verb.start()], verb.group(1)
        invited = rest[max(0, names_at - 2) : names_at] in ("邀请", "会同", "联合")
        coop = word in _COOP_VERBS or (word in _SHARED_VERBS and has_lead) or joint is not None or invited
        _add(clause, resp, names, base + offset + names_at, norm, directory, region, level=level, coop=coop)
        has_lead |= not coop
        clause.named_lead |= not coop
        found = True
        tail = rest[verb.end() :]
        # "由A牵头，会同B、C" and "A牵头会同B" name the cooperating ones after 会同
        j = re.match(
            r"(?:会同|联合|协调|组织|邀请)(.+?)(?:等(?:有关|相关)?(?:部门|单位))?(?=共同|按职责|开展|做好|加强|推进|落实|研究|制定|$)",
            tail,
        )
        if j and _department_list(j.group(1), directory, region):
            _add(
                clause,
                resp,
                j.group(1),
                base + offset + verb.end() + 2,
                norm,
                directory,
                region,
                level=level,
                coop=True,
            )
    if not found:
        return None
    return clause


def find_dates_only(text: str) -> bool:
    """A part that only states when: "2023年12月前完成", "年底前完成", "长期坚持"."""
    return bool(
        re.fullmatch(
            r"(?:于|在|到)?(?:\d{4}年)?(?:\d{1,2}月)?(?:底|末|年底|年内|上半年|下半年)?(?:前|以前)?(?:完成|落实到位|启动|实施)?|持续推进|长期坚持|持续实施",
            text,
        )
    ) and any(ch.isdigit() or ch in "底末年持长" for ch in text)


def find_clauses(
    text: str, offset: int, norm: NormalizedText, directory: DepartmentDirectory, region: str = "", level: str = ""
) -> list[Clause]:
    """Responsibility clauses in ``text`` (a slice of norm.text starting at ``offset``)."""
    clauses: list[Clause] = []
    clause: Clause | None  # the statements searched below may name nobody
    pos = 0
    while True:
        m = _OPEN_RE.search(text, pos)
        if not m:
            break
        close = _matching_close(text, m.start())
        end = close if close is not None else len(text)
        body = text[m.end() : end]
        clause = parse_clause_body(body, offset + m.end(), norm, directory, region, level)
        clause.start = offset + m.start()
        clause.end = offset + (end + 1 if close is not None else end)
        clause.closed = close is not None
        clause.responsibility.span = norm.span(clause.start, clause.end)
        clauses.append(clause)
        pos = end + 1
    has_verb = _VERB_RE.search(text) is not None  # most paragraphs name nobody: skip the searches below
    for m in _BRACKET_OPEN_RE.finditer(text) if has_verb else ():  # (A、B按职责分工负责) (A牵头，B配合；…前完成)
        if any(c.start - offset <= m.start() < c.end - offset for c in clauses):
            continue
        close = _matching_close(text, m.start())
        if close is None or close - m.start() > 160 or not _VERB_RE.search(text, m.start(), close):
            continue
        clause = parse_statement(
            text[m.start() + 1 : close], offset + m.start() + 1, norm, directory, region, whole=True, level=level
        )
        if clause is not None:
            clause.start, clause.end = offset + m.start(), offset + close + 1
            clause.responsibility.span = norm.span(clause.start, clause.end)
            clauses.append(clause)
    clauses.sort(key=lambda c: c.start)
    if not clauses:
        m = _BARE_RE.search(text)
        if m:
            body_end = text.find("。", m.end())
            end = len(text) if body_end < 0 else body_end
            clause = parse_clause_body(text[m.end() : end], offset + m.end(), norm, directory, region, level)
            clause.start, clause.end = offset + m.end(), offset + end
            clause.responsibility.span = norm.span(clause.start, clause.end)
            clauses.append(clause)
    if not clauses and (has_verb or _DUTY_HINT_RE.search(text)):  # "由A牵头，B、C配合。" in the task's own sentences
        head = match_marker(text)
        for m in _SENTENCE_RE.finditer(text, head.length if head else 0):
            sentence = m.group(0)
            clause = None
            if _VERB_RE.search(sentence) and not _DESCRIBED_RE.search(sentence):
                clause = parse_statement(
                    sentence, offset + m.start(), norm, directory, region, whole=False, level=level
                )
            duty = _DUTY_RE.match(sentence) if _DUTY_HINT_RE.search(sentence, 0, 64) else None
            if (
                duty
                and _ORG_END_RE.search(duty.group("names"))
                and _department_list(duty.group("names"), directory, region)
                and _government(duty.group("names"), directory, region)
            ):
                # "市医保中心及管理部要完善…": the body that must act; cooperating where a lead is named
                clause = clause or Clause(
                    offset + m.start(), offset + m.end(), Responsibility(raw=sentence), inline=True, acting=True
                )
                before = len(clause.responsibility.lead)
                _add(
                    clause,
                    clause.responsibility,
                    duty.group("names"),
                    offset + m.start() + duty.start("names"),
                    norm,
                    directory,
                    region,
                    level=level,
                    coop=bool(duty.group("coop")),
                )
                clause.responsible += [r.name for r in clause.responsibility.lead[before:]]
            for line in _DUTY_LINE_RE.finditer(sentence):  # ——财政部门：负责…, ——红十字会：配合…
                if _ORG_END_RE.search(line.group("names")) and _department_list(line.group("names"), directory, region):
                    clause = clause or Clause(
                        offset + m.start(), offset + m.end(), Responsibility(raw=sentence), inline=True, acting=True
                    )
                    _add(
                        clause,
                        clause.responsibility,
                        line.group("names"),
                        offset + m.start() + line.start("names"),
                        norm,
                        directory,
                        region,
                        level=level,
                        coop=line.group("verb") in _COOP_VERBS,
                    )
            if clause is not None and not clause.responsibility.is_empty:
                if clause.named_lead and clause.responsible:
                    settle_responsible(clause.responsibility, clause.responsible)
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
