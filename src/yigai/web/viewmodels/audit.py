"""The audit-log browser: who did what, when, with before and after; filters and pages."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from yigai.storage.audit import AuditEntry
from yigai.storage.uow import UnitOfWork

PAGE_SIZE = 50
ACTION_LABELS = {
    "auth.login": "登录", "auth.login_failed": "登录失败", "auth.logout": "退出", "user.create": "创建用户",
    "user.password": "设置密码", "department.alias": "添加部门别名", "department.rename": "部门更名",
    "orgunits.load": "导入机构层级", "indicators.load": "导入指标目录", "schedule.set": "设置报送周期",
    "report.save": "保存进展草稿", "report.submit": "提交进展报告", "report.contribute": "提交配合意见",
    "report.return": "退回报告", "report.accept": "采纳报告", "report.resubmit": "重新提交报告",
    "evidence.add": "上传佐证材料", "value.enter": "录入数值", "value.import": "导入数值", "bounds.set": "设置异常值范围",
    "rule.put": "设置校验规则", "targets.suggest": "推荐指标关联", "target.link": "确认指标关联",
    "plan.publish": "发布计划", "plan_draft.upload": "上传计划草稿", "plan_draft.publish": "发布草稿",
    "plan_draft.discard": "删除草稿", "plan_draft.departments": "修改责任部门", "plan_draft.title": "修改标题",
    "plan_draft.deadline": "修改完成时间", "plan_draft.category": "修改类别", "plan_draft.meta": "修改文件信息",
    "plan_draft.delete": "删除任务",
}


@dataclass(frozen=True, slots=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    entity: str = ""
    key: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def query(self, **extra: object) -> str:
        pairs = {"actor": self.actor, "action": self.action, "entity": self.entity, "key": self.key,
                 "since": self.since.isoformat() if self.since else "",
                 "until": self.until.isoformat() if self.until else "", **extra}
        return urlencode({k: v for k, v in pairs.items() if v not in ("", None)})


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    before: str
    after: str


@dataclass(slots=True)
class AuditRow:
    entry: AuditEntry
    label: str
    changes: list[FieldChange]


@dataclass(slots=True)
class AuditPage:
    rows: list[AuditRow]
    filters: AuditFilters
    page: int
    pages: int
    total: int
    actors: list[str]
    actions: list[tuple[str, str]]
    entities: list[str]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)[:500]


def field_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """The keys whose values differ (all keys of a create or a delete)."""
    a, b = before or {}, after or {}
    keys = [k for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]
    return [FieldChange(k, _text(a.get(k)), _text(b.get(k))) for k in keys]


def audit_page(uow: UnitOfWork, filters: AuditFilters, page: int = 1) -> AuditPage:
    with uow:
        every = uow.audit.entries()
    actors = sorted({e.actor for e in every})
    actions = sorted({e.action for e in every})
    entities = sorted({e.entity for e in every})

    def keep(e: AuditEntry) -> bool:
        day = e.at.date()
        return ((not filters.actor or e.actor == filters.actor) and (not filters.action or e.action == filters.action)
                and (not filters.entity or e.entity == filters.entity)
                and (not filters.key or filters.key in e.entity_key)
                and (filters.since is None or day >= filters.since) and (filters.until is None or day <= filters.until))

    chosen = [e for e in reversed(every) if keep(e)]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = [AuditRow(e, ACTION_LABELS.get(e.action, e.action), field_changes(e.before, e.after))
            for e in chosen[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]
    return AuditPage(rows, filters, page, pages, len(chosen), actors,
                     [(a, ACTION_LABELS.get(a, a)) for a in actions], entities)
