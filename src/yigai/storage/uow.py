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

from yigai.storage.repository import PlanRepository, SqlPlanRepository


class UnitOfWork(Protocol):
    @property
    def plans(self) -> PlanRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class SqlUnitOfWork:
    """A session per ``with`` block; leaving the block without ``commit()`` rolls back."""

    plans: SqlPlanRepository

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None

    def __enter__(self) -> Self:
        self._session = self._sessions()
        self.plans = SqlPlanRepository(self._session)
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
