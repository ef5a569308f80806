"""Assemble a PlanDraft: metadata, sections, tasks, measures, projects, targets."""

from __future__ import annotations

import bisect
import datetime as dt
import re

from yigai.domain.plan import (
    Category,
    Deadline,
    DeadlineKind,
    Measure,
    ParseWarning,
    PlanDraft,
    PlanLevel,
    Project,
    Responsibility,
    Section,
    Span,
    Task,
)
from yigai.parsing import annex_tasks, duties, table_rules
from yigai.parsing.deadlines import deadline_kind_in, find_dates, parse_deadline
from yigai.parsing.departments import DepartmentDirectory, default_directory, looks_like_department
from yigai.parsing.metadata import extract_meta
from yigai.parsing.normalize import NormalizedText, display, normalize
from yigai.parsing.responsibility import Clause, build_refs, find_clauses, merge, settle_responsible
from yigai.parsing.structure import (
    Layout,
    Para,
    ancestors,
    annex_text,
    build_layout,
    choose_tasks,
    extent,
    has_task_part,
    own_paras,
)
from yigai.parsing.tables import Table, parse_table
from yigai.parsing.targets import targets_in_text

# "排在第一位的为牵头单位", "以第一顺位科室为牵头单位", "排序第一位为牵头科室", "首位为牵头单位"
_FIRST_IS_LEAD_RE = re.compile(
    r"(?:排|列|排序|排名)?(?:在)?(?:第一顺位|第一位|首位|第一个|排名第一)[^。,，;；]{0,8}?(?:为|是|作为)(?:主要)?(?:牵头|主责)"
)
_LEVEL_PREFIX = {PlanLevel.PROVINCE: "省", PlanLevel.CITY: "市", PlanLevel.DISTRICT: "区"}
_NOTICE_RE = re.compile(r"(?:现|特)将.{0,80}?印发给你们|现印发给你们|印发给你们[,，]请")
# A task titled by whose duty it is: 明确市医保局及派出机构监管职责, 落实医保管理部管理职责, 医疗机构职责
_DUTY_TITLE_RE = re.compile(
    r"^(?:明确|强化|落实|压实|履行|加强)?(?P<who>[^,，。;；]{2,30}?)(?:的)?(?:监管|管理|工作|主体|属地|监督)?(?:职责|职能|责任)$"
)
_CARRY_RE = re.compile(
    r"以下(?:各项任务|任务)?均(?:需|由|要)(?P<who>[^,，。;；〕]{2,24}?)(?:负责)?落实[,，]?不再(?:一一)?列出"
)
_WORD_RE = re.compile(r"\W")
# Found from the verb, then the body before it (a lazy prefix tried at every character was the
# parser's most expensive search).
_BY_NUMBER_RE = re.compile(
    r"(?P<verb>负责|牵头|承担|配合|参与|协助)(?:落实)?第"
    r"(?P<nums>\d{1,3}(?:\s*(?:[、,，和及至到~\-—]|以及)\s*\d{1,3})*)\s*(?:项|条|点)"
)
_BY_NUMBER_WHO_RE = re.compile(r"(?P<who>[^,，;；。:：\n]{2,30})[:：]?\s*$")
_ANNUAL_TITLE_RE = re.compile(r"^[^\d“”\"]{0,16}?((?:19|20)\d{2})年(?:度)?(?![-—~至到]\d)(?!.*(?:19|20)\d{2}年)")
_DIGITS_RE = re.compile(r"\D")
_POLICY_RE = re.compile(r"制定|出台|印发|修订|政策|办法|制度")
_PAST_SECTION_RE = re.compile(r"基础|现状|回顾|成效|形势|背景")


