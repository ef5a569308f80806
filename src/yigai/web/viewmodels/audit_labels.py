"""Chinese for the audit log: actions, object types, field names and stored values.

The services write ``before``/``after`` as plain data (``storage.audit.jsonable``): the fields
of users, reports, values, links, schedules, evidence, aliases, rules, plan-draft corrections
and the small summaries of imports. ``FIELD_LABELS`` names every field they write (a test runs
the writes and checks); an unknown field falls back to its raw name. ``show`` writes a value
as a person reads it: office-time timestamps, Chinese periods, roles, states and kinds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from yigai.clock import aware
from yigai.domain.periods import PeriodError, parse_period
from yigai.domain.reports import REVIEW_LABELS
from yigai.domain.users import ROLE_LABELS
from yigai.services.scoring import SCHEME_LABELS

ACTION_LABELS = {
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出",
    "user.create": "创建用户",
    "user.password": "重置密码",
    "user.password_change": "修改本人密码",
    "user.update": "修改角色与权限范围",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "department.alias": "添加部门别名",
    "department.class": "设定部门类别（是否参加排名）",
    "department.rename": "部门更名",
    "orgunits.load": "导入机构层级",
    "orgunits.sync": "同步机构层级",
    "indicators.load": "导入指标目录",
    "indicators.register": "登记指标",
    "value.compute": "保存计算值",
    "schedule.set": "设置报送周期",
    "report.save": "保存进展草稿",
    "report.submit": "提交进展报告",
    "report.contribute": "提交配合意见",
    "report.return": "退回报告",
    "report.accept": "采纳报告",
    "report.resubmit": "重新提交报告",
    "evidence.add": "上传佐证材料",
    "value.enter": "录入数值",
    "value.import": "导入数值",
    "bounds.set": "设置异常值范围",
    "rule.put": "设置校验规则",
    "targets.suggest": "推荐指标关联",
    "target.link": "确认指标关联",
    "plan.import": "导入计划",
    "plan.replace": "替换计划",
    "plan.publish": "发布计划",
    "plan.departments": "批量指定责任部门",
    "plan_draft.upload": "上传计划草稿",
    "plan_draft.publish": "发布草稿",
    "plan_draft.discard": "删除草稿",
    "plan_draft.departments": "修改责任部门",
    "plan_draft.assign": "批量指定责任部门（草稿）",
    "plan_draft.title": "修改标题",
    "plan_draft.deadline": "修改完成时间",
    "plan_draft.category": "修改类别",
    "plan_draft.meta": "修改文件信息",
    "plan_draft.delete": "删除任务",
    "scoring.set": "修改考核评分方案",
}

ENTITY_LABELS = {
    "progress_report": "进展报告",
    "plan": "计划",
    "plan_draft": "计划草稿",
    "plan_schedule": "报送周期",
    "user": "用户",
    "data_value": "指标数值",
    "department_alias": "部门别名",
    "department": "部门",
    "org_unit": "机构层级",
    "indicator": "指标",
    "target_link": "指标关联",
    "evidence_file": "佐证材料",
    "outlier_bounds": "异常值范围",
    "validation_rule": "校验规则",
    "scoring_scheme": "考核评分方案",
}

FIELD_LABELS = {
    # users and sign-in
    "username": "用户名",
    "display_name": "姓名/名称",
    "role": "角色",
    "departments": "部门范围",
    "org_units": "机构范围",
    "active": "启用",
    "client": "客户端地址",
    # progress reports
    "plan_id": "计划编号",
    "item_id": "事项编号",
    "period_id": "报告期",
    "department": "部门",
    "status": "进展状态",
    "percent": "完成百分比",
    "narrative": "进展情况",
    "problems": "存在问题",
    "next_steps": "下一步计划",
    "evidence": "佐证材料",
    "contributions": "配合部门意见",
    "state": "审核状态",
    "version": "版本",
    "author": "填报人",
    "saved_at": "保存时间",
    "submitted_at": "提交时间",
    "reviewed_at": "审核时间",
    "reviewer": "审核人",
    "review_comment": "审核意见",
    "text": "正文",
    # evidence files
    "sha256": "文件指纹（SHA-256）",
    "filename": "文件名",
    "size": "大小（字节）",
    "content_type": "文件类型",
    # indicator values, bounds, rules
    "key": "指标或数据元编码",
    "org_unit": "机构/地区编码",
    "value": "数值",
    "source": "来源",
    "comment": "说明",
    "numerator": "分子",
    "denominator": "分母",
    "definition_version": "指标定义版本",
    "inputs_hash": "计算输入指纹",
    "minimum": "下限",
    "maximum": "上限",
    "code": "编码",
    "name": "名称",
    "left": "左式",
    "operator": "运算符",
    "right": "右式",
    "missing": "缺失值处理",
    # target links
    "target_index": "目标序号",
    "indicator_code": "指标编码",
    "confirmed": "已确认",
    "confirmed_by": "确认人",
    "score": "匹配度",
    "suggested": "推荐的关联",
    # schedules
    "type": "类型",
    "first": "起始报告期",
    "last": "截止报告期",
    "due_days": "期末后报送天数",
    "updated_at": "设置时间",
    "updated_by": "设置人",
    # aliases and departments
    "region": "地区",
    "alias": "别名",
    "kind": "类别",
    "class": "部门类别",
    "rows": "行数",
    # imports and computations
    "created": "新增",
    "updated": "更新",
    "codes": "编码",
    "rules": "校验规则",
    "changed": "变更条数",
    "keys": "指标编码",
    "outliers": "异常值条数",
    "values": "数值条数",
    "unchanged": "未变条数",
    "definition_versions": "指标定义版本",
    "periods": "报告期",
    "items": "事项",
    # plans and plan drafts
    "title": "标题",
    "doc_number": "文号",
    "draft_id": "草稿编号",
    "replaced": "替换原计划",
    "tasks": "任务数",
    "measures": "措施数",
    "targets": "目标数",
    "item": "事项",
    "mode": "方式",
    "lead": "牵头部门",
    "cooperating": "配合部门",
    "issuer": "发文机关",
    "date": "日期",
    "level": "层级",
    "valid_until": "有效期至",
    "deadline": "完成时间",
    "category": "类别",
    "categories": "类别",
    "raw": "原文写法",
    "known": "已登记",
    "source_name": "文件名",
    "id": "编号",
    "no": "序号",
    "path": "所在章节",
    "section": "章节",
    "lead_and_others": "牵头部门含“等”",
    "cooperating_and_others": "配合部门含“等”",
    "categories_inferred": "类别为推断",
    "span": "原文位置",
    "provenance": "来源位置",
}
# Mappings under these fields are keyed by data (a department's name, an item id), not by field names.
DATA_KEYED = frozenset({"contributions", "items"})
# Bookkeeping a reader does not need: left out of a nested value.
HIDDEN = frozenset({"span", "provenance"})

VALUE_LABELS: dict[str, dict[str, str]] = {
    "role": {r.value: label for r, label in ROLE_LABELS.items()},
    "state": {s.value: label for s, label in REVIEW_LABELS.items()},
    "type": {"yearly": "年度", "six_monthly": "半年", "quarterly": "季度", "monthly": "月度"},
    "source": {
        "entered": "手工录入",
        "imported": "文件导入",
        "computed": "由原始数据计算",
        "office": "医改办添加",
        "builtin": "系统内置",
    },
    "kind": {
        "department": "部门",
        "group": "统称（如各镇街）",
        "date": "具体日期",
        "continuous": "持续实施",
        "by_schedule": "按序时进度",
        "by_superiors": "按上级部署",
        "adjust_as_needed": "适时调整",
        "unspecified": "未写明",
    },
    "level": {"province": "省级", "city": "市级", "district": "区县级", "unknown": "未知"},
    "mode": {"add": "追加", "replace": "替换"},
    "missing": {
        "skip_if_any_missing": "任一缺失则跳过",
        "skip_if_all_missing": "全部缺失才跳过",
        "never_skip": "缺失按0计",
    },
}
PERIOD_FIELDS = frozenset({"period_id", "first", "last"})
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
MAX_TEXT = 500


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity, entity)


def field_label(name: str) -> str:
    """The Chinese name of a field; a scoring key path (``parts.tasks``) by its parts; else the raw name."""
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    if "." in name:
        return " · ".join(SCHEME_LABELS.get(p, FIELD_LABELS.get(p, p)) for p in name.split("."))
    return SCHEME_LABELS.get(name, name)


def _time(text: str) -> str:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    local = aware(moment) if moment.tzinfo is not None else moment  # naive: already office time
    return (local or moment).strftime("%Y-%m-%d %H:%M")


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.6g}"


def show(name: str, value: Any) -> str:
    """A stored value as the office reads it (at most ``MAX_TEXT`` characters)."""
    return _show(name, value)[:MAX_TEXT]


def _show(name: str, value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _show_text(name, value)
    if isinstance(value, list | tuple):
        parts = [_entry(name, v) for v in value]
        return "、".join(p for p in parts if p)
    if isinstance(value, Mapping):
        if name in DATA_KEYED:
            return "；".join(f"{k}：{_show('', v)}" for k, v in value.items())
        return "；".join(
            f"{field_label(str(k))}：{shown}"
            for k, v in value.items()
            if k not in HIDDEN and (shown := _show(str(k), v))
        )
    return json.dumps(value, ensure_ascii=False, default=str)


def _entry(name: str, value: Any) -> str:
    """One element of a list: a department or file by its name, else the value itself."""
    if isinstance(value, Mapping):
        for key in ("name", "filename"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return _show(name, value)


def _show_text(name: str, text: str) -> str:
    labels = VALUE_LABELS.get(name)
    if labels and text in labels:
        return labels[text]
    if name in PERIOD_FIELDS:
        try:
            return parse_period(text).label
        except PeriodError:
            return text
    if _ISO_TIME.match(text):
        try:
            return _time(text)
        except ValueError:
            return text
    return text
