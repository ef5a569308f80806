"""The plan repository: what services may ask of storage, and its SQL implementation.

Services see ``PlanRepository`` (a Protocol) and the plain records below,
never ORM rows, so a fake or another backend can stand in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, Engine, distinct, func, select
from sqlalchemy.orm import Session, selectinload

from yigai.domain.plan import DepartmentRef, PlanDraft, Responsibility, copy_draft
from yigai.storage.mapping import doc_number_key, plan_to_row, responsibility_rows, row_to_draft
from yigai.storage.models import (
    DepartmentRow,
    MeasureRow,
    ParseWarningRow,
    PlanRow,
    ProjectRow,
    ResponsibilityRow,
    TargetRow,
    TaskRow,
    new_revision,
)

MatchedBy = Literal["sha256", "doc_number"]


@dataclass(frozen=True, slots=True)
class PlanCounts:
    """How big a plan is; ``departments`` counts distinct departments named anywhere."""

    tasks: int = 0
    measures: int = 0
    departments: int = 0
    targets: int = 0
    projects: int = 0
    warnings: int = 0


@dataclass(frozen=True, slots=True)
class PlanSummary:
    id: int
    title: str
    doc_number: str
    issuer: str
    date: dt.date | None
    region: str
    source_name: str
    imported_at: dt.datetime
    counts: PlanCounts


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """A stored plan: its id in the database and the full draft."""

    id: int
    draft: PlanDraft
    imported_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ExistingPlan:
    id: int
    matched_by: MatchedBy


class PlanRepository(Protocol):
    def add(self, draft: PlanDraft) -> int: ...
    def replace(self, plan_id: int, draft: PlanDraft) -> None: ...
    def set_responsibilities(self, plan_id: int, changes: Mapping[str, Responsibility], region: str) -> None: ...
    def get(self, plan_id: int, *, shared: bool = False) -> PlanRecord | None: ...
    def find_existing(self, *, sha256: str, doc_number: str) -> ExistingPlan | None: ...
    def id_by_doc_number(self, doc_number: str) -> int | None: ...
    def summaries(self, plan_ids: Iterable[int] | None = None) -> list[PlanSummary]: ...


@dataclass(frozen=True, slots=True)
class _Cached:
    revision: str
    imported_at: dt.datetime
    draft: PlanDraft  # never handed out: each reader gets its own copy


# Plans already read, per engine (so per database) and plan id, checked against the stored
# revision on every read: a plan is read once per process until it changes.
_CACHE: WeakKeyDictionary[Engine, dict[int, _Cached]] = WeakKeyDictionary()
_CACHE_SIZE = 64


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def department_refs(draft: PlanDraft) -> list[DepartmentRef]:
    """Every department named in the plan: tasks, measures and projects, as printed."""
    resps: list[Responsibility] = [t.responsibility for t in draft.tasks]
    resps += [m.responsibility for m in draft.measures()]
    resps += [p.responsibility for p in draft.projects]
    return [ref for r in resps for ref in (*r.lead, *r.cooperating)]


class SqlPlanRepository:
    """``PlanRepository`` on a SQLAlchemy session; the unit of work owns the transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._loaded: dict[int, PlanRecord] = {}  # plans read in this unit of work (a batch reads one often)
        self._shared: dict[int, PlanRecord] = {}  # the same, for read-only readers (not copies)

    # -- writing

    def _resolver(self, draft: PlanDraft) -> dict[str, DepartmentRow]:
        """Registry rows for every department the draft names, created when new."""
        return self._department_rows(draft.meta.region, department_refs(draft))

    def _department_rows(self, region: str, refs: list[DepartmentRef]) -> dict[str, DepartmentRow]:
        """Registry rows of ``region`` for these departments, created when new."""
        names = {ref.name for ref in refs}
        found = (
            {
                row.name: row
                for row in self.session.scalars(
                    select(DepartmentRow).where(DepartmentRow.region == region, DepartmentRow.name.in_(names))
                )
            }
            if names
            else {}
        )
        for ref in refs:
            if ref.name not in found:
                found[ref.name] = DepartmentRow(region=region, name=ref.name, kind=ref.kind.value)
                self.session.add(found[ref.name])
        return found

    def add(self, draft: PlanDraft, *, plan_id: int | None = None) -> int:
        self._loaded.clear()
        self._shared.clear()
        departments = self._resolver(draft)
        row = plan_to_row(draft, resolve=lambda ref: departments[ref.name], imported_at=_now())
        if plan_id is not None:
            row.id = plan_id
        self.session.add(row)
        self.session.flush()
        return row.id

    def replace(self, plan_id: int, draft: PlanDraft) -> None:
        """Delete the stored plan and store ``draft`` under the same id."""
        self._loaded.clear()
        self._shared.clear()
        old = self.session.get(PlanRow, plan_id)
        if old is None:
            raise KeyError(plan_id)
        self.session.delete(old)
        self.session.flush()
        self.add(draft, plan_id=plan_id)

    def set_responsibilities(self, plan_id: int, changes: Mapping[str, Responsibility], region: str) -> None:
        """Replace the lead and cooperating departments of some tasks and measures (by id) of a stored plan.

        Only their responsibility rows change (the printed clause and its span stay, and nothing
        else of the plan); the plan gets a new revision, so every cache reads it again. Progress
        reports are keyed by plan and item id, not by these rows: they are untouched.
        """
        self._loaded.clear()
        self._shared.clear()
        tasks = selectinload(PlanRow.tasks)
        plan = self.session.scalars(
            select(PlanRow)
            .where(PlanRow.id == plan_id)
            .options(
                tasks.selectinload(TaskRow.responsibilities),
                tasks.selectinload(TaskRow.measures).selectinload(MeasureRow.responsibilities),
            )
        ).one_or_none()
        if plan is None:
            raise KeyError(plan_id)
        owners: dict[str, TaskRow | MeasureRow] = {}
        for task in plan.tasks:
            owners[task.key] = task
            owners.update((m.key, m) for m in task.measures)
        missing = sorted(set(changes) - set(owners))
        if missing:
            raise KeyError(", ".join(missing))
        refs = [ref for resp in changes.values() for ref in (*resp.lead, *resp.cooperating)]
        departments = self._department_rows(region, refs)
        with self.session.no_autoflush:
            for key, resp in changes.items():
                owners[key].responsibilities = responsibility_rows(resp, plan, lambda ref: departments[ref.name])
        plan.revision = new_revision()
        self.session.flush()

    # -- reading

    def stamp(self, plan_id: int) -> tuple[Engine | None, str] | None:
        """What identifies this plan's stored state: the database engine and the plan's revision."""
        revision = self.session.execute(select(PlanRow.revision).where(PlanRow.id == plan_id)).scalar()
        if revision is None:
            return None
        bind = self.session.get_bind()
        return (bind if isinstance(bind, Engine) else None), str(revision)

    def get(self, plan_id: int, *, shared: bool = False) -> PlanRecord | None:
        """The stored plan: read once per unit of work, and from the process cache while its revision holds.

        Each unit of work gets its own ``PlanDraft`` (a caller may not change another's), unless
        ``shared``: then the process cache's own draft, not copied — for readers that only look
        (a page, a report's history), since copying a plan was a tenth of their cost.
        """
        if plan_id in self._loaded:
            return self._loaded[plan_id]
        if shared and plan_id in self._shared:
            return self._shared[plan_id]
        stamp = self.session.execute(select(PlanRow.revision, PlanRow.imported_at).where(PlanRow.id == plan_id)).first()
        if stamp is None:
            return None
        engine = self.session.get_bind()
        cache = _CACHE.setdefault(engine, {}) if isinstance(engine, Engine) else {}
        hit = cache.get(plan_id)
        if hit is None or hit.revision != stamp.revision:
            loaded = self._load(plan_id)
            if len(cache) >= _CACHE_SIZE:
                cache.pop(next(iter(cache)))
            hit = cache[plan_id] = _Cached(stamp.revision, loaded.imported_at, loaded.draft)
        if shared:
            record = self._shared[plan_id] = PlanRecord(plan_id, hit.draft, hit.imported_at)
        else:
            record = self._loaded[plan_id] = PlanRecord(plan_id, copy_draft(hit.draft), hit.imported_at)
        return record

    def _load(self, plan_id: int) -> PlanRecord:
        dept = ResponsibilityRow.department
        stmt = (
            select(PlanRow)
            .where(PlanRow.id == plan_id)
            .options(
                selectinload(PlanRow.sections),
                selectinload(PlanRow.tasks).selectinload(TaskRow.responsibilities).joinedload(dept),
                selectinload(PlanRow.tasks)
                .selectinload(TaskRow.measures)
                .selectinload(MeasureRow.responsibilities)
                .joinedload(dept),
                selectinload(PlanRow.projects).selectinload(ProjectRow.responsibilities).joinedload(dept),
                selectinload(PlanRow.targets),
                selectinload(PlanRow.warnings),
            )
        )
        row = self.session.scalars(stmt).one()
        return PlanRecord(id=row.id, draft=row_to_draft(row), imported_at=row.imported_at)

    def find_existing(self, *, sha256: str, doc_number: str) -> ExistingPlan | None:
        """The stored plan that is the same document: same text, else same 文号."""
        plan_id = self.session.scalar(select(PlanRow.id).where(PlanRow.sha256 == sha256))
        if plan_id is not None:
            return ExistingPlan(plan_id, "sha256")
        plan_id = self.id_by_doc_number(doc_number)
        return None if plan_id is None else ExistingPlan(plan_id, "doc_number")

    def id_by_doc_number(self, doc_number: str) -> int | None:
        key = doc_number_key(doc_number)
        if key is None:
            return None
        return self.session.scalar(select(PlanRow.id).where(PlanRow.doc_number_key == key))

    def summaries(self, plan_ids: Iterable[int] | None = None) -> list[PlanSummary]:
        """Counts per plan computed in SQL, without loading documents."""

        def count(expr: ColumnElement[int], *where: ColumnElement[bool]) -> ColumnElement[int]:
            return select(expr).where(*where).scalar_subquery()

        stmt = select(
            PlanRow.id,
            PlanRow.title,
            PlanRow.doc_number,
            PlanRow.issuer,
            PlanRow.date,
            PlanRow.region,
            PlanRow.source_name,
            PlanRow.imported_at,
            count(func.count(TaskRow.id), TaskRow.plan_id == PlanRow.id),
            count(func.count(MeasureRow.id), MeasureRow.task_id == TaskRow.id, TaskRow.plan_id == PlanRow.id),
            count(func.count(distinct(ResponsibilityRow.department_id)), ResponsibilityRow.plan_id == PlanRow.id),
            count(func.count(TargetRow.id), TargetRow.plan_id == PlanRow.id),
            count(func.count(ProjectRow.id), ProjectRow.plan_id == PlanRow.id),
            count(func.count(ParseWarningRow.id), ParseWarningRow.plan_id == PlanRow.id),
        ).order_by(PlanRow.id)
        if plan_ids is not None:
            stmt = stmt.where(PlanRow.id.in_(list(plan_ids)))
        return [
            PlanSummary(
                id=r[0],
                title=r[1],
                doc_number=r[2],
                issuer=r[3],
                date=r[4],
                region=r[5],
                source_name=r[6],
                imported_at=r[7],
                counts=PlanCounts(*r[8:]),
            )
            for r in self.session.execute(stmt)
        ]
