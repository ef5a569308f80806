"""Plan review: upload a document as a draft, correct what the parser got wrong, publish it.

A plan is first a DRAFT: uploaded, parsed and stored whole beside its source text,
invisible to everything that lists, supervises or evaluates plans. The office
reviews it side by side with the document (``get_review`` gives every extracted
field's character span), corrects departments, titles, deadlines, categories and
metadata, deletes what is not a task, and publishes it: only then is it a plan
(``yigai.services.plans``) that can get a schedule, reports and targets. Plans
imported with ``yigai import`` skip the review and are published at once.

Every correction bumps the draft's version and writes an audit entry (entity
``plan_draft``, key the draft id) whose before/after name the item, the field
and the values; ``get_review`` reads them back as the correction history. The
printed text stays the provenance: a corrected department keeps the raw name and
span it was printed with, when it was printed at all.

Only an office admin uploads, corrects, publishes or discards drafts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yigai import clock
from yigai.domain.errors import NotFoundError
from yigai.domain.plan import (
    DepartmentRef,
    Measure,
    PlanDraft,
    PlanMeta,
    Responsibility,
    Section,
    Span,
    Task,
)
from yigai.domain.serialize import deadline_dict, measure_dict, meta_dict, task_dict
from yigai.domain.users import User
from yigai.parsing.departments import default_directory
from yigai.services.assignment import (
    Assignment,
    AssignMode,
    assign,
    check_clash,
    check_request,
    department_kinds,
    dept_value,
    item_ids,
    parse_mode,
    registry_names,
    unique_refs,
)
from yigai.services.assignment import names as assignment_names
from yigai.services.departments import ensure_seeded, resolve_department
from yigai.services.errors import DuplicateError, IllegalTransitionError, InvalidInputError
from yigai.services.items import find_thing, require_admin
from yigai.services.plans import ImportStatus, parse_stored, store_in, summarize
from yigai.services.review_input import (
    META_LABELS,
    typed_categories,
    typed_deadline,
    typed_meta_value,
    typed_names,
    typed_title,
)
from yigai.storage.draft_repository import DraftInfo, DraftRecord, DraftStatus
from yigai.storage.repository import MatchedBy, PlanCounts
from yigai.storage.uow import UnitOfWork

ENTITY = "plan_draft"
TASK_FIELDS = ("title", "deadline", "category")
META_FIELDS = ("title", "issuer", "doc_number", "date", "region", "level", "type", "valid_until")
ITEM_FIELD_LABELS = {
    "title": "标题",
    "text": "正文",
    "category": "类别",
    "deadline": "完成时间",
    "responsibility": "责任单位",
    "lead": "牵头",
    "cooperating": "配合",
}


@dataclass(frozen=True, slots=True)
class FieldSpan:
    """One extracted field and where it was read: ``source_text[start:end]``.

    ``key`` names the field (``meta.title``, ``T3``, ``T3.title``, ``T3.lead.0``,
    ``T3.M1.deadline``, ``target.4`` …); ``item`` is the task or measure it belongs to.
    """

    key: str
    kind: str  # meta | section | task | measure | title | text | responsibility | lead | cooperating | deadline | target | warning
    label: str  # Chinese, for a tooltip
    start: int
    end: int
    item: str | None = None


@dataclass(frozen=True, slots=True)
class Correction:
    """One reviewer's change, as the audit log recorded it."""

    version: int  # the draft version it produced (1 is the upload)
    at: dt.datetime
    actor: str
    action: str  # upload | departments | assign | title | deadline | category | meta | delete | publish | discard
    item: str  # task or measure id ("T1,T2,…" for an assignment to many), "meta", or "" for the whole draft
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A published plan that is the same document (same text or same 文号): publishing replaces it."""

    plan_id: int
    matched_by: MatchedBy
    title: str
    reports: int  # progress report versions; a plan with any cannot be replaced


@dataclass(frozen=True, slots=True)
class DraftReview:
    info: DraftInfo
    draft: PlanDraft
    counts: PlanCounts
    spans: list[FieldSpan]  # by start, the enclosing span first
    corrections: list[Correction]  # oldest first
    duplicate: Duplicate | None
    unknown_departments: list[str]  # names not in the alias table: check them

    @property
    def source_text(self) -> str:
        return self.draft.source_text


# ---------------------------------------------------------------- upload, read, list


def upload_plan(
    uow: UnitOfWork,
    user: User,
    path: Path,
    *,
    source_name: str | None = None,
    max_bytes: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Parse a document into a new draft (status draft) and return its id.

    ``source_name`` is the name the document had on the user's machine when ``path``
    is a temporary file. A bad document raises DocumentError and stores nothing.
    """
    require_admin(user, "upload plans", "上传计划")
    draft = parse_stored(uow, path, max_bytes)  # the office's department aliases apply
    if source_name:
        draft = dataclasses.replace(draft, source_name=re.split(r"[\\/]", source_name)[-1][:255])
    at = now or clock.now()
    with uow:
        draft_id = uow.drafts.add(draft, actor=user.username, at=at)
        counts = summarize(draft)
        uow.audit.record(
            user.username,
            f"{ENTITY}.upload",
            ENTITY,
            str(draft_id),
            at=at,
            after={
                "item": "",
                "version": 1,
                "value": {
                    "source_name": draft.source_name,
                    "sha256": draft.sha256,
                    "title": draft.meta.title,
                    "doc_number": draft.meta.doc_number,
                    "tasks": counts.tasks,
                    "measures": counts.measures,
                },
            },
        )
        uow.commit()
    return draft_id


