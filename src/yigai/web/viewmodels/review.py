"""Plan import and review: the original text beside the extracted structure, every field marked in the text.

The review page lists the draft's metadata, tasks and measures with their departments,
deadlines and categories; each field links to its mark in the source text (anchor
``src-<field key>``, the keys of ``plan_review.field_spans``), and each mark carries the
field's label. Corrections go through ``yigai.services.plan_review``.

The tasks that no department leads come first (``unassigned``), each marked, so the office
can tick many and assign departments to all of them at once (``plan_review.assign_departments``),
picking from the registry (``departments``, a datalist).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yigai.domain.plan import Category, DepartmentRef, Measure, PlanDraft, Task
from yigai.reports.bulletin_data import target_text
from yigai.services.assignment import MODE_LABELS, AssignMode, DepartmentOption, department_options, unassigned_tasks
from yigai.services.items import locate
from yigai.services.plan_review import META_LABELS, DraftReview, FieldSpan, get_review
from yigai.storage.uow import UnitOfWork
from yigai.web.viewmodels.common import deadline_text
from yigai.web.viewmodels.highlight import Mark, Segment, segments

# plan_review's span kinds → the highlight kinds (and so the CSS classes)
SPAN_KINDS = {
    "meta": "meta",
    "section": "section",
    "task": "text",
    "measure": "text",
    "title": "title",
    "text": "text",
    "responsibility": "responsibility",
    "lead": "lead",
    "cooperating": "cooperating",
    "deadline": "deadline",
    "target": "target",
    "category": "category",
    "warning": "warning",
}
CATEGORIES = [c.value for c in Category]
LEVELS = (("district", "区县"), ("city", "地市"), ("province", "省"), ("unknown", "未识别"))
TYPES = ("工作方案", "实施方案", "规划", "意见", "行动计划", "其他")


@dataclass(slots=True)
class DeptView:
    name: str
    raw: str
    known: bool
    anchor: str  # "" when the name was not printed (typed by a reviewer)


@dataclass(slots=True)
class ItemView:
    id: str
    kind: str  # task | measure
    no: str
    title: str
    lead: list[DeptView]
    cooperating: list[DeptView]
    deadline: str
    deadline_value: str  # what the edit form shows
    categories: list[str]
    anchors: dict[str, str]  # field → anchor in the source ("" when not located)
    measures: list[ItemView] = field(default_factory=list)
    needs_lead: bool = False  # some reportable item of it has no lead department

    @property
    def lead_text(self) -> str:
        return "、".join(d.name for d in self.lead)

    @property
    def cooperating_text(self) -> str:
        return "、".join(d.name for d in self.cooperating)


@dataclass(slots=True)
class MetaField:
    name: str
    label: str
    value: str
    anchor: str


@dataclass(slots=True)
class ReviewPage:
    review: DraftReview
    segments: list[Segment]
    meta: list[MetaField]
    items: list[ItemView]  # in document order
    targets: list[tuple[int, str, str, str]]  # index, metric, target text, anchor
    warnings: list[tuple[str, str]]  # message, anchor
    edit: str  # the item whose edit form is open
    departments: list[DepartmentOption] = field(default_factory=list)  # the registry, to pick from
    selected: set[str] = field(default_factory=set)  # items ticked (kept when an assignment is refused)
    levels: tuple[tuple[str, str], ...] = LEVELS
    types: tuple[str, ...] = TYPES
    categories: list[str] = field(default_factory=lambda: list(CATEGORIES))

    @property
    def open(self) -> bool:
        return self.review.info.status.value == "draft"

    @property
    def unassigned(self) -> list[ItemView]:
        """Tasks with an item no department leads: shown first."""
        return [i for i in self.items if i.needs_lead]

    @property
    def assigned(self) -> list[ItemView]:
        return [i for i in self.items if not i.needs_lead]


def anchor(key: str) -> str:
    return f"src-{key}"


def _marks(spans: list[FieldSpan]) -> list[Mark]:
    return [Mark(s.start, s.end, SPAN_KINDS.get(s.kind, "text"), s.label, anchor(s.key)) for s in spans]


def _depts(refs: list[DepartmentRef], key: str, role: str, located: set[str]) -> list[DeptView]:
    return [
        DeptView(r.name, r.raw, r.known, anchor(f"{key}.{role}.{i}") if f"{key}.{role}.{i}" in located else "")
        for i, r in enumerate(refs)
    ]


def _item(thing: Task | Measure, kind: str, located: set[str]) -> ItemView:
    key = thing.id
    title = thing.title if isinstance(thing, Task) else thing.text
    resp = thing.responsibility
    d = thing.deadline
    anchors = {
        name: anchor(f"{key}.{name}") if f"{key}.{name}" in located else ""
        for name in ("title", "text", "deadline", "responsibility", "category")
    }
    anchors["item"] = anchor(key) if key in located else anchors["text"]
    return ItemView(
        key,
        kind,
        thing.no,
        title,
        _depts(resp.lead, key, "lead", located),
        _depts(resp.cooperating, key, "cooperating", located),
        deadline_text(d),
        d.raw or (d.date.isoformat() if d.date else ""),
        [c.value for c in thing.categories],
        anchors,
    )


def _meta(draft: PlanDraft, located: set[str]) -> list[MetaField]:
    m = draft.meta
    values = {
        "title": m.title,
        "issuer": m.issuer,
        "doc_number": m.doc_number,
        "date": m.date.isoformat() if m.date else "",
        "region": m.region,
        "level": m.level.value,
        "type": m.type.value,
        "valid_until": m.valid_until.isoformat() if m.valid_until else "",
    }
    return [
        MetaField(name, META_LABELS[name], value, anchor(f"meta.{name}") if f"meta.{name}" in located else "")
        for name, value in values.items()
    ]


def review_page(uow: UnitOfWork, draft_id: int, edit: str = "") -> ReviewPage:
    review = get_review(uow, draft_id)
    draft = review.draft
    located = {s.key for s in review.spans}
    without_lead = set(unassigned_tasks(draft))
    items = []
    for task in draft.tasks:
        view = _item(task, "task", located)
        view.measures = [_item(m, "measure", located) for m in task.measures]
        view.needs_lead = task.id in without_lead
        for measure in view.measures:
            measure.needs_lead = view.needs_lead and not measure.lead
        items.append(view)
    targets = [
        (i, t.metric, target_text(t), anchor(f"target.{i}") if f"target.{i}" in located else "")
        for i, t in enumerate(draft.targets)
    ]
    warnings = [
        (w.message, anchor(f"warning.{i}") if f"warning.{i}" in located else "") for i, w in enumerate(draft.warnings)
    ]
    options = department_options(uow, draft.meta) if review.info.status.value == "draft" else []
    return ReviewPage(
        review,
        segments(draft.source_text, _marks(review.spans)),
        _meta(draft, located),
        items,
        targets,
        warnings,
        edit,
        options,
    )


def assign_form(
    action: str,
    unassigned: int,
    options: list[DepartmentOption],
    lead: str = "",
    cooperating: str = "",
    mode: str = AssignMode.ADD.value,
) -> dict[str, object]:
    """What ``_assign_form.html`` shows: where it posts, how many tasks lack a lead, the registry, the values."""
    return {
        "action": action,
        "unassigned": unassigned,
        "options": options,
        "modes": [(m.value, label) for m, label in MODE_LABELS.items()],
        "form": {"lead": lead, "cooperating": cooperating, "mode": mode},
    }


def find_item(page: ReviewPage, item_id: str) -> ItemView | None:
    """The view of a task or measure: found by the services' lookup, the page's items being in task order."""
    found = locate(page.review.draft, item_id)
    if found is None:
        return None
    task, measure = found
    view = page.items[page.review.draft.tasks.index(task)]
    return view if measure is None else view.measures[task.measures.index(measure)]
