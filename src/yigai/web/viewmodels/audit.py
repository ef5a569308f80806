"""The audit-log browser: who did what, when, with before and after; filters and pages (``services.audit``).

Newest first by the time of the write (not by row id: the demo and imports of history record
writes dated in the past), shown in office time (北京时间), in Chinese (``audit_labels``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from yigai.domain.users import User
from yigai.services.audit import list_audit
from yigai.storage.audit import AuditEntry
from yigai.storage.uow import UnitOfWork
from yigai.web.viewmodels.audit_labels import (
    ACTION_LABELS,
    ENTITY_LABELS,
    action_label,
    entity_label,
    field_label,
    show,
)

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    entity: str = ""
    key: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def query(self, **extra: object) -> str:
        pairs = {
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "key": self.key,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            **extra,
        }
        return urlencode({k: v for k, v in pairs.items() if v not in ("", None)})


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # as stored: "percent"
    name: str  # as shown: 完成百分比
    before: str
    after: str


@dataclass(slots=True)
class AuditRow:
    entry: AuditEntry
    label: str
    entity: str  # the object type in Chinese
    changes: list[FieldChange]


@dataclass(slots=True)
class AuditPage:
    rows: list[AuditRow]
    filters: AuditFilters
    page: int
    pages: int
    total: int
    actions: list[tuple[str, str]]  # value (a prefix such as "report." selects a group), label
    entities: list[tuple[str, str]]  # value, label


ACTION_GROUPS = (
    ("report.", "进展报告（全部）"),
    ("plan_draft.", "计划草稿（全部）"),
    ("auth.", "登录与退出（全部）"),
    ("value.", "指标数值（全部）"),
    ("user.", "用户管理（全部）"),
)


def field_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """The keys whose values differ (all keys of a create or a delete), in Chinese; empty on both sides: left out."""
    a, b = before or {}, after or {}
    keys = [k for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]
    changes = [FieldChange(k, field_label(k), show(k, a.get(k)), show(k, b.get(k))) for k in keys]
    return [c for c in changes if c.before or c.after]


def audit_page(uow: UnitOfWork, user: User, filters: AuditFilters, page: int = 1) -> AuditPage:
    """One page of the log, newest first, filtered in the database (``services.audit``)."""
    f = filters

    def query(number: int) -> Any:
        return list_audit(
            uow,
            user,
            actor=f.actor or None,
            action=f.action or None,
            entity=f.entity or None,
            entity_key=f.key or None,
            since=f.since,
            until=f.until,
            page=number,
            per_page=PAGE_SIZE,
        )

    found = query(max(page, 1))
    if found.page > found.pages:
        found = query(found.pages)
    rows = [
        AuditRow(e, action_label(e.action), entity_label(e.entity), field_changes(e.before, e.after))
        for e in found.entries
    ]
    return AuditPage(
        rows,
        filters,
        found.page,
        found.pages,
        found.total,
        [*ACTION_GROUPS, *sorted(ACTION_LABELS.items(), key=lambda kv: kv[1])],
        sorted(ENTITY_LABELS.items(), key=lambda kv: kv[1]),
    )