def list_drafts(uow: UnitOfWork, *, include_closed: bool = False) -> list[DraftInfo]:
    """Drafts under review, newest first; with ``include_closed`` the published and discarded ones too."""
    statuses = tuple(DraftStatus) if include_closed else (DraftStatus.DRAFT,)
    with uow:
        return uow.drafts.list(statuses)


def get_review(uow: UnitOfWork, draft_id: int) -> DraftReview:
    """The draft, its source text, every field's span, the corrections so far and any duplicate plan."""
    with uow:
        record = _find(uow, draft_id)
        draft = record.draft
        entries = uow.audit.entries(entity=ENTITY, entity_key=str(draft_id))
        duplicate = None
        existing = uow.plans.find_existing(sha256=draft.sha256, doc_number=draft.meta.doc_number)
        if existing is not None and record.info.status is DraftStatus.DRAFT:
            summary = uow.plans.summaries([existing.id])
            duplicate = Duplicate(
                existing.id,
                existing.matched_by,
                summary[0].title if summary else "",
                uow.reports.count_for_plan(existing.id),
            )
    corrections = [
        Correction(
            version=int((e.after or {}).get("version", 0)),
            at=e.at,
            actor=e.actor,
            action=e.action.removeprefix(f"{ENTITY}."),
            item=str((e.after or e.before or {}).get("item", "")),
            before=(e.before or {}).get("value"),
            after=(e.after or {}).get("value"),
        )
        for e in entries
    ]
    unknown = sorted({ref.name for ref in _refs(draft) if not ref.known})
    return DraftReview(record.info, draft, summarize(draft), field_spans(draft), corrections, duplicate, unknown)


