"""Plan use cases: import, list, look up, responsibility matrix, counts.

Plain functions taking a unit of work (or a draft, for pure views) so the
CLI, the web app and tests call the same code.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from yigai.domain.errors import NotFoundError
from yigai.domain.ids import parse_id
from yigai.domain.plan import DepartmentRef, PlanDraft, Responsibility, Task
from yigai.parsing import parse_file
from yigai.services.departments import office_directory
from yigai.services.errors import PlanHasReportsError
from yigai.services.memo import memoised
from yigai.storage.repository import MatchedBy, PlanCounts, PlanRecord, PlanSummary, department_refs
from yigai.storage.uow import UnitOfWork


class ImportStatus(StrEnum):
    IMPORTED = "imported"
    ALREADY_IMPORTED = "already imported"
    REPLACED = "replaced"


@dataclass(frozen=True, slots=True)
class ImportResult:
    status: ImportStatus
    plan_id: int
    source_name: str
    title: str
    doc_number: str
    counts: PlanCounts
    matched_by: MatchedBy | None = None  # why an existing plan was taken to be this one


def summarize(draft: PlanDraft) -> PlanCounts:
    """The same counts the repository computes in SQL, from a draft in memory."""
    measures = draft.measures()
    return PlanCounts(
        tasks=len(draft.tasks),
        measures=len(measures),
        departments=len({ref.name for ref in department_refs(draft)}),
        targets=len(draft.targets),
        projects=len(draft.projects),
        warnings=len(draft.warnings),
    )


def import_draft(uow: UnitOfWork, draft: PlanDraft, replace: bool = False, *, actor: str = "cli") -> ImportResult:
    """Store a parsed plan once: the same text or the same 文号 is the same plan.

    Without ``replace`` a re-import changes nothing; with it the stored plan is
    replaced (same id) in one transaction, unless the plan already has progress
    reports: those are keyed by task and measure ids that a revised document may
    renumber, so the replace is refused (PlanHasReportsError) rather than risk them.
    """
    with uow:
        status, plan_id, matched_by = store_in(uow, draft, replace)
        if status is not ImportStatus.ALREADY_IMPORTED:
            uow.audit.record(
                actor,
                "plan.replace" if status is ImportStatus.REPLACED else "plan.import",
                "plan",
                str(plan_id),
                after={
                    "title": draft.meta.title,
                    "doc_number": draft.meta.doc_number,
                    "sha256": draft.sha256,
                    "source": draft.source_name,
                },
            )
            uow.commit()
    return ImportResult(
        status=status,
        plan_id=plan_id,
        source_name=draft.source_name,
        title=draft.meta.title,
        doc_number=draft.meta.doc_number,
        counts=summarize(draft),
        matched_by=matched_by,
    )


def store_in(uow: UnitOfWork, draft: PlanDraft, replace: bool) -> tuple[ImportStatus, int, MatchedBy | None]:
    """``import_draft`` inside a unit of work the caller opened and commits (publishing a reviewed draft)."""
    existing = uow.plans.find_existing(sha256=draft.sha256, doc_number=draft.meta.doc_number)
    if existing is None:
        return ImportStatus.IMPORTED, uow.plans.add(draft), None
    if not replace:
        return ImportStatus.ALREADY_IMPORTED, existing.id, existing.matched_by
    reports = uow.reports.count_for_plan(existing.id)
    if reports:
        raise PlanHasReportsError(
            f"plan {existing.id} already has {reports} progress report version(s); replacing it could "
            "orphan them, so it was left unchanged (import the revised document as a new plan)",
            message_zh=f"计划 {existing.id} 已有 {reports} 个进展报告版本，替换可能使其失去对应任务，"
            "因此未替换（请将修订稿作为新计划导入）",
            where=draft.source_name,
        )
    uow.plans.replace(existing.id, draft)
    return ImportStatus.REPLACED, existing.id, existing.matched_by


def import_file(
    uow: UnitOfWork, path: Path, *, replace: bool = False, max_bytes: int | None = None, actor: str = "cli"
) -> ImportResult:
    """Parse a document and import it; bad documents raise DocumentError before any write.

    Department names resolve through the stored alias table (``office_directory``): a
    spelling the office added is read as its department.
    """
    return import_draft(uow, parse_stored(uow, path, max_bytes), replace=replace, actor=actor)


def parse_stored(uow: UnitOfWork, path: Path, max_bytes: int | None = None) -> PlanDraft:
    """Parse a document with the office's department aliases (import, upload for review, re-parse)."""
    with uow:
        directory = office_directory(uow)
    if max_bytes is None:
        return parse_file(path, directory=directory)
    return parse_file(path, max_bytes=max_bytes, directory=directory)


