"""The audit log: one row per write, in the same transaction as the write it describes.

Services call ``uow.audit.record(...)`` before ``uow.commit()``, so a write and
its audit entry are stored together or not at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session

from yigai.clock import aware, now, to_utc
from yigai.storage.supervision_models import AuditRow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def jsonable(value: Any) -> Any:
    """Dataclasses, enums, dates and sets → JSON-ready values (what before/after store)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    return value


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def database(self) -> Engine | None:
        """The database these entries version (its engine), so memo entries of two databases never meet."""
        bind = self.session.get_bind()
        return bind if isinstance(bind, Engine) else None

    def record(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_key: str = "",
        *,
        before: Any = None,
        after: Any = None,
        at: dt.datetime | None = None,
    ) -> None:
        self.session.add(
            AuditRow(
                at=to_utc(at or now()),
                actor=actor,
                action=action,
                entity=entity,
                entity_key=entity_key,
                before=None if before is None else jsonable(before),
                after=None if after is None else jsonable(after),
            )
        )

    def latest_id(
        self, *, ignoring: Sequence[str] = (), plan: int | None = None, plan_entities: Sequence[str] = ()
    ) -> int:
        """The newest entry's id: it changes with every audited write, so it versions the data.

        ``ignoring`` lists actions (or prefixes ending in ``.``) whose writes a reader does not
        depend on; the newest of the other entries is returned. With ``plan``, entries of
        ``plan_entities`` (keyed ``plan`` or ``plan/…``) that belong to another plan are ignored too.
        """
        stmt = select(AuditRow.id).order_by(AuditRow.id.desc()).limit(1)  # read from the newest back
        exact = [a for a in ignoring if not a.endswith(".")]
        if exact:
            stmt = stmt.where(AuditRow.action.not_in(exact))
        for prefix in (a for a in ignoring if a.endswith(".")):
            stmt = stmt.where(~AuditRow.action.startswith(prefix, autoescape=True))
        if plan is not None and plan_entities:
            stmt = stmt.where(
                ~and_(
                    AuditRow.entity.in_(list(plan_entities)),
                    AuditRow.entity_key != str(plan),
                    ~AuditRow.entity_key.startswith(f"{plan}/", autoescape=True),
                )
            )
        return int(self.session.execute(stmt).scalar() or 0)

    def entries(
        self,
        *,
        entity: str | None = None,
        entity_key: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Newest last; filters combine."""
        stmt = select(AuditRow).order_by(AuditRow.id)
        if entity is not None:
            stmt = stmt.where(AuditRow.entity == entity)
        if entity_key is not None:
            stmt = stmt.where(AuditRow.entity_key == entity_key)
        if actor is not None:
            stmt = stmt.where(AuditRow.actor == actor)
        rows = list(self.session.scalars(stmt))
        if limit is not None:
            rows = rows[-limit:]
        return [
            AuditEntry(
                at=aware(r.at) or r.at,
                actor=r.actor,
                action=r.action,
                entity=r.entity,
                entity_key=r.entity_key,
                before=r.before,
                after=r.after,
            )
            for r in rows
        ]

    def search(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        entity: str | None = None,
        entity_key: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, list[AuditEntry]]:
        """Newest first by time, then by id: (how many match, one page of them).

        ``action`` matches a prefix (``report.``). Ordered by ``at``, not by id alone: writes
        dated in the past (the demo's history, imports with their own times) come later in id
        order than what they precede in time.
        """
        stmt = select(AuditRow)
        if actor:
            stmt = stmt.where(AuditRow.actor == actor)
        if action:
            stmt = stmt.where(AuditRow.action.startswith(action, autoescape=True))
        if entity:
            stmt = stmt.where(AuditRow.entity == entity)
        if entity_key:
            stmt = stmt.where(AuditRow.entity_key == entity_key)
        if since is not None:
            stmt = stmt.where(AuditRow.at >= to_utc(since))
        if until is not None:
            stmt = stmt.where(AuditRow.at < to_utc(until))
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.session.scalars(stmt.order_by(AuditRow.at.desc(), AuditRow.id.desc()).offset(offset).limit(limit))
        return int(total), [
            AuditEntry(
                at=aware(r.at) or r.at,
                actor=r.actor,
                action=r.action,
                entity=r.entity,
                entity_key=r.entity_key,
                before=r.before,
                after=r.after,
            )
            for r in rows
        ]