def field_spans(draft: PlanDraft) -> list[FieldSpan]:
    """Every extracted field that has a span, for highlighting the source beside the structure."""
    found: dict[str, FieldSpan] = {}

    def add(key: str, kind: str, label: str, span: Span | None, item: str | None = None) -> None:
        if span is not None and span.end > span.start and key not in found:
            found[key] = FieldSpan(key, kind, label, span.start, span.end, item)

    for name, span in draft.meta.provenance.items():
        add(f"meta.{name}", "meta", META_LABELS.get(name, name), span)

    def sections(items: Iterable[Section]) -> None:
        for s in items:
            add(f"section.{s.id}", "section", f"{s.marker}{s.title}", s.span)
            sections(s.children)

    sections(draft.sections)

    def item(key: str, kind: str, label: str, thing: Task | Measure) -> None:
        add(key, kind, label, thing.span, key)
        for name, span in thing.provenance.items():
            add(f"{key}.{name}", name, f"{label}：{ITEM_FIELD_LABELS.get(name, name)}", span, key)
        resp = thing.responsibility
        add(f"{key}.responsibility", "responsibility", f"{label}：责任单位", resp.span, key)
        for role, refs in (("lead", resp.lead), ("cooperating", resp.cooperating)):
            for i, ref in enumerate(refs):
                add(f"{key}.{role}.{i}", role, f"{ITEM_FIELD_LABELS[role]}：{ref.name}", ref.span, key)
        add(f"{key}.deadline", "deadline", f"{label}：完成时间", thing.deadline.span, key)

    for task in draft.tasks:
        item(task.id, "task", f"任务{task.no or task.id}", task)
        for measure in task.measures:
            item(measure.id, "measure", f"措施{measure.no or measure.id}", measure)
    for i, target in enumerate(draft.targets):
        add(f"target.{i}", "target", f"目标：{target.metric}", target.span, target.task)
    for i, warning in enumerate(draft.warnings):
        add(f"warning.{i}", "warning", warning.message, warning.span)
    return sorted(found.values(), key=lambda f: (f.start, -f.end))


# ---------------------------------------------------------------- corrections


def set_task_departments(
    uow: UnitOfWork,
    user: User,
    draft_id: int,
    task_id: str,
    lead: Sequence[str],
    cooperating: Sequence[str],
    *,
    now: dt.datetime | None = None,
) -> Responsibility:
    """Replace the lead and cooperating departments of a task (or of a measure: ``T4.M2``).

    Names go through the department aliases (区卫健局 → 区卫生健康委); a name the
    table does not know is kept as typed and flagged (``known`` false). A department
    that was printed keeps its printed name and span; the clause text stays as printed.
    """
    lead_names, coop_names = typed_names(lead, "lead"), typed_names(cooperating, "cooperating")
    both = set(lead_names) & set(coop_names)

    def change(uow: UnitOfWork, draft: PlanDraft) -> tuple[str, Any, Any]:
        thing = _item(draft, task_id)
        resp = thing.responsibility
        printed = {ref.name: ref for ref in (*resp.lead, *resp.cooperating)}
        new_lead = [_ref(uow, draft, n, printed) for n in lead_names]
        new_coop = [_ref(uow, draft, n, printed) for n in coop_names]
        lead_set = {r.name for r in new_lead}
        clash = both | {r.name for r in new_coop if r.name in lead_set}
        if clash:
            raise InvalidInputError(
                f"{', '.join(sorted(clash))} cannot both lead and cooperate",
                message_zh=f"「{'、'.join(sorted(clash))}」不能同时是牵头部门和配合部门",
                where="cooperating",
            )
        before = dept_value(resp)
        resp.lead, resp.cooperating = unique_refs(new_lead), unique_refs(new_coop)
        return "departments", before, dept_value(resp)

    draft = _correct(uow, user, draft_id, task_id, change, now)
    return _item(draft, task_id).responsibility


