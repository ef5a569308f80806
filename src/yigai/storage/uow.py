"""Unit of work: one transaction per use case, rolled back unless committed.

Usage::

    with uow:
        plan_id = uow.plans.add(draft)
        uow.commit()
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.orm import Session, sessionmaker

from yigai.storage.audit import AuditRepository
from yigai.storage.draft_repository import DraftRepository
from yigai.storage.indicator_repository import IndicatorRepository, TargetLinkRepository, ValueRepository
from yigai.storage.registry_repository import DepartmentRepository, OrgUnitRepository, UserRepository
from yigai.storage.report_repository import ReportRepository
from yigai.storage.repository import PlanRepository, SqlPlanRepository
from yigai.storage.scoring_repository import ScoringRepository
from yigai.storage.session_repository import LoginFailureRepository, WebSessionRepository


class UnitOfWork(Protocol):
    @property
    def plans(self) -> PlanRepository: ...
    @property
    def drafts(self) -> DraftRepository: ...
    @property
    def orgunits(self) -> OrgUnitRepository: ...
    @property
    def departments(self) -> DepartmentRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def reports(self) -> ReportRepository: ...
    @property
    def indicators(self) -> IndicatorRepository: ...
    @property
    def values(self) -> ValueRepository: ...
    @property
    def links(self) -> TargetLinkRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def web_sessions(self) -> WebSessionRepository: ...
    @property
    def login_failures(self) -> LoginFailureRepository: ...
    @property
    def scoring(self) -> ScoringRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class SqlUnitOfWork:
    """A session per ``with`` block; leaving the block without ``commit()`` rolls back."""

    plans: SqlPlanRepository
    drafts: DraftRepository
    orgunits: OrgUnitRepository
    departments: DepartmentRepository
    users: UserRepository
    reports: ReportRepository
    indicators: IndicatorRepository
    values: ValueRepository
    links: TargetLinkRepository
    audit: AuditRepository
    web_sessions: WebSessionRepository
    login_failures: LoginFailureRepository
    scoring: ScoringRepository

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None

    def __enter__(self) -> Self:
        self._session = self._sessions()
        session = self._session
        self.plans = SqlPlanRepository(session)
        self.drafts = DraftRepository(session)
        self.orgunits = OrgUnitRepository(session)
        self.departments = DepartmentRepository(session)
        self.users = UserRepository(session)
        self.reports = ReportRepository(session)
        self.indicators = IndicatorRepository(session)
        self.values = ValueRepository(session)
        self.links = TargetLinkRepository(session)
        self.audit = AuditRepository(session)
        self.web_sessions = WebSessionRepository(session)
        self.login_failures = LoginFailureRepository(session)
        self.scoring = ScoringRepository(session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self._require()
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None

    def _require(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work in a `with` block")
        return self._session

    def commit(self) -> None:
        self._require().commit()

    def rollback(self) -> None:
        self._require().rollback()
