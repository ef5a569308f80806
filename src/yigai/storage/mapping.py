"""PlanDraft ⇄ table rows, by way of the draft's stored dict.

The plan is walked once, in :mod:`yigai.domain.serialize` (``plan_to_stored_dict`` and
``plan_from_dict``); this module only lays that plain data out as rows and reads it back, so a
new field of the plan is written in one walk. A pure function, testable on its own:
``row_to_draft(plan_to_row(draft)) == draft``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from yigai.domain.plan import DepartmentRef, PlanDraft, Responsibility
from yigai.domain.serialize import department_from_dict, plan_from_dict, plan_to_stored_dict, responsibility_dict
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


def _cols(span: list[int] | None) -> tuple[int | None, int | None]:
    return (None, None) if span is None else (span[0], span[1])


def _span(start: int | None, end: int | None) -> list[int] | None:
    return None if start is None or end is None else [start, end]


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


# ---------------------------------------------------------------- draft → rows


def _flatten(
    sections: Iterable[dict[str, Any]],
    parent: dict[str, Any] | None = None,
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    for s in sections:
        yield s, parent
        yield from _flatten(s["children"], s)


def _rows_of(resp: dict[str, Any], plan: PlanRow, resolve: DepartmentResolver) -> list[ResponsibilityRow]:
    rows = []
    for role, key in ((ROLE_LEAD, "lead"), (ROLE_COOPERATING, "cooperating")):
        for position, dept in enumerate(resp[key]):
            start, end = _cols(dept["span"])
            rows.append(
                ResponsibilityRow(
                    plan=plan,
                    department=resolve(department_from_dict(dept)),
                    role=role,
                    position=position,
                    raw=dept["raw"],
                    known=dept["known"],
                    span_start=start,
                    span_end=end,
                )
            )
    return rows


def responsibility_rows(resp: Responsibility, plan: PlanRow, resolve: DepartmentResolver) -> list[ResponsibilityRow]:
    """The rows of one responsibility clause (a reviewer's reassignment rewrites just these)."""
    return _rows_of(responsibility_dict(resp), plan, resolve)


def _clause(d: dict[str, Any]) -> dict[str, Any]:
    r_start, r_end = _cols(d["responsibility_span"])
    s_start, s_end = _cols(d["span"])
    return {
        "responsibility_raw": d["responsibility_raw"],
        "responsibility_start": r_start,
        "responsibility_end": r_end,
        "lead_and_others": d["lead_and_others"],
        "cooperating_and_others": d["cooperating_and_others"],
        "span_start": s_start,
        "span_end": s_end,
    }


def _deadline(d: dict[str, Any]) -> dict[str, Any]:
    dl = d["deadline"]
    start, end = _cols(dl["span"])
    return {
        "deadline_kind": dl["kind"],
        "deadline_date": _date(dl["date"]),
        "deadline_raw": dl["raw"],
        "deadline_start": start,
        "deadline_end": end,
        "categories": list(d["categories"]),
    }


def plan_to_row(draft: PlanDraft, *, resolve: DepartmentResolver, imported_at: dt.datetime) -> PlanRow:
    """Build the unsaved row graph for a draft; departments come from ``resolve``.

    A dangling section or task reference is a parser bug: it raises ValueError
    rather than being stored as a silently missing link.
    """
    d = plan_to_stored_dict(draft)
    m = d["meta"]
    plan = PlanRow(
        sha256=draft.sha256,
        doc_number=m["doc_number"],
        doc_number_key=doc_number_key(m["doc_number"]),
        title=m["title"],
        issuer=m["issuer"],
        date=_date(m["date"]),
        region=m["region"],
        level=m["level"],
        type=m["type"],
        valid_until=_date(m["valid_until"]),
        meta_provenance=m["provenance"],
        source_name=draft.source_name,
        source_format=draft.source_format,
        source_text=draft.source_text,
        imported_at=imported_at,
    )
    section_rows: dict[str, SectionRow] = {}
    for position, (s, parent) in enumerate(_flatten(d["sections"])):
        section_rows[s["id"]] = SectionRow(
            key=s["id"],
            position=position,
            level=s["level"],
            marker=s["marker"],
            number=s["number"],
            title=s["title"],
            span_start=s["span"][0],
            span_end=s["span"][1],
            parent=None if parent is None else section_rows[parent["id"]],
        )
        plan.sections.append(section_rows[s["id"]])  # a duplicate id fails on the unique key

    task_rows: dict[str, TaskRow] = {}
    for position, t in enumerate(d["tasks"]):
        if t["section"] and t["section"] not in section_rows:
            raise ValueError(f"task {t['id']!r} refers to unknown section {t['section']!r}")
        row = TaskRow(
            key=t["id"],
            position=position,
            no=t["no"],
            path=list(t["path"]),
            section=section_rows[t["section"]] if t["section"] else None,
            title=t["title"],
            text=t["text"],
            categories_inferred=t["categories_inferred"],
            provenance=t["provenance"],
            **_deadline(t),
            **_clause(t),
        )
        row.responsibilities = _rows_of(t, plan, resolve)
        for m_pos, meas in enumerate(t["measures"]):
            m_row = MeasureRow(
                key=meas["id"],
                position=m_pos,
                no=meas["no"],
                text=meas["text"],
                provenance=meas["provenance"],
                **_deadline(meas),
                **_clause(meas),
            )
            m_row.responsibilities = _rows_of(meas, plan, resolve)
            row.measures.append(m_row)
        task_rows[t["id"]] = row
        plan.tasks.append(row)

    for position, p in enumerate(d["projects"]):
        p_row = ProjectRow(position=position, no=p["no"], group_name=p["group"], text=p["text"], **_clause(p))
        p_row.responsibilities = _rows_of(p, plan, resolve)
        plan.projects.append(p_row)

    for position, tg in enumerate(d["targets"]):
        if tg["task"] and tg["task"] not in task_rows:
            raise ValueError(f"target {tg['metric']!r} refers to unknown task {tg['task']!r}")
        start, end = _cols(tg["span"])
        plan.targets.append(
            TargetRow(
                position=position,
                task=task_rows[tg["task"]] if tg["task"] else None,
                raw=tg["raw"],
                metric=tg["metric"],
                comparator=tg["comparator"],
                value=tg["value"],
                value_high=tg["value_high"],
                unit=tg["unit"],
                scope=tg["scope"],
                attribute=tg["attribute"],
                baseline=tg["baseline"],
                baseline_year=tg["baseline_year"],
                due=_date(tg["due"]),
                observed=tg["observed"],
                observed_raw=tg["observed_raw"],
                observed_period=tg["observed_period"],
                source=tg["source"],
                span_start=start,
                span_end=end,
                provenance=tg["provenance"],
                implicit=tg["implicit"],
            )
        )

    for position, w in enumerate(d["warnings"]):
        start, end = _cols(w["span"])
        plan.warnings.append(
            ParseWarningRow(position=position, code=w["code"], message=w["message"], span_start=start, span_end=end)
        )
    return plan


# ---------------------------------------------------------------- rows → draft


def _resp_of(row: TaskRow | MeasureRow | ProjectRow) -> dict[str, Any]:
    out: dict[str, Any] = {
        "lead": [],
        "cooperating": [],
        "lead_and_others": row.lead_and_others,
        "cooperating_and_others": row.cooperating_and_others,
        "responsibility_raw": row.responsibility_raw,
        "responsibility_span": _span(row.responsibility_start, row.responsibility_end),
    }
    for r in sorted(row.responsibilities, key=lambda r: (r.role, r.position)):
        out["lead" if r.role == ROLE_LEAD else "cooperating"].append(
            {
                "name": r.department.name,
                "raw": r.raw,
                "kind": r.department.kind,
                "known": r.known,
                "span": _span(r.span_start, r.span_end),
            }
        )
    return out


def _deadline_of(row: TaskRow | MeasureRow) -> dict[str, Any]:
    return {
        "deadline": {
            "kind": row.deadline_kind,
            "date": _iso(row.deadline_date),
            "raw": row.deadline_raw,
            "span": _span(row.deadline_start, row.deadline_end),
        },
        "categories": list(row.categories),
        "span": _span(row.span_start, row.span_end),
    }


def _sections(rows: list[SectionRow]) -> list[dict[str, Any]]:
    built: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for r in sorted(rows, key=lambda r: r.position):
        s = {
            "id": r.key,
            "level": r.level,
            "marker": r.marker,
            "number": r.number,
            "title": r.title,
            "span": [r.span_start, r.span_end],
            "children": [],
        }
        built[r.id] = s
        (roots if r.parent_id is None else built[r.parent_id]["children"]).append(s)
    return roots


def row_to_dict(plan: PlanRow) -> dict[str, Any]:
    """The stored dict of a loaded row graph (what ``plan_to_stored_dict`` gives for its draft)."""
    section_keys = {s.id: s.key for s in plan.sections}
    task_keys = {t.id: t.key for t in plan.tasks}
    return {
        "source": {"name": plan.source_name, "format": plan.source_format, "sha256": plan.sha256},
        "meta": {
            "title": plan.title,
            "issuer": plan.issuer,
            "doc_number": plan.doc_number,
            "date": _iso(plan.date),
            "region": plan.region,
            "level": plan.level,
            "type": plan.type,
            "valid_until": _iso(plan.valid_until),
            "provenance": plan.meta_provenance,
        },
        "sections": _sections(plan.sections),
        "tasks": [
            {
                "id": t.key,
                "no": t.no,
                "path": list(t.path),
                "section": None if t.section_id is None else section_keys[t.section_id],
                "title": t.title,
                "text": t.text,
                "categories_inferred": t.categories_inferred,
                "provenance": t.provenance,
                **_resp_of(t),
                **_deadline_of(t),
                "measures": [
                    {
                        "id": m.key,
                        "no": m.no,
                        "text": m.text,
                        "provenance": m.provenance,
                        **_resp_of(m),
                        **_deadline_of(m),
                    }
                    for m in t.measures
                ],
            }
            for t in plan.tasks
        ],
        "projects": [
            {"no": p.no, "group": p.group_name, "text": p.text, **_resp_of(p), "span": _span(p.span_start, p.span_end)}
            for p in plan.projects
        ],
        "targets": [
            {
                "raw": t.raw,
                "metric": t.metric,
                "comparator": t.comparator,
                "value": t.value,
                "value_high": t.value_high,
                "unit": t.unit,
                "scope": t.scope,
                "attribute": t.attribute,
                "baseline": t.baseline,
                "baseline_year": t.baseline_year,
                "due": _iso(t.due),
                "task": None if t.task_id is None else task_keys[t.task_id],
                "observed": t.observed,
                "observed_raw": t.observed_raw,
                "observed_period": t.observed_period,
                "source": t.source,
                "span": _span(t.span_start, t.span_end),
                "provenance": t.provenance,
                "implicit": t.implicit,
            }
            for t in plan.targets
        ],
        "warnings": [
            {"code": w.code, "message": w.message, "span": _span(w.span_start, w.span_end)} for w in plan.warnings
        ],
    }


def row_to_draft(plan: PlanRow) -> PlanDraft:
    """Rebuild the domain draft from a loaded row graph."""
    return plan_from_dict(row_to_dict(plan), plan.source_text)