def assign_departments(
    uow: UnitOfWork,
    user: User,
    draft_id: int,
    items: Sequence[str] | str,
    lead: Sequence[str] | str = (),
    cooperating: Sequence[str] | str = (),
    *,
    mode: AssignMode | str = AssignMode.ADD,
    now: dt.datetime | None = None,
) -> Assignment:
    """Assign lead and cooperating departments to many tasks or measures of the draft at once.

    Names must be in the department registry (aliases resolved; an unknown name is refused,
    naming it); ``mode`` adds to the departments already there or replaces them
    (``yigai.services.assignment``). One correction: one new version and one audit entry
    (action ``assign``) whose before and after give each chosen item's departments.
    """
    require_admin(user, "correct plan drafts", "修改计划草稿")
    how = parse_mode(mode)
    ids = item_ids(items)
    lead_typed, coop_typed = assignment_names(lead, "lead"), assignment_names(cooperating, "cooperating")
    check_request(lead_typed, coop_typed, how)
    done: dict[str, Any] = {}

    def change(uow: UnitOfWork, draft: PlanDraft) -> tuple[str, Any, Any]:
        region = draft.meta.region
        lead_names = registry_names(uow, lead_typed, region, "lead")
        coop_names = registry_names(uow, coop_typed, region, "cooperating")
        check_clash(lead_names, coop_names)
        things = [(item_id, find_thing(draft, item_id, in_draft=True)) for item_id in ids]
        kinds = department_kinds(uow)
        before, after, changed = {}, {}, []
        for item_id, thing in things:
            before[item_id] = dept_value(thing.responsibility)
            if assign(thing.responsibility, lead_names, coop_names, how, kinds, region):
                changed.append(item_id)
            after[item_id] = dept_value(thing.responsibility)
        done.update(lead=lead_names, cooperating=coop_names, changed=changed)
        return "assign", {"items": before}, {"mode": how.value, "items": after}

    _correct(uow, user, draft_id, ",".join(ids), change, now)
    with uow:
        version = _find(uow, draft_id).info.version
    return Assignment(ids, done["changed"], done["lead"], done["cooperating"], how, version)


def set_task_field(
    uow: UnitOfWork, user: User, draft_id: int, task_id: str, field: str, value: Any, *, now: dt.datetime | None = None
) -> Any:
    """Correct one field of a task or measure: ``title`` (a measure's text), ``deadline`` or ``category``.

    A deadline is a date (``2023-12-31``) or what a plan prints (``2023年底``, ``持续推进``,
    ``按序时进度``; empty clears it); the printed span is kept. A category is one of
    措施类, 政策类, 指标类, or a list of them. Returns the new value.
    """
    if field not in TASK_FIELDS:
        raise InvalidInputError(
            f"unknown field {field!r}; one of {', '.join(TASK_FIELDS)}",
            message_zh=f"不能修改字段「{field}」（可修改：标题、完成时间、类别）",
            where="field",
        )

    def change(uow: UnitOfWork, draft: PlanDraft) -> tuple[str, Any, Any]:
        thing = _item(draft, task_id)
        if field == "title":
            text = typed_title(value)
            if isinstance(thing, Task):
                before, thing.title = thing.title, text
            else:
                before, thing.text = thing.text, text
            return "title", before, text
        if field == "deadline":
            before_d = thing.deadline
            thing.deadline = typed_deadline(value, before_d.span)
            return "deadline", deadline_dict(before_d), deadline_dict(thing.deadline)
        before_c = [c.value for c in thing.categories]
        thing.categories = typed_categories(value)
        if isinstance(thing, Task):
            thing.categories_inferred = False
        return "category", before_c, [c.value for c in thing.categories]

    draft = _correct(uow, user, draft_id, task_id, change, now)
    thing = _item(draft, task_id)
    if field == "title":
        return thing.title if isinstance(thing, Task) else thing.text
    return thing.deadline if field == "deadline" else list(thing.categories)


