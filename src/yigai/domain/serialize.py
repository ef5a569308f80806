"""Plain-data views of a plan draft (the JSON the CLI and API print).

Field names follow the published contract: top level ``meta``, ``sections``,
``tasks``, ``projects``, ``targets``, ``warnings``.
"""

from __future__ import annotations

import datetime as dt
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


def responsibility_dict(r: Responsibility) -> dict[str, Any]:
    """A responsibility clause in the stored form: departments, "and others" flags, the clause's text and span."""
    return {**_resp(r), "responsibility_raw": r.raw, "responsibility_span": _span(r.span)}


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
        "implicit": t.implicit,
    }


def plan_to_dict(draft: PlanDraft) -> dict[str, Any]:
    return {
        "source": {"name": draft.source_name, "format": draft.source_format, "sha256": draft.sha256},
        "meta": meta_dict(draft.meta),
        "sections": [section_dict(s) for s in draft.sections],
        "tasks": [task_dict(t) for t in draft.tasks],
        "projects": [project_dict(p) for p in draft.projects],
        "targets": [target_dict(t) for t in draft.targets],
        "warnings": [{"code": w.code, "message": w.message, "span": _span(w.span)} for w in draft.warnings],
    }


# ---------------------------------------------------------------- back from plain data


def _span_of(value: list[int] | None) -> Span | None:
    return None if value is None else Span(int(value[0]), int(value[1]))


def _date_of(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _provenance_of(data: dict[str, list[int]]) -> Provenance:
    return {key: Span(int(v[0]), int(v[1])) for key, v in data.items()}


def department_from_dict(d: dict[str, Any]) -> DepartmentRef:
    return DepartmentRef(
        name=d["name"], raw=d["raw"], kind=DepartmentKind(d["kind"]), known=d["known"], span=_span_of(d["span"])
    )


def deadline_from_dict(d: dict[str, Any]) -> Deadline:
    return Deadline(kind=DeadlineKind(d["kind"]), date=_date_of(d["date"]), raw=d["raw"], span=_span_of(d["span"]))


def _resp_of(d: dict[str, Any]) -> Responsibility:
    return Responsibility(
        lead=[department_from_dict(x) for x in d["lead"]],
        cooperating=[department_from_dict(x) for x in d["cooperating"]],
        lead_and_others=d.get("lead_and_others", False),
        cooperating_and_others=d.get("cooperating_and_others", False),
        raw=d.get("responsibility_raw", ""),
        span=_span_of(d.get("responsibility_span")),
    )


def _section_of(d: dict[str, Any]) -> Section:
    return Section(
        id=d["id"],
        level=d["level"],
        marker=d["marker"],
        number=d["number"],
        title=d["title"],
        span=Span(*d["span"]),
        children=[_section_of(c) for c in d["children"]],
    )


def _categories_of(d: dict[str, Any]) -> list[Category]:
    return [Category(c) for c in d["categories"]]


def _measure_of(d: dict[str, Any]) -> Measure:
    return Measure(
        id=d["id"],
        no=d["no"],
        text=d["text"],
        responsibility=_resp_of(d),
        deadline=deadline_from_dict(d["deadline"]),
        categories=_categories_of(d),
        span=_span_of(d["span"]),
        provenance=_provenance_of(d["provenance"]),
    )


def _task_of(d: dict[str, Any]) -> Task:
    return Task(
        id=d["id"],
        no=d["no"],
        path=list(d["path"]),
        section_id=d["section"],
        title=d["title"],
        text=d["text"],
        responsibility=_resp_of(d),
        deadline=deadline_from_dict(d["deadline"]),
        categories=_categories_of(d),
        categories_inferred=d["categories_inferred"],
        measures=[_measure_of(m) for m in d["measures"]],
        span=_span_of(d["span"]),
        provenance=_provenance_of(d["provenance"]),
    )


def _target_of(d: dict[str, Any]) -> Target:
    return Target(
        raw=d["raw"],
        metric=d["metric"],
        comparator=None if d["comparator"] is None else Comparator(d["comparator"]),
        value=d["value"],
        value_high=d["value_high"],
        unit=d["unit"],
        scope=d["scope"],
        attribute=None if d["attribute"] is None else TargetAttribute(d["attribute"]),
        baseline=d["baseline"],
        baseline_year=d["baseline_year"],
        due=_date_of(d["due"]),
        task=d["task"],
        observed=d["observed"],
        observed_raw=d["observed_raw"],
        observed_period=d["observed_period"],
        source=d["source"],
        span=_span_of(d["span"]),
        provenance=_provenance_of(d["provenance"]),
        implicit=bool(d.get("implicit", False)),  # drafts stored before the flag existed
    )


def _meta_of(d: dict[str, Any]) -> PlanMeta:
    return PlanMeta(
        title=d["title"],
        issuer=d["issuer"],
        doc_number=d["doc_number"],
        date=_date_of(d["date"]),
        region=d["region"],
        level=PlanLevel(d["level"]),
        type=PlanType(d["type"]),
        valid_until=_date_of(d["valid_until"]),
        provenance=_provenance_of(d["provenance"]),
    )


def plan_to_stored_dict(draft: PlanDraft) -> dict[str, Any]:
    """``plan_to_dict`` plus what it leaves out for brevity (responsibility clauses, project
    details), so that ``plan_from_dict(plan_to_stored_dict(d), d.source_text) == d``."""
    data = plan_to_dict(draft)

    for t_out, task in zip(data["tasks"], draft.tasks, strict=True):
        t_out.update(responsibility_dict(task.responsibility))
        for m_out, measure in zip(t_out["measures"], task.measures, strict=True):
            m_out.update(responsibility_dict(measure.responsibility))
    for p_out, project in zip(data["projects"], draft.projects, strict=True):
        p_out.update(responsibility_dict(project.responsibility))
    return data


def plan_from_dict(data: dict[str, Any], source_text: str) -> PlanDraft:
    """The inverse of ``plan_to_stored_dict``: a stored draft back to the domain object."""
    source = data["source"]
    return PlanDraft(
        source_name=source["name"],
        source_format=source["format"],
        source_text=source_text,
        sha256=source["sha256"],
        meta=_meta_of(data["meta"]),
        sections=[_section_of(s) for s in data["sections"]],
        tasks=[_task_of(t) for t in data["tasks"]],
        projects=[
            Project(no=p["no"], group=p["group"], text=p["text"], responsibility=_resp_of(p), span=_span_of(p["span"]))
            for p in data["projects"]
        ],
        targets=[_target_of(t) for t in data["targets"]],
        warnings=[
            ParseWarning(code=w["code"], message=w["message"], span=_span_of(w["span"])) for w in data["warnings"]
        ],
    )
