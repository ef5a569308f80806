"""Plain-data views of a plan draft (the JSON the CLI and API print).

Field names follow the published contract: top level ``meta``, ``sections``,
``tasks``, ``projects``, ``targets``, ``warnings``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from yigai.domain.plan import (
    Deadline,
    DepartmentRef,
    Measure,
    PlanDraft,
    PlanMeta,
    Project,
    Provenance,
    Responsibility,
    Section,
    Span,
    Target,
    Task,
)


def _span(span: Span | None) -> list[int] | None:
    return None if span is None else [span.start, span.end]


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _provenance(prov: Provenance) -> dict[str, list[int]]:
    return {key: [s.start, s.end] for key, s in prov.items()}


def department_dict(d: DepartmentRef) -> dict[str, Any]:
    return {"name": d.name, "raw": d.raw, "kind": d.kind.value, "known": d.known, "span": _span(d.span)}


def deadline_dict(d: Deadline) -> dict[str, Any]:
    return {"kind": d.kind.value, "date": _date(d.date), "raw": d.raw, "span": _span(d.span)}


def _resp(r: Responsibility) -> dict[str, Any]:
    return {
        "lead": [department_dict(d) for d in r.lead],
        "cooperating": [department_dict(d) for d in r.cooperating],
        "lead_and_others": r.lead_and_others,
        "cooperating_and_others": r.cooperating_and_others,
    }


def meta_dict(m: PlanMeta) -> dict[str, Any]:
    return {
        "title": m.title,
        "issuer": m.issuer,
        "doc_number": m.doc_number,
        "date": _date(m.date),
        "region": m.region,
        "level": m.level.value,
        "type": m.type.value,
        "valid_until": _date(m.valid_until),
        "provenance": _provenance(m.provenance),
    }


def section_dict(s: Section) -> dict[str, Any]:
    return {
        "id": s.id,
        "level": s.level,
        "marker": s.marker,
        "number": s.number,
        "title": s.title,
        "span": _span(s.span),
        "children": [section_dict(c) for c in s.children],
    }


def measure_dict(m: Measure) -> dict[str, Any]:
    r = _resp(m.responsibility)
    return {
        "id": m.id,
        "no": m.no,
        "text": m.text,
        "lead": r["lead"],
        "cooperating": r["cooperating"],
        "lead_and_others": r["lead_and_others"],
        "cooperating_and_others": r["cooperating_and_others"],
        "deadline": deadline_dict(m.deadline),
        "category": m.categories[0].value if m.categories else None,
        "categories": [c.value for c in m.categories],
        "span": _span(m.span),
        "provenance": _provenance(m.provenance),
    }


def task_dict(t: Task) -> dict[str, Any]:
    r = _resp(t.responsibility)
    return {
        "id": t.id,
        "no": t.no,
        "path": list(t.path),
        "section": t.section_id,
        "title": t.title,
        "text": t.text,
        "lead": r["lead"],
        "cooperating": r["cooperating"],
        "lead_and_others": r["lead_and_others"],
        "cooperating_and_others": r["cooperating_and_others"],
        "deadline": deadline_dict(t.deadline),
        "category": t.categories[0].value if t.categories else None,
        "categories": [c.value for c in t.categories],
        "categories_inferred": t.categories_inferred,
        "measures": [measure_dict(m) for m in t.measures],
        "span": _span(t.span),
        "provenance": _provenance(t.provenance),
    }


def project_dict(p: Project) -> dict[str, Any]:
    r = _resp(p.responsibility)
    return {
        "no": p.no,
        "group": p.group,
        "text": p.text,
        "lead": r["lead"],
        "cooperating": r["cooperating"],
        "span": _span(p.span),
    }


def target_dict(t: Target) -> dict[str, Any]:
    return {
        "raw": t.raw,
        "metric": t.metric,
        "comparator": None if t.comparator is None else t.comparator.value,
        "value": t.value,
        "value_high": t.value_high,
        "unit": t.unit,
        "scope": t.scope,
        "attribute": None if t.attribute is None else t.attribute.value,
        "baseline": t.baseline,
        "baseline_year": t.baseline_year,
        "due": _date(t.due),
        "task": t.task,
        "observed": t.observed,
        "observed_raw": t.observed_raw,
        "observed_period": t.observed_period,
        "source": t.source,
        "span": _span(t.span),
        "provenance": _provenance(t.provenance),
    }


def plan_to_dict(draft: PlanDraft) -> dict[str, Any]:
    return {
        "source": {"name": draft.source_name, "format": draft.source_format, "sha256": draft.sha256},
        "meta": meta_dict(draft.meta),
        "sections": [section_dict(s) for s in draft.sections],
        "tasks": [task_dict(t) for t in draft.tasks],
        "projects": [project_dict(p) for p in draft.projects],
        "targets": [target_dict(t) for t in draft.targets],
        "warnings": [
            {"code": w.code, "message": w.message, "span": _span(w.span)} for w in draft.warnings
        ],
    }
