"""The audit-log browser: who did what, when, with before and after; filters and pages (``services.audit``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from yigai.domain.users import User
from yigai.services.audit import list_audit
from yigai.storage.audit import AuditEntry
from yigai.storage.uow import UnitOfWork

PAGE_SIZE = 50
ACTION_LABELS = {
    "auth.login": "登录", "auth.login_failed": "登录失败", "auth.logout": "退出", "user.create": "创建用户",
    "user.password": "设置密码", "department.alias": "添加部门别名", "department.rename": "部门更名",
    "orgunits.load": "导入机构层级", "orgunits.sync": "同步机构层级", "indicators.load": "导入指标目录",
    "indicators.register": "登记指标", "value.compute": "保存计算值", "schedule.set": "设置报送周期",
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
    actions: list[tuple[str, str]]  # value (a prefix such as "report." selects a group), label


ACTION_GROUPS = (("report.", "进展报告（全部）"), ("plan_draft.", "计划草稿（全部）"), ("auth.", "登录与退出（全部）"),
                 ("value.", "指标数值（全部）"))


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


def audit_page(uow: UnitOfWork, user: User, filters: AuditFilters, page: int = 1) -> AuditPage:
    """One page of the log, newest first, filtered in the database (``services.audit``)."""
    f = filters

    def query(number: int) -> Any:
        return list_audit(uow, user, actor=f.actor or None, action=f.action or None, entity=f.entity or None,
                          entity_key=f.key or None, since=f.since, until=f.until, page=number, per_page=PAGE_SIZE)

    found = query(max(page, 1))
    if found.page > found.pages:
        found = query(found.pages)
    rows = [AuditRow(e, ACTION_LABELS.get(e.action, e.action), field_changes(e.before, e.after)) for e in found.entries]
    return AuditPage(rows, filters, found.page, found.pages, found.total,
                     [*ACTION_GROUPS, *sorted(ACTION_LABELS.items())])
