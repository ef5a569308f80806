"""PlanDraft ⇄ table rows, field by field.

Kept apart from the repository so the conversion can be read (and tested) as
a pure function: ``row_to_draft(plan_to_row(draft)) == draft``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from yigai.domain.plan import (
    Category,
    Comparator,
    Deadline,
    DeadlineKind,
    DepartmentKind,
    DepartmentRef,
    Measure,
    ParseWarning,
    PlanDraft,
    PlanLevel,
    PlanMeta,
    PlanType,
    Project,
    Provenance,
    Responsibility,
    Section,
    Span,
    Target,
    TargetAttribute,
    Task,
)
from yigai.storage.models import (
    ROLE_COOPERATING,
    ROLE_LEAD,
    DepartmentRow,
    MeasureRow,
    ParseWarningRow,
    PlanRow,
    ProjectRow,
    ResponsibilityRow,
    SectionRow,
    TargetRow,
    TaskRow,
)

#: Finds or creates the registry row for a department named in a plan of ``region``.
DepartmentResolver = Callable[[DepartmentRef], DepartmentRow]

_SPACES = re.compile(r"\s+")
_OPEN_BRACKETS = str.maketrans({c: "〔" for c in "([【〖［"}) | str.maketrans({c: "〕" for c in ")]】〗］"})


def doc_number_key(doc_number: str) -> str | None:
    """Normalise a 文号 so that 青卫健医政〔2022〕14 号 and 青卫健医政(２０２２)14号 are one key.

    NFKC folds full-width digits and brackets; every bracket variant becomes 〔〕;
    whitespace is dropped. ``None`` when the document has no 文号.
    """
    key = _SPACES.sub("", unicodedata.normalize("NFKC", doc_number)).translate(_OPEN_BRACKETS)
    return key or None


def _cols(span: Span | None) -> tuple[int | None, int | None]:
    return (None, None) if span is None else (span.start, span.end)


def _span(start: int | None, end: int | None) -> Span | None:
    return None if start is None or end is None else Span(start, end)


def _prov_json(prov: Provenance) -> dict[str, Any]:
    return {key: [s.start, s.end] for key, s in prov.items()}


def _prov(data: dict[str, Any]) -> Provenance:
    return {key: Span(int(v[0]), int(v[1])) for key, v in data.items()}


# ---------------------------------------------------------------- draft → rows


def _flatten(sections: Iterable[Section], parent: Section | None = None) -> Iterator[tuple[Section, Section | None]]:
    for s in sections:
        yield s, parent
        yield from _flatten(s.children, s)


def _responsibility_rows(
    resp: Responsibility, plan: PlanRow, resolve: DepartmentResolver
) -> list[ResponsibilityRow]:
    rows = []
    for role, refs in ((ROLE_LEAD, resp.lead), (ROLE_COOPERATING, resp.cooperating)):
        for position, ref in enumerate(refs):
            start, end = _cols(ref.span)
            rows.append(
                ResponsibilityRow(
                    plan=plan, department=resolve(ref), role=role, position=position,
                    raw=ref.raw, known=ref.known, span_start=start, span_end=end,
                )
            )
    return rows


def _clause(resp: Responsibility, span: Span | None) -> dict[str, Any]:
    r_start, r_end = _cols(resp.span)
    s_start, s_end = _cols(span)
    return {
        "responsibility_raw": resp.raw, "responsibility_start": r_start, "responsibility_end": r_end,
        "lead_and_others": resp.lead_and_others,
        "cooperating_and_others": resp.cooperating_and_others,
        "span_start": s_start, "span_end": s_end,
    }


def _deadline(d: Deadline, categories: list[Category]) -> dict[str, Any]:
    start, end = _cols(d.span)
    return {
        "deadline_kind": d.kind.value, "deadline_date": d.date, "deadline_raw": d.raw,
        "deadline_start": start, "deadline_end": end, "categories": [c.value for c in categories],
    }


def plan_to_row(draft: PlanDraft, *, resolve: DepartmentResolver, imported_at: dt.datetime) -> PlanRow:
    """Build the unsaved row graph for a draft; departments come from ``resolve``.

    A dangling section or task reference is a parser bug: it raises ValueError
    rather than being stored as a silently missing link.
    """
    m = draft.meta
    plan = PlanRow(
        sha256=draft.sha256, doc_number=m.doc_number, doc_number_key=doc_number_key(m.doc_number),
        title=m.title, issuer=m.issuer, date=m.date, region=m.region, level=m.level.value,
        type=m.type.value, valid_until=m.valid_until, meta_provenance=_prov_json(m.provenance),
        source_name=draft.source_name, source_format=draft.source_format,
        source_text=draft.source_text, imported_at=imported_at,
    )
    section_rows: dict[str, SectionRow] = {}
    for position, (s, parent) in enumerate(_flatten(draft.sections)):
        section_rows[s.id] = SectionRow(
            key=s.id, position=position, level=s.level, marker=s.marker, number=s.number,
            title=s.title, span_start=s.span.start, span_end=s.span.end,
            parent=None if parent is None else section_rows[parent.id],
        )
        plan.sections.append(section_rows[s.id])  # a duplicate id fails on the unique key

    task_rows: dict[str, TaskRow] = {}
    for position, t in enumerate(draft.tasks):
        if t.section_id and t.section_id not in section_rows:
            raise ValueError(f"task {t.id!r} refers to unknown section {t.section_id!r}")
        row = TaskRow(
            key=t.id, position=position, no=t.no, path=list(t.path),
            section=section_rows[t.section_id] if t.section_id else None,
            title=t.title, text=t.text, categories_inferred=t.categories_inferred,
            provenance=_prov_json(t.provenance),
            **_deadline(t.deadline, t.categories), **_clause(t.responsibility, t.span),
        )
        row.responsibilities = _responsibility_rows(t.responsibility, plan, resolve)
        for m_pos, meas in enumerate(t.measures):
            m_row = MeasureRow(
                key=meas.id, position=m_pos, no=meas.no, text=meas.text,
                provenance=_prov_json(meas.provenance),
                **_deadline(meas.deadline, meas.categories), **_clause(meas.responsibility, meas.span),
            )
            m_row.responsibilities = _responsibility_rows(meas.responsibility, plan, resolve)
            row.measures.append(m_row)
        task_rows[t.id] = row
        plan.tasks.append(row)

    for position, p in enumerate(draft.projects):
        p_row = ProjectRow(position=position, no=p.no, group_name=p.group, text=p.text,
                           **_clause(p.responsibility, p.span))
        p_row.responsibilities = _responsibility_rows(p.responsibility, plan, resolve)
        plan.projects.append(p_row)

    for position, tg in enumerate(draft.targets):
        if tg.task and tg.task not in task_rows:
            raise ValueError(f"target {tg.metric!r} refers to unknown task {tg.task!r}")
        start, end = _cols(tg.span)
        plan.targets.append(TargetRow(
            position=position, task=task_rows[tg.task] if tg.task else None, raw=tg.raw,
            metric=tg.metric, comparator=None if tg.comparator is None else tg.comparator.value,
            value=tg.value, value_high=tg.value_high, unit=tg.unit, scope=tg.scope,
            attribute=None if tg.attribute is None else tg.attribute.value,
            baseline=tg.baseline, baseline_year=tg.baseline_year, due=tg.due,
            observed=tg.observed, observed_raw=tg.observed_raw, observed_period=tg.observed_period,
            source=tg.source, span_start=start, span_end=end, provenance=_prov_json(tg.provenance),
            implicit=tg.implicit,
        ))

    for position, w in enumerate(draft.warnings):
        start, end = _cols(w.span)
        plan.warnings.append(ParseWarningRow(position=position, code=w.code, message=w.message,
                                             span_start=start, span_end=end))
    return plan


# ---------------------------------------------------------------- rows → draft


def _responsibility(row: TaskRow | MeasureRow | ProjectRow) -> Responsibility:
    resp = Responsibility(
        lead_and_others=row.lead_and_others, cooperating_and_others=row.cooperating_and_others,
        raw=row.responsibility_raw, span=_span(row.responsibility_start, row.responsibility_end),
    )
    for r in sorted(row.responsibilities, key=lambda r: (r.role, r.position)):
        ref = DepartmentRef(name=r.department.name, raw=r.raw, kind=DepartmentKind(r.department.kind),
                            known=r.known, span=_span(r.span_start, r.span_end))
        (resp.lead if r.role == ROLE_LEAD else resp.cooperating).append(ref)
    return resp


def _deadline_of(row: TaskRow | MeasureRow) -> Deadline:
    return Deadline(kind=DeadlineKind(row.deadline_kind), date=row.deadline_date,
                    raw=row.deadline_raw, span=_span(row.deadline_start, row.deadline_end))


def _sections(rows: list[SectionRow]) -> list[Section]:
    built: dict[int, Section] = {}
    roots: list[Section] = []
    for r in sorted(rows, key=lambda r: r.position):
        s = Section(id=r.key, level=r.level, marker=r.marker, number=r.number, title=r.title,
                    span=Span(r.span_start, r.span_end))
        built[r.id] = s
        (roots if r.parent_id is None else built[r.parent_id].children).append(s)
    return roots


def row_to_draft(plan: PlanRow) -> PlanDraft:
    """Rebuild the domain draft from a loaded row graph."""
    section_keys = {s.id: s.key for s in plan.sections}
    task_keys = {t.id: t.key for t in plan.tasks}
    meta = PlanMeta(
        title=plan.title, issuer=plan.issuer, doc_number=plan.doc_number, date=plan.date,
        region=plan.region, level=PlanLevel(plan.level), type=PlanType(plan.type),
        valid_until=plan.valid_until, provenance=_prov(plan.meta_provenance),
    )
    tasks = [
        Task(
            id=t.key, no=t.no, path=list(t.path),
            section_id=None if t.section_id is None else section_keys[t.section_id],
            title=t.title, text=t.text, responsibility=_responsibility(t), deadline=_deadline_of(t),
            categories=[Category(c) for c in t.categories], categories_inferred=t.categories_inferred,
            measures=[
                Measure(id=m.key, no=m.no, text=m.text, responsibility=_responsibility(m),
                        deadline=_deadline_of(m), categories=[Category(c) for c in m.categories],
                        span=_span(m.span_start, m.span_end), provenance=_prov(m.provenance))
                for m in t.measures
            ],
            span=_span(t.span_start, t.span_end), provenance=_prov(t.provenance),
        )
        for t in plan.tasks
    ]
    targets = [
        Target(
            raw=t.raw, metric=t.metric,
            comparator=None if t.comparator is None else Comparator(t.comparator),
            value=t.value, value_high=t.value_high, unit=t.unit, scope=t.scope,
            attribute=None if t.attribute is None else TargetAttribute(t.attribute),
            baseline=t.baseline, baseline_year=t.baseline_year, due=t.due,
            task=None if t.task_id is None else task_keys[t.task_id],
            observed=t.observed, observed_raw=t.observed_raw, observed_period=t.observed_period,
            source=t.source, span=_span(t.span_start, t.span_end), provenance=_prov(t.provenance),
            implicit=t.implicit,
        )
        for t in plan.targets
    ]
    projects = [
        Project(no=p.no, group=p.group_name, text=p.text, responsibility=_responsibility(p),
                span=_span(p.span_start, p.span_end))
        for p in plan.projects
    ]
    warnings = [ParseWarning(code=w.code, message=w.message, span=_span(w.span_start, w.span_end))
                for w in plan.warnings]
    return PlanDraft(
        source_name=plan.source_name, source_format=plan.source_format,
        source_text=plan.source_text, sha256=plan.sha256, meta=meta,
        sections=_sections(plan.sections), tasks=tasks, projects=projects, targets=targets,
        warnings=warnings,
    )
