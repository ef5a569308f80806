"""Reporting schedules, progress-report versions and evidence metadata.

Reports are append-only: ``add`` inserts the next version and nothing here
updates or deletes a report row (a department rename is the one exception,
done by ``DepartmentRepository.rename``, and it gives the plans concerned a new
revision). So ``for_plan`` keeps each plan's reports per process and, when the
plan's report count or highest row id has moved, reads only the rows added since.
What it keeps is each report's standing history: a draft that a later version
replaced is left out, so the cache grows with submissions, not with every save
of a department's typing (``versions`` and ``for_item`` read every version).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, aliased

from yigai.clock import aware, now, to_utc
from yigai.domain.periods import Period, PeriodType, parse_period, periods_between
from yigai.domain.reports import Evidence, ProgressReport, ProgressStatus, ReviewState
from yigai.storage.models import PlanRow
from yigai.storage.supervision_models import EvidenceFileRow, PlanScheduleRow, ProgressReportRow, ReportEvidenceRow


@dataclass(frozen=True, slots=True)
class _Stamp:
    """What changes when a plan's reports do: its revision (renames), the row count and the highest id."""

    revision: str | None
    count: int
    last_id: int


# Each plan's standing reports, per engine (so per database), sorted as ``for_plan`` returns them;
# the stamp's count is of every row read, superseded drafts included.
_CACHE: WeakKeyDictionary[Engine, dict[int, tuple[_Stamp, list[ProgressReport]]]] = WeakKeyDictionary()


def _order(report: ProgressReport) -> tuple[str, str, int]:
    return report.period_id, report.item_id, report.version


def _standing(reports: list[ProgressReport]) -> list[ProgressReport]:
    """``reports`` (sorted by ``_order``) without the drafts a later version of the same report replaced."""
    return [
        r
        for i, r in enumerate(reports)
        if r.state is not ReviewState.DRAFT
        or i + 1 == len(reports)
        or (reports[i + 1].period_id, reports[i + 1].item_id) != (r.period_id, r.item_id)
    ]


def _copy(r: ProgressReport) -> ProgressReport:
    """A reader's own copy: its lists and dicts are not the cache's (``copy.copy`` is ten times slower)."""
    return ProgressReport(
        r.plan_id,
        r.item_id,
        r.period_id,
        r.department,
        r.status,
        r.percent,
        r.narrative,
        r.problems,
        r.next_steps,
        list(r.evidence),
        dict(r.contributions),
        r.state,
        r.version,
        r.author,
        r.saved_at,
        r.submitted_at,
        r.reviewed_at,
        r.reviewer,
        r.review_comment,
    )


@dataclass(frozen=True, slots=True)
class ReportingSchedule:
    """A plan's reporting periods: every period of ``type`` from ``first`` to ``last``."""

    plan_id: int
    type: PeriodType
    first: str
    last: str
    due_days: int
    updated_at: dt.datetime | None = None
    updated_by: str = ""

    @property
    def periods(self) -> list[Period]:
        return periods_between(self.first, self.last)

    def covers(self, period: Period) -> bool:
        """A period of the schedule's own type, from first to last."""
        return (
            period.type is self.type
            and parse_period(self.first).start <= period.start
            and period.end <= parse_period(self.last).end
        )

    def spans(self, day: dt.date) -> bool:
        """A day between the start of the first period and the end of the last."""
        return parse_period(self.first).start <= day <= parse_period(self.last).end


def _report(row: ProgressReportRow) -> ProgressReport:
    return ProgressReport(
        plan_id=row.plan_id,
        item_id=row.item_id,
        period_id=row.period_id,
        department=row.department,
        status=ProgressStatus(row.status),
        percent=row.percent,
        narrative=row.narrative,
        problems=row.problems,
        next_steps=row.next_steps,
        evidence=[Evidence(e.file.sha256, e.filename, e.file.size, e.file.content_type) for e in row.evidence],
        contributions=dict(row.contributions),
        state=ReviewState(row.state),
        version=row.version,
        author=row.author,
        saved_at=aware(row.saved_at),
        submitted_at=aware(row.submitted_at),
        reviewed_at=aware(row.reviewed_at),
        reviewer=row.reviewer,
        review_comment=row.review_comment,
    )


class ReportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._added = False

    # -- schedules

    def schedule(self, plan_id: int) -> ReportingSchedule | None:
        row = self.session.get(PlanScheduleRow, plan_id)
        if row is None:
            return None
        return ReportingSchedule(
            plan_id,
            PeriodType(row.period_type),
            row.first_period,
            row.last_period,
            row.due_days,
            aware(row.updated_at),
            row.updated_by,
        )

    def set_schedule(self, schedule: ReportingSchedule) -> None:
        row = self.session.get(PlanScheduleRow, schedule.plan_id)
        if row is None:
            row = PlanScheduleRow(plan_id=schedule.plan_id)
            self.session.add(row)
        row.period_type, row.first_period, row.last_period = schedule.type.value, schedule.first, schedule.last
        row.due_days, row.updated_by = schedule.due_days, schedule.updated_by
        row.updated_at = to_utc(schedule.updated_at or now())
        self.session.flush()

    # -- reports

    def add(self, report: ProgressReport) -> None:
        """Insert ``report`` as stored (its version must be the next one)."""
        self._added = True
        row = ProgressReportRow(
            plan_id=report.plan_id,
            item_id=report.item_id,
            period_id=report.period_id,
            version=report.version,
            department=report.department,
            status=report.status.value,
            percent=report.percent,
            narrative=report.narrative,
            problems=report.problems,
            next_steps=report.next_steps,
            contributions=dict(report.contributions),
            state=report.state.value,
            author=report.author,
            saved_at=to_utc(report.saved_at or now()),
            submitted_at=None if report.submitted_at is None else to_utc(report.submitted_at),
            reviewed_at=None if report.reviewed_at is None else to_utc(report.reviewed_at),
            reviewer=report.reviewer,
            review_comment=report.review_comment,
        )
        for position, ev in enumerate(report.evidence):
            file = self.session.scalar(select(EvidenceFileRow).where(EvidenceFileRow.sha256 == ev.sha256))
            if file is None:
                raise KeyError(ev.sha256)
            row.evidence.append(ReportEvidenceRow(file=file, filename=ev.filename, position=position))
        self.session.add(row)
        self.session.flush()

    def versions(self, plan_id: int, item_id: str, period_id: str) -> list[ProgressReport]:
        stmt = (
            select(ProgressReportRow)
            .where(
                ProgressReportRow.plan_id == plan_id,
                ProgressReportRow.item_id == item_id,
                ProgressReportRow.period_id == period_id,
            )
            .order_by(ProgressReportRow.version)
        )
        return [_report(r) for r in self.session.scalars(stmt)]

    def latest(self, plan_id: int, item_id: str, period_id: str) -> ProgressReport | None:
        stmt = (
            select(ProgressReportRow)
            .where(
                ProgressReportRow.plan_id == plan_id,
                ProgressReportRow.item_id == item_id,
                ProgressReportRow.period_id == period_id,
            )
            .order_by(ProgressReportRow.version.desc())
            .limit(1)
        )
        row = self.session.scalar(stmt)
        return None if row is None else _report(row)

    def for_item(self, plan_id: int, item_id: str) -> list[ProgressReport]:
        """Every version of one item's reports, drafts included, by period then version."""
        stmt = (
            select(ProgressReportRow)
            .where(
                ProgressReportRow.plan_id == plan_id,
                ProgressReportRow.item_id == item_id,
            )
            .order_by(ProgressReportRow.period_id, ProgressReportRow.version)
        )
        return [_report(r) for r in self.session.scalars(stmt)]

    def for_plan(
        self, plan_id: int, period_id: str | None = None, *, drafts: bool = True, shared: bool = False
    ) -> list[ProgressReport]:
        """Each report's standing history, by period, item and version: every submitted, returned or
        accepted version, and a draft while it is its report's latest (``drafts=False``: not even then).

        Superseded drafts were never seen by a reviewer and count for nothing; ``for_item`` and
        ``versions`` give them. ``shared``: the cache's own reports, not copies, for readers that
        only look (the to-do, the desk, the evaluation), where copying was a third of the work."""
        row = self.session.execute(
            select(
                func.count(ProgressReportRow.id),
                func.coalesce(func.max(ProgressReportRow.id), 0),
                select(PlanRow.revision).where(PlanRow.id == plan_id).scalar_subquery(),
            ).where(ProgressReportRow.plan_id == plan_id)
        ).one()
        stamp = _Stamp(row[2], row[0], row[1])
        engine = self.session.get_bind()
        # rows this unit of work added may still be rolled back (and their ids reused): not for the cache
        cache = _CACHE.setdefault(engine, {}) if isinstance(engine, Engine) and not self._added else {}
        known = cache.get(plan_id)
        if known is not None and known[0] == stamp:
            reports = known[1]
        elif known is not None and known[0].revision == stamp.revision and known[0].last_id <= stamp.last_id:
            added = self._rows(plan_id, after=known[0].last_id)
            if known[0].count + len(added) == stamp.count:
                reports = _standing(sorted(known[1] + added, key=_order))
            else:  # a row committed out of id order, or one gone: read the whole plan again
                reports = _standing(self._rows(plan_id))
        else:
            reports = _standing(self._rows(plan_id))
        cache[plan_id] = (stamp, reports)
        own = (lambda r: r) if shared else _copy
        return [
            own(r)
            for r in reports
            if (period_id is None or r.period_id == period_id) and (drafts or r.state is not ReviewState.DRAFT)
        ]

    def _rows(self, plan_id: int, *, after: int = 0) -> list[ProgressReport]:
        stmt = select(ProgressReportRow).where(ProgressReportRow.plan_id == plan_id, ProgressReportRow.id > after)
        stmt = stmt.order_by(ProgressReportRow.period_id, ProgressReportRow.item_id, ProgressReportRow.version)
        return [_report(r) for r in self.session.scalars(stmt)]

    def count_standing(self, state: ReviewState) -> int:
        """How many reports, over every plan and period, have ``state`` in their latest version
        (``SUBMITTED``: what waits for the office's review). One query on the unique version index."""
        newer = aliased(ProgressReportRow)
        superseded = (
            select(newer.id)
            .where(
                newer.plan_id == ProgressReportRow.plan_id,
                newer.item_id == ProgressReportRow.item_id,
                newer.period_id == ProgressReportRow.period_id,
                newer.version > ProgressReportRow.version,
            )
            .exists()
        )
        return (
            self.session.scalar(
                select(func.count(ProgressReportRow.id)).where(ProgressReportRow.state == state.value, ~superseded)
            )
            or 0
        )

    def count_for_plan(self, plan_id: int) -> int:
        return (
            self.session.scalar(select(func.count(ProgressReportRow.id)).where(ProgressReportRow.plan_id == plan_id))
            or 0
        )

    # -- evidence metadata (the bytes live in the EvidenceStore)

    def evidence(self, sha256: str) -> Evidence | None:
        row = self.session.scalar(select(EvidenceFileRow).where(EvidenceFileRow.sha256 == sha256))
        return None if row is None else Evidence(row.sha256, "", row.size, row.content_type)

    def evidence_filename(self, sha256: str) -> str | None:
        """The name the file was first attached with (None: not attached to any report)."""
        return self.session.scalar(
            select(ReportEvidenceRow.filename)
            .join(EvidenceFileRow, ReportEvidenceRow.evidence_id == EvidenceFileRow.id)
            .where(EvidenceFileRow.sha256 == sha256)
            .order_by(ReportEvidenceRow.id)
            .limit(1)
        )

    def add_evidence(self, ev: Evidence, *, created_by: str, created_at: dt.datetime | None = None) -> bool:
        """Record a stored file once; False when the same content was already known."""
        if self.evidence(ev.sha256) is not None:
            return False
        self.session.add(
            EvidenceFileRow(
                sha256=ev.sha256,
                size=ev.size,
                content_type=ev.content_type,
                created_at=to_utc(created_at or now()),
                created_by=created_by,
            )
        )
        self.session.flush()
        return True