class _Builder:
    def __init__(self, text: str, draft: PlanDraft, directory: DepartmentDirectory) -> None:
        self.draft = draft
        self.norm: NormalizedText = normalize(text)
        self.layout: Layout = build_layout(self.norm)
        self.directory = directory
        self.region = ""
        self.level = ""  # 省/市/区/县: the level a bare department name takes
        self.first_is_lead = bool(_FIRST_IS_LEAD_RE.search(self.norm.text))
        self._warned: set[tuple[str, str]] = set()
        self._task_keys: list[tuple[Task, str, str]] = []  # (task, title key, number digits) for table rows

    def warn(self, code: str, message: str, start: int | None = None, end: int | None = None) -> None:
        """Record a warning once per (code, message): a name unknown 40 times is one finding."""
        if (code, message) in self._warned:
            return
        self._warned.add((code, message))
        span = self.norm.span(start, end) if start is not None and end is not None else None
        self.draft.warnings.append(ParseWarning(code, message, span))

    # -- responsibility ------------------------------------------------------------
    def clauses(self, p: Para) -> list[Clause]:
        found = find_clauses(p.text, p.start, self.norm, self.directory, self.region, self.level)
        for c in found:
            if not c.closed:
                self.warn(
                    "clause_unclosed",
                    f"责任条款缺少结束括号：{p.text[c.start - p.start : c.start - p.start + 20]}…",
                    c.start,
                    c.end,
                )
            for name in c.unknown:
                self.warn("department_unknown", f"部门名称不在别名表中：{name}", c.start, c.end)
            for name in c.truncated:
                self.warn("department_truncated", f"部门名称不完整，已按唯一匹配补全：{name}", c.start, c.end)
            if self.first_is_lead and not c.inline and c.responsibility.lead and not c.responsibility.cooperating:
                r = c.responsibility
                r.lead, r.cooperating = r.lead[:1], r.lead[1:]
        return found

    def refs_from_cell(self, text: str, span_start: int | None) -> tuple[list, bool]:
        if not text:
            return [], False
        base = span_start if span_start is not None else 0
        refs, others, unknown, truncated = build_refs(text, base, self.norm, self.directory, self.region, self.level)
        for name in unknown:
            self.warn("department_unknown", f"部门名称不在别名表中：{name}")
        for name in truncated:
            self.warn("department_truncated", f"部门名称不完整，已按唯一匹配补全：{name}")
        return refs, others

    # -- tasks ---------------------------------------------------------------------
    def build(self) -> None:
        layout, norm = self.layout, self.norm
        self.draft.meta = extract_meta(norm, layout.body_start)
        m = re.search(r"[^省市州盟]{2,4}[区县旗]$", self.draft.meta.region)
        self.region = m.group(0) if m else ""
        self.level = _LEVEL_PREFIX.get(self.draft.meta.level, "")
        if self.draft.meta.region.endswith("县"):
            self.level = "县"
        self.directory = self.directory.for_place(self.draft.meta.region, self.norm.text)
        self.skip_notice()
        self.draft.sections = layout.sections
        body = [p for p in layout.paras[: layout.appendix_start] if not p.is_table]
        para_clauses = {p.idx: self.clauses(p) for p in body}
        has_clause = {  # a clause set apart from the text (labelled or bracketed) marks a task
            p.idx: any(not c.inline for q in own_paras(layout, p) for c in para_clauses.get(q.idx, []))
            for p in body
            if p.marker
        }
        closing = self.closing_clauses(body, para_clauses, has_clause)
        for owner in closing.values():
            has_clause[owner.idx] = True
        task_paras = choose_tasks(layout, has_clause)
        starts = {p.idx for p in task_paras}
        for n, tp in enumerate(task_paras, 1):
            self.draft.tasks.append(self.make_task(n, tp, starts, para_clauses))
        self.apply_closing(closing, starts, para_clauses)
        self.carry_forward()
        self.duties_by_number()
        self.tables()
        self.annex_task_table()
        self.rules_duties()
        if not self.draft.tasks:
            self.warn("no_tasks", "未识别出任务：文档中没有编号任务条目、责任条款、加粗引领句或任务清单表")
        self.text_targets(body + annex_text(layout))
        self.annual_due()
        for task in self.draft.tasks:
            self.finish_task(task)
        self.typeset()

    def skip_notice(self) -> None:
        """A covering notice (现将《…》印发给你们 …) may number its own points 一、二、 before the plan;
        the plan starts at its title line after the notice."""
        title = re.sub(r"\W", "", self.draft.meta.title)
        if len(title) < 6:
            return
        notice = next((p for p in self.layout.paras if _NOTICE_RE.search(p.text)), None)
        if notice is None:
            return
        for p in self.layout.paras[notice.idx + 1 : notice.idx + 40]:
            line = re.sub(r"\W", "", p.text)
            if (
                p.marker is None
                and len(p.text) <= len(title) + 40
                and (line.endswith(title) or (len(line) >= max(8, len(title) * 3 // 5) and title.startswith(line)))
            ):
                self.layout.body_start = max(self.layout.body_start, p.start)
                return

    def closing_clauses(
        self, body: list[Para], para_clauses: dict[int, list[Clause]], has_clause: dict[int, bool]
    ) -> dict[int, Para]:
        """Clause lines that speak for a whole section: 牵头单位/责任单位 lines, or
        "A牵头，B等部门按职责分工落实。", after the section's numbered items when none of
        those items has a clause of its own. Returns clause paragraph → the section's heading."""
        heading = {p.section.id: p for p in body if p.section is not None}
        out: dict[int, Para] = {}
        last_item: Para | None = None
        for q in body:
            if q.marker is not None:
                last_item = q
                continue
            found = para_clauses.get(q.idx) or []
            if (
                not found
                or last_item is None
                or last_item.marker is None
                or last_item.parent is None
                or all(c.acting for c in found)
            ):
                continue  # (an acting body's line, ——X：负责…, belongs to its item)
            covered = sum(c.end - c.start for c in found)
            if len(q.text) - covered > 8:
                continue
            siblings = [
                p for p in body if p.marker and p.parent is last_item.parent and p.marker.type == last_item.marker.type
            ]
            if len(siblings) < 2 or any(
                any(para_clauses.get(r.idx) for r in own_paras(self.layout, p)) for p in siblings if p is not last_item
            ):
                continue  # the items name their own departments (set apart or in their sentences): q is the last one's
            owner = heading.get(last_item.parent.id)
            if owner is None:
                continue
            out[q.idx] = owner
            q.closes = owner.level
            has_clause[last_item.idx] = any(
                not c.inline for r in own_paras(self.layout, last_item) for c in para_clauses.get(r.idx, [])
            )
        return out

    def duties_by_number(self) -> None:
        """ "市卫健委负责第1、3、5项，市医保局配合第2至4项": a department's items named by number."""
        by_no: dict[str, list[Task]] = {}
        for task in self.draft.tasks:
            by_no.setdefault(_DIGITS_RE.sub("", task.no), []).append(task)
        text = self.norm.text
        for m in _BY_NUMBER_RE.finditer(text):
            at = max(0, m.start() - 32)
            w = _BY_NUMBER_WHO_RE.search(text, at, m.start())
            if w is None:
                continue
            who = re.sub(r"^(?:[,，;；。]|由|其中)+", "", w.group("who"))
            if not looks_like_department(who, self.directory, self.region):
                continue
            numbers: list[int] = []
            for a, b in re.findall(r"(\d{1,3})(?:\s*[至到~\-—]\s*(\d{1,3}))?", m.group("nums")):
                numbers += list(range(int(a), int(b) + 1)) if b else [int(a)]
            refs, _others = self.refs_from_cell(who, w.start("who") + w.group("who").find(who))
            coop = m.group("verb") in ("配合", "参与", "协助")
            for n in numbers:
                for task in by_no.get(str(n), []):
                    r = task.responsibility
                    have = {d.name for d in r.lead + r.cooperating}
                    (r.cooperating if coop else r.lead).extend(d for d in refs if d.name not in have)

    def annual_due(self) -> None:
        """An annual plan (2026年…重点工作任务, 2021年度…方案): a target that names no date is due at its year's end."""
        m = _ANNUAL_TITLE_RE.match(self.draft.meta.title)
        if not m:
            return
        for target in self.draft.targets:
            if target.due is None:
                target.due = dt.date(int(m.group(1)), 12, 31)

    def carry_forward(self) -> None:
        """ "以下均需县（市、区）政府落实，不再列出": a unit every later task has, printed once."""
        for m in _CARRY_RE.finditer(self.norm.text):
            at = self.norm.span(m.start(), m.end()).start
            refs, _others = self.refs_from_cell(m.group("who"), m.start("who"))
            for task in self.draft.tasks:
                if task.span is None or task.span.end <= at:
                    continue
                names = {d.name for d in task.responsibility.lead}
                task.responsibility.lead += [r for r in refs if r.name not in names]

    def apply_closing(self, closing: dict[int, Para], starts: set[int], para_clauses: dict[int, list[Clause]]) -> None:
        """A closing clause of a section that is not itself a task goes to its tasks that name nobody."""
        for q_idx, owner in closing.items():
            if owner.idx in starts:
                continue  # the section is the task: make_task already read the clause
            end = extent(self.layout, owner)[-1].end
            for task in self.draft.tasks:
                s = task.span
                if (
                    s is not None
                    and task.responsibility.is_empty
                    and self.norm.span(owner.start, end).start <= s.start < self.norm.span(owner.start, end).end
                ):
                    for c in para_clauses.get(q_idx, []):
                        merge(task.responsibility, c.responsibility)

    def typeset(self) -> None:
        """Present extracted text with Chinese punctuation (spans still point at the source)."""

        def walk(sections: list[Section]) -> None:
            for s in sections:
                s.title = display(s.title)
                walk(s.children)

        walk(self.draft.sections)
        for t in self.draft.tasks:
            t.title, t.text, t.path = display(t.title), display(t.text), [display(p) for p in t.path]
            for m in t.measures:
                m.text = display(m.text)
        for p in self.draft.projects:
            p.text, p.group = display(p.text), display(p.group)
        for g in self.draft.targets:
            g.metric, g.raw, g.scope = display(g.metric), display(g.raw), display(g.scope)

    def task_paras_of(self, tp: Para, starts: set[int]) -> list[Para]:
        if tp.marker is not None:
            return extent(self.layout, tp)
        out = [tp]
        for q in self.layout.paras[tp.idx + 1 : self.layout.appendix_start]:
            if q.is_table or q.marker is not None or q.idx in starts:
                break
            out.append(q)
        return out

    def make_task(self, n: int, tp: Para, starts: set[int], para_clauses: dict[int, list[Clause]]) -> Task:
        norm = self.norm
        paras = self.task_paras_of(tp, starts)
        own = [q for q in paras if q is tp or q.marker is None]
        section = tp.section
        if section is None:  # a lead-phrase task becomes a node under its heading
            section = Section(
                f"S{tp.idx}L",
                (tp.parent.level + 1) if tp.parent else 1,
                "",
                None,
                tp.text[: tp.lead_len],
                norm.span(tp.start, tp.start + tp.lead_len),
            )
            (tp.parent.children if tp.parent else self.draft.sections).append(section)
        path = [s.title for s in ancestors(self.layout, section)]
        title = tp.body[: tp.lead_len] if tp.lead_len else section.title
        resp = Responsibility()
        cut: list[tuple[int, int]] = []
        clause_deadline: Deadline | None = None
        named_lead, responsible = False, []
        explicit = any(not c.inline for q in own for c in para_clauses.get(q.idx, []))
        for q in own:
            for c in para_clauses.get(q.idx, []):
                if explicit and c.inline:
                    continue  # a clause set apart says who; the task's sentences are its content
                merge(resp, c.responsibility)
                named_lead |= c.named_lead
                responsible += c.responsible
                if not c.inline:
                    cut.append((c.start, c.end))
                clause_deadline = c.deadline or clause_deadline
        if named_lead and responsible:  # 牵头单位：A on one line, 责任单位：B、C on the next
            settle_responsible(resp, responsible)
        pieces = []
        for q in own:
            start = q.body_start if q is tp else q.start
            kept, at = [], start
            for a, b in sorted(cut):
                if b <= at or a >= q.end:
                    continue
                kept.append(norm.text[at : max(a, at)])
                at = max(at, b)
            kept.append(norm.text[at : q.end])
            pieces.append("".join(kept).strip())
        text = "\n".join(p for p in pieces if p)
        task = Task(
            id=f"T{n}",
            no=tp.marker.text.rstrip("、.") if tp.marker else "",
            path=path,
            section_id=section.id,
            title=title,
            text=text,
            responsibility=resp,
            span=norm.span(tp.start, paras[-1].end if paras else tp.end),
        )
        if clause_deadline is not None:
            task.deadline = clause_deadline
        task.provenance["title"] = norm.span(tp.body_start, tp.body_start + len(title))
        if task.span is not None:
            task.provenance["text"] = task.span
        if resp.span is not None:
            task.provenance["responsibility"] = resp.span
        for q in paras:
            if q is not tp and q.marker is not None:
                m_resp = Responsibility()
                for c in para_clauses.get(q.idx, []):
                    merge(m_resp, c.responsibility)
                k = len(task.measures) + 1
                measure = Measure(f"{task.id}.M{k}", q.marker.text, q.body, m_resp, span=norm.span(q.start, q.end))
                measure.provenance["text"] = norm.span(q.body_start, q.end)
                task.measures.append(measure)
        return task

    # -- tables --------------------------------------------------------------------
    def tables(self) -> None:
        for block in self.layout.tables:
            lines = [(p.text, p.start) for p in block]
            if self.norm.is_flat(block[0].start):
                self.flat_table(block)
                continue
            table = parse_table(lines)
            if not table.caption:
                self.caption(table, block[0])
            kind = table_rules.classify(table)
            if kind is table_rules.TableKind.INDICATORS:
                self.draft.targets += table_rules.indicator_targets(table, self.norm)
            elif kind is table_rules.TableKind.TASKS:
                self.attach_measures(table)
            elif kind is table_rules.TableKind.PROJECTS:
                self.add_projects(table)

    def flat_table(self, block: list[Para]) -> None:
        self.draft.targets += table_rules.flat_block_targets(block, self.layout.paras, self.norm, self.draft.tasks)

    def annex_task_table(self) -> None:
        """A body without a task section whose annex breaks the work down in a task table
        (项目 / 内容 / 牵头科室, flattened by a web page): the table's rows are the tasks."""
        if has_task_part(self.layout):
            return
        lines = [
            annex_tasks.Line(p.text, p.start) for p in self.layout.paras[self.layout.appendix_start :] if not p.is_table
        ]
        found = annex_tasks.read(lines, lambda text: looks_like_department(text, self.directory, self.region))
        assigned = sum(1 for a in found if a.departments)
        if assigned < max(2, sum(1 for t in self.draft.tasks if not t.responsibility.is_empty)):
            return
        self.draft.tasks = annex_tasks.to_tasks(found, self.norm, self.refs_from_cell, first_is_lead=self.first_is_lead)
        self.warn(
            "tasks_from_annex",
            "正文没有任务章节，任务取自附件的任务分解表（按行读取，请核对）",
            found[0].start,
            found[-1].end,
        )

    def rules_duties(self) -> None:
        """A rules document (办法, 规定 …) without a task section: its tasks are the departments' duty
        statements (see duties.py), not its numbered rules."""
        if not duties.RULES_TITLE_RE.search(self.draft.meta.title) or has_task_part(self.layout):
            return
        found = duties.duty_statements(
            self.layout, lambda text: looks_like_department(text, self.directory, self.region)
        )
        if len(found) < 2:
            return
        self.draft.tasks = duties.to_tasks(found, self.norm, self.refs_from_cell)
        self.warn(
            "tasks_from_duties", "规章类文件：任务取自各部门的职责条款（请核对）", found[0].start, found[-1].start
        )

    def caption(self, table: Table, first: Para) -> None:
        for p in reversed(self.layout.paras[max(0, first.idx - 2) : first.idx]):
            if not p.is_table and len(p.text) <= 60:
                table.caption, table.caption_start = p.text, p.start
                return

    def _match_task(self, no: str, title: str) -> Task | None:
        key = _WORD_RE.sub("", title)
        digits = _DIGITS_RE.sub("", no)
        if len(self._task_keys) != len(self.draft.tasks):  # tasks are only ever appended
            self._task_keys += [
                (t, _WORD_RE.sub("", t.title), _DIGITS_RE.sub("", t.no))
                for t in self.draft.tasks[len(self._task_keys) :]
            ]
        keys = self._task_keys
        for t, tkey, tno in keys:
            if no and digits == tno and (not key or _similar(key, tkey)):
                return t
        for t, tkey, _tno in keys:
            if key and _similar(key, tkey):
                return t
        return None

    def attach_measures(self, table: Table) -> None:
        rows = table_rules.measure_rows(table, self.norm)
        unmatched = 0
        for row in rows:
            task = self._match_task(row.task_no, row.task_title)
            if row.is_task:
                self.task_from_row(row, task, table)
                continue
            if task is None:
                unmatched += 1
                continue
            lead, lead_others = self.refs_from_cell(row.lead.text, _start_of(self.norm, row.lead.span))
            coop, coop_others = self.refs_from_cell(row.cooperating.text, _start_of(self.norm, row.cooperating.span))
            deadline = parse_deadline(row.deadline.text)
            deadline.span = row.deadline.span
            measure = Measure(
                id=f"{task.id}.M{len(task.measures) + 1}",
                no=row.no,
                text=row.text,
                responsibility=Responsibility(
                    lead, coop, lead_others, coop_others, f"{row.lead.text};{row.cooperating.text}"
                ),
                deadline=deadline,
                categories=row.categories,
                span=row.span,
            )
            measure.provenance["text"] = row.span
            for name, cell in (("lead", row.lead), ("cooperating", row.cooperating), ("deadline", row.deadline)):
                if cell.span is not None:
                    measure.provenance[name] = cell.span
            if row.category_span is not None:
                measure.provenance["category"] = row.category_span
            task.measures.append(measure)
        if unmatched:
            self.warn("measure_unmatched", f"任务清单中有 {unmatched} 行未能对应到正文任务", table.start, table.end)

    def task_from_row(self, row: table_rules.MeasureRow, task: Task | None, table: Table) -> None:
        """A row of a task list (no 具体措施 column): completes a task of the text, or is one."""
        lead, lead_others = self.refs_from_cell(row.lead.text, _start_of(self.norm, row.lead.span))
        coop, coop_others = self.refs_from_cell(row.cooperating.text, _start_of(self.norm, row.cooperating.span))
        if task is None:
            stop = row.text.find("。")
            title = row.text[:stop] if 0 < stop <= 60 else row.text[:60]
            task = Task(
                id=f"T{len(self.draft.tasks) + 1}",
                no=row.no,
                path=[table.caption] if table.caption else [],
                section_id=None,
                title=title,
                text=row.text,
                span=row.span,
            )
            task.provenance["title"] = task.provenance["text"] = row.span
            self.draft.tasks.append(task)
            start = _start_of(self.norm, row.span) or 0
            for target in targets_in_text(
                self.norm.text[start : start + len(row.text) + 200].split("\n")[0], start, self.norm
            ):
                target.task = task.id
                self.draft.targets.append(target)
        if task.responsibility.is_empty:
            task.responsibility = Responsibility(
                lead, coop, lead_others, coop_others, f"{row.lead.text};{row.cooperating.text}"
            )
            if row.lead.span is not None:
                task.provenance["responsibility"] = row.lead.span
        if row.deadline.text and task.deadline.kind is DeadlineKind.UNSPECIFIED:
            task.deadline = parse_deadline(row.deadline.text)
            task.deadline.span = row.deadline.span
        if row.categories and task.categories_inferred:
            task.categories, task.categories_inferred = list(row.categories), False

    def add_projects(self, table: Table) -> None:
        rows = table_rules.project_rows(table, self.norm)
        matched = sum(1 for r in rows if self._match_task(r.no, r.text) is not None)
        if rows and matched > len(rows) // 2:
            self.warn("project_table_matches_tasks", "项目清单与正文任务对应，按项目处理", table.start, table.end)
        for row in rows:
            lead, lo = self.refs_from_cell(row.lead.text, _start_of(self.norm, row.lead.span))
            coop, co = self.refs_from_cell(row.cooperating.text, _start_of(self.norm, row.cooperating.span))
            self.draft.projects.append(
                Project(row.no, row.group, row.text, Responsibility(lead, coop, lo, co), row.span)
            )

    # -- targets -------------------------------------------------------------------
    def text_targets(self, body: list[Para]) -> None:
        past = set()
        for p in body:
            if p.marker and p.section and _PAST_SECTION_RE.search(p.section.title) and p.level == 1:
                past |= {q.idx for q in extent(self.layout, p)}
        spans = [(t, t.span) for t in self.draft.tasks]
        signed = self.draft.meta.date
        seen: set[tuple] = set()
        for p in body:
            if p.idx in past or p.start < self.layout.body_start:
                continue
            for target in targets_in_text(p.text, p.start, self.norm) + table_rules.glued_indicator_targets(
                p.text, p.start, self.norm
            ):
                if (
                    signed
                    and target.due
                    and target.due < signed
                    and target.baseline is None
                    and str(target.due.year) in target.raw
                ):
                    continue  # due before the plan was signed: "2021年孕产妇死亡率10.13/10万" reports the past
                key = (_WORD_RE.sub("", target.metric), target.value, target.value_high, target.unit, target.due)
                if key in seen:
                    continue  # the same figure quoted again (an annex repeats the body, a cell its neighbour)
                seen.add(key)
                owner = next((t for t, s in spans if s and target.span and s.start <= target.span.start < s.end), None)
                target.task = owner.id if owner else None
                self.draft.targets.append(target)

    # -- deadlines and categories ------------------------------------------------------
    def finish_task(self, task: Task) -> None:
        if task.responsibility.is_empty and task.measures:
            for m in task.measures:
                merge(task.responsibility, m.responsibility)
        duty = _DUTY_TITLE_RE.match(task.title)
        if task.responsibility.is_empty and duty:  # (一)明确市医保局及派出机构监管职责
            refs, others = self.refs_from_cell(duty.group("who"), self._find_start(duty.group("who"), task))
            if refs and all(looks_like_department(r.raw, self.directory, self.region) for r in refs):
                task.responsibility = Responsibility(refs, [], others, False, duty.group("who"))
        if task.responsibility.is_empty:
            self.warn("task_without_department", f"任务 {task.no or task.id}「{task.title}」未写明责任部门")
        for m in task.measures:
            if m.deadline.kind is DeadlineKind.UNSPECIFIED:
                m.deadline = self.text_deadline(m.text, m.span.start if m.span else 0)
        dated = [m.deadline for m in task.measures if m.deadline.kind is DeadlineKind.DATE and m.deadline.date]
        if task.deadline.kind is not DeadlineKind.UNSPECIFIED:
            pass  # stated in the task's own clause
        elif dated:
            task.deadline = max(dated, key=lambda d: d.date or dt.date.min)  # every one dated (filtered above)
        elif task.measures and all(m.deadline.kind is not DeadlineKind.UNSPECIFIED for m in task.measures):
            task.deadline = task.measures[0].deadline
        else:
            task.deadline = self.text_deadline(task.text, task.span.start if task.span else 0)
        if task.deadline.span is not None:
            task.provenance["deadline"] = task.deadline.span
        explicit = [c for m in task.measures for c in m.categories]
        if not task.categories_inferred:
            pass
        elif explicit:
            task.categories = list(dict.fromkeys(explicit))
            task.categories_inferred = False
        else:
            cats = [Category.MEASURE]
            if _POLICY_RE.search(task.title):
                cats = [Category.POLICY]
            if any(t.task == task.id for t in self.draft.targets):
                cats.append(Category.INDICATOR)
            task.categories = cats

    def _find_start(self, raw: str, task: Task) -> int | None:
        """Normalised offset of ``raw`` in the task's title."""
        span = task.provenance.get("title")
        if span is None:
            return None
        at = self.norm.text.find(raw, bisect.bisect_left(self.norm.offsets, span.start))
        return at if at >= 0 else None

    def _find_span(self, raw: str, orig_start: int) -> Span | None:
        """Original span of normalised ``raw`` first found after original offset ``orig_start``."""
        norm_start = bisect.bisect_left(self.norm.offsets, orig_start)
        idx = self.norm.text.find(raw, norm_start)
        return self.norm.span(idx, idx + len(raw)) if idx >= 0 else None

    def text_deadline(self, text: str, start: int) -> Deadline:
        """The latest date the text commits to, else a 持续推进-style phrase, else unspecified."""
        mentions = find_dates(text)
        if mentions:
            latest = max(mentions, key=lambda d: (d.date, not d.year_only))
            return Deadline(DeadlineKind.DATE, latest.date, latest.raw, self._find_span(latest.raw, start))
        kind = deadline_kind_in(text)
        if kind:
            return Deadline(kind[0], None, kind[1].group(0), self._find_span(kind[1].group(0), start))
        return Deadline(DeadlineKind.UNSPECIFIED)


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    common = sum(1 for ch in set(a) if ch in b)
    return common / max(len(set(a)), 1) >= 0.7


def _start_of(norm: NormalizedText, span: Span | None) -> int | None:
    """Normalised offset of an original span's start."""
    if span is None:
        return None
    return bisect.bisect_left(norm.offsets, span.start)


def build_draft(
    text: str, *, source_name: str, source_format: str, sha256: str, directory: DepartmentDirectory | None = None
) -> PlanDraft:
    draft = PlanDraft(source_name=source_name, source_format=source_format, source_text=text, sha256=sha256)
    builder = _Builder(text, draft, directory or default_directory())
    builder.build()
    return draft