def set_meta(uow: UnitOfWork, user: User, draft_id: int, *, now: dt.datetime | None = None, **changes: Any) -> PlanMeta:
    """Correct the plan's metadata: title, issuer, doc_number (文号), date, region, level, type, valid_until.

    Dates are ISO dates (or empty to clear); level is province/city/district/unknown;
    type is one of 工作方案, 实施方案, 规划, 意见, 行动计划, 其他.
    """
    unknown = sorted(set(changes) - set(META_FIELDS))
    if unknown or not changes:
        raise InvalidInputError(
            f"unknown metadata field(s) {', '.join(unknown) or '(none given)'}; one of {', '.join(META_FIELDS)}",
            message_zh=f"不能修改字段「{'、'.join(unknown) or '（未指定）'}」",
            where="meta",
        )
    parsed = {name: typed_meta_value(name, value) for name, value in changes.items()}

    def change(uow: UnitOfWork, draft: PlanDraft) -> tuple[str, Any, Any]:
        before = meta_dict(draft.meta)
        for name, value in parsed.items():
            setattr(draft.meta, name, value)
        after = meta_dict(draft.meta)
        keys = [k for k in META_FIELDS if before[k] != after[k]]
        return "meta", {k: before[k] for k in keys}, {k: after[k] for k in keys}

    return _correct(uow, user, draft_id, "meta", change, now).meta


def delete_task(uow: UnitOfWork, user: User, draft_id: int, task_id: str, *, now: dt.datetime | None = None) -> None:
    """Remove a task (with its measures) or one measure that the parser took for one.

    The other ids stay as they are; a target that belonged to the task stays in the plan, unattached.
    """

    def change(uow: UnitOfWork, draft: PlanDraft) -> tuple[str, Any, Any]:
        thing = _item(draft, task_id)
        if isinstance(thing, Task):
            draft.tasks.remove(thing)
            for target in draft.targets:
                if target.task == thing.id:
                    target.task = None
            return "delete", task_dict(thing), None
        for task in draft.tasks:
            if thing in task.measures:
                task.measures.remove(thing)
        return "delete", measure_dict(thing), None

    _correct(uow, user, draft_id, task_id, change, now)


# ---------------------------------------------------------------- publish, discard


def publish(
    uow: UnitOfWork, user: User, draft_id: int, *, replace: bool = False, now: dt.datetime | None = None
) -> int:
    """Publish the reviewed draft as a plan and return the plan's id.

    A draft of a document already published (same text or same 文号) replaces that
    plan under the same id, but only when asked (``replace``) and only while that plan
    has no progress reports; otherwise nothing changes and the error says why.
    """
    require_admin(user, "publish plans", "发布计划")
    at = now or clock.now()
    with uow:
        record = _open(uow, draft_id)
        draft = record.draft
        if not draft.tasks:
            raise InvalidInputError(
                "the draft has no tasks; a plan without tasks cannot be supervised",
                message_zh="草稿中没有任务，不能发布",
                where="tasks",
            )
        status, plan_id, matched_by = store_in(uow, draft, replace)
        if status is ImportStatus.ALREADY_IMPORTED:
            how = "the same text" if matched_by == "sha256" else "the same document number"
            how_zh = "文本相同" if matched_by == "sha256" else "文号相同"
            raise DuplicateError(
                f"this document is already published as plan {plan_id} ({how}); publish with replace to replace it",
                message_zh=f"该文件已发布为计划 {plan_id}（{how_zh}）；如需替换，请选择替换原计划后发布",
                where="replace",
            )
        version = record.info.version
        uow.drafts.set_status(draft_id, DraftStatus.PUBLISHED, actor=user.username, at=at, plan_id=plan_id)
        counts = summarize(draft)
        published = {
            "plan_id": plan_id,
            "draft_id": draft_id,
            "version": version,
            "replaced": bool(matched_by),
            "title": draft.meta.title,
            "doc_number": draft.meta.doc_number,
            "tasks": counts.tasks,
            "measures": counts.measures,
            "targets": counts.targets,
        }
        uow.audit.record(user.username, "plan.publish", "plan", str(plan_id), after=published, at=at)
        uow.audit.record(
            user.username,
            f"{ENTITY}.publish",
            ENTITY,
            str(draft_id),
            at=at,
            after={"item": "", "version": version, "value": published},
        )
        uow.commit()
    return plan_id


