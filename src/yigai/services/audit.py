"""The audit log as the office reads it: filtered, newest first, one page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yigai.clock import OFFICE_TZ
from yigai.domain.users import User
from yigai.services.errors import InvalidInputError
from yigai.services.items import require_admin
from yigai.storage.audit import AuditEntry
from yigai.storage.uow import UnitOfWork

MAX_PER_PAGE = 500


@dataclass(frozen=True, slots=True)
class AuditPage:
    total: int
    page: int
    per_page: int
    entries: list[AuditEntry]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_audit(
    uow: UnitOfWork,
    user: User,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_key: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    """Entries matching every filter given; ``since``/``until`` are office-time days, both included."""
    require_admin(user, "read the audit log", "查看审计日志")
    if page < 1:
        raise InvalidInputError("page starts at 1", message_zh="页码从 1 开始", where="page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInputError(
            f"per_page must be 1-{MAX_PER_PAGE}", message_zh=f"每页条数须在 1-{MAX_PER_PAGE} 之间", where="per_page"
        )
    start = None if since is None else dt.datetime.combine(since, dt.time(), tzinfo=OFFICE_TZ)
    end = None if until is None else dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=OFFICE_TZ)
    with uow:
        total, entries = uow.audit.search(
            actor=actor,
            action=action,
            entity=entity,
            entity_key=entity_key,
            since=start,
            until=end,
            offset=(page - 1) * per_page,
            limit=per_page,
        )
    return AuditPage(total, page, per_page, entries)