def list_plans(uow: UnitOfWork) -> list[PlanSummary]:
    """Every stored plan's summary (memoised until the next write: most pages list the plans)."""

    def read() -> list[PlanSummary]:
        with uow:
            return uow.plans.summaries()

    return list(memoised(uow, ("plan summaries",), read))


def _not_found(ref: str) -> NotFoundError:
    return NotFoundError(
        f"no plan with id or document number {ref!r}; `yigai plans` lists the imported plans",
        message_zh=f"未找到计划「{ref}」（按编号或文号查找；用 yigai plans 查看已导入的计划）",
        where=ref,
    )


def find_plan(uow: UnitOfWork, ref: str | int, *, shared: bool = False) -> PlanRecord:
    """``get_plan`` for a unit of work that is already open (services that also write)."""
    text = unicodedata.normalize("NFKC", str(ref)).strip()
    if text.isdigit():
        plan_id = parse_id(text)  # None beyond the stored range: no such plan
    else:
        plan_id = uow.plans.id_by_doc_number(text)
    record = None if plan_id is None else uow.plans.get(plan_id, shared=shared)
    if record is None:
        raise _not_found(str(ref))
    return record


def get_plan(uow: UnitOfWork, ref: str | int, *, shared: bool = False) -> PlanRecord:
    """A plan by its id or 文号 (whitespace and full-/half-width digits do not matter).

    ``shared``: the process's cached draft itself, not a copy — for callers that never change it.
    """
    with uow:
        return find_plan(uow, ref, shared=shared)


def get_summary(uow: UnitOfWork, plan_id: int) -> PlanSummary:
    with uow:
        found = uow.plans.summaries([plan_id])
    if not found:
        raise _not_found(str(plan_id))
    return found[0]


@dataclass(slots=True)
class DepartmentLoad:
    """One row of the responsibility matrix: how often a department leads or cooperates."""

    name: str
    kind: str
    lead_tasks: int = 0
    cooperating_tasks: int = 0
    lead_measures: int = 0
    cooperating_measures: int = 0
    lead_projects: int = 0
    cooperating_projects: int = 0

    @property
    def lead(self) -> int:
        """Tasks and measures led (projects are counted apart)."""
        return self.lead_tasks + self.lead_measures

    @property
    def cooperating(self) -> int:
        return self.cooperating_tasks + self.cooperating_measures


def department_matrix(draft: PlanDraft) -> list[DepartmentLoad]:
    """Department × lead/cooperating counts over tasks, measures and projects.

    A department named twice in one clause counts once for that item; rows are
    ordered by how much the department leads, then cooperates, then by name.
    """
    loads: dict[str, DepartmentLoad] = {}

    def tally(resp: Responsibility, what: str) -> None:
        for role, refs in (("lead", resp.lead), ("cooperating", resp.cooperating)):
            for name in {ref.name for ref in refs}:
                kind = next(ref.kind.value for ref in refs if ref.name == name)
                load = loads.setdefault(name, DepartmentLoad(name=name, kind=kind))
                field = f"{role}_{what}"
                setattr(load, field, getattr(load, field) + 1)

    for task in draft.tasks:
        tally(task.responsibility, "tasks")
        for measure in task.measures:
            tally(measure.responsibility, "measures")
    for project in draft.projects:
        tally(project.responsibility, "projects")
    return sorted(loads.values(), key=lambda d: (-d.lead, -d.cooperating, -d.lead_projects, d.name))


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _names(resp: Responsibility) -> list[DepartmentRef]:
    return [*resp.lead, *resp.cooperating]


def tasks_for_department(draft: PlanDraft, name: str) -> list[Task]:
    """Tasks a department leads or supports, with only its measures when it is not on the task.

    ``name`` matches a canonical name exactly, else every canonical or printed
    name that contains it (so 医保 finds 区医保局 and 仓山医保局).
    """
    query = _fold(name)
    every = [
        ref
        for t in draft.tasks
        for r in (t.responsibility, *(m.responsibility for m in t.measures))
        for ref in _names(r)
    ]
    exact = {ref.name for ref in every if _fold(ref.name) == query}
    wanted = exact or {ref.name for ref in every if query in _fold(ref.name) or query in _fold(ref.raw)}
    if not wanted:
        raise NotFoundError(
            f"no department {name!r} in this plan; `yigai departments PLAN` lists them",
            message_zh=f"本计划中没有部门「{name}」（用 yigai departments 查看）",
            where=name,
        )

    def involved(resp: Responsibility) -> bool:
        return any(ref.name in wanted for ref in _names(resp))

    selected = []
    for task in draft.tasks:
        if involved(task.responsibility):
            selected.append(task)
            continue
        measures = [m for m in task.measures if involved(m.responsibility)]
        if measures:
            selected.append(dataclasses.replace(task, measures=measures))
    return selected