def discard_draft(uow: UnitOfWork, user: User, draft_id: int, *, now: dt.datetime | None = None) -> None:
    """Drop a draft that will not be published; it stays readable, with its history."""
    require_admin(user, "discard drafts", "删除草稿")
    at = now or clock.now()
    with uow:
        record = _open(uow, draft_id)
        uow.drafts.set_status(draft_id, DraftStatus.DISCARDED, actor=user.username, at=at)
        uow.audit.record(
            user.username,
            f"{ENTITY}.discard",
            ENTITY,
            str(draft_id),
            at=at,
            after={"item": "", "version": record.info.version, "value": None},
        )
        uow.commit()


# ---------------------------------------------------------------- helpers


Change = Callable[[UnitOfWork, PlanDraft], tuple[str, Any, Any]]


def _correct(
    uow: UnitOfWork, user: User, draft_id: int, item: str, change: Change, now: dt.datetime | None
) -> PlanDraft:
    """Apply one correction to an open draft, store it as a new version, audit it."""
    require_admin(user, "correct plan drafts", "修改计划草稿")
    at = now or clock.now()
    with uow:
        draft = _open(uow, draft_id).draft
        action, before, after = change(uow, draft)
        version = uow.drafts.save(draft_id, draft, actor=user.username, at=at)
        uow.audit.record(
            user.username,
            f"{ENTITY}.{action}",
            ENTITY,
            str(draft_id),
            at=at,
            before={"item": item, "value": before},
            after={"item": item, "version": version, "value": after},
        )
        uow.commit()
    return draft


def _find(uow: UnitOfWork, draft_id: int) -> DraftRecord:
    record = uow.drafts.get(int(draft_id))
    if record is None:
        raise NotFoundError(f"no plan draft {draft_id}", message_zh=f"未找到计划草稿 {draft_id}", where="draft")
    return record


def _open(uow: UnitOfWork, draft_id: int) -> DraftRecord:
    """A draft that may still change: not yet published or discarded."""
    record = _find(uow, draft_id)
    if record.info.status is not DraftStatus.DRAFT:
        done = {DraftStatus.PUBLISHED: ("published", "已发布"), DraftStatus.DISCARDED: ("discarded", "已删除")}
        en, zh = done[record.info.status]
        plan = f" as plan {record.info.published_plan_id}" if record.info.published_plan_id else ""
        plan_zh = f"为计划 {record.info.published_plan_id}" if record.info.published_plan_id else ""
        raise IllegalTransitionError(
            f"draft {draft_id} is already {en}{plan}",
            message_zh=f"草稿 {draft_id} {zh}{plan_zh}，不能再修改",
            where="draft",
        )
    return record


def _item(draft: PlanDraft, item_id: str) -> Task | Measure:
    return find_thing(draft, item_id, in_draft=True, where="task")


def _refs(draft: PlanDraft) -> list[DepartmentRef]:
    resps = [t.responsibility for t in draft.tasks] + [m.responsibility for m in draft.measures()]
    return [ref for r in resps for ref in (*r.lead, *r.cooperating)]


def _ref(uow: UnitOfWork, draft: PlanDraft, name: str, printed: dict[str, DepartmentRef]) -> DepartmentRef:
    """The department a reviewer typed, canonical through the aliases, with its printed name and span if any."""
    ensure_seeded(uow)
    region = draft.meta.region
    canonical = resolve_department(uow, name, region)
    if canonical in printed:
        old = printed[canonical]
        return DepartmentRef(canonical, old.raw, old.kind, old.known, old.span)
    resolution = default_directory().resolve(canonical, region)
    known = (
        bool(uow.departments.lookup(canonical, region)) or resolution.known or canonical in uow.departments.plan_names()
    )
    return DepartmentRef(canonical, name, resolution.kind, known, None)
