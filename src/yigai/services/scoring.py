"""The office's scoring weights (考核评分方案): seen and edited in 系统管理, used by every evaluation.

``scoring.yaml`` stays the shipped default. An office admin's change is stored as a new
version (``scoring_schemes``; nothing is overwritten) holding the keys that differ from the
default, and audited (``scoring.set`` with the changed values before and after). The newest
version applies to every evaluation (``services.evaluate.gather_input``) unless a caller gives
weights of its own, which are merged over it. Going back to the default is a version too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from yigai import clock
from yigai.domain.errors import ConfigurationError
from yigai.domain.users import User
from yigai.evaluation.scoring import default_scheme_dict, load_scheme, merged_overrides
from yigai.services.errors import InvalidInputError
from yigai.services.items import require_admin
from yigai.storage.scoring_repository import StoredScheme
from yigai.storage.uow import UnitOfWork

# Chinese names of the scheme's sections and keys: the UI never shows the YAML names.
SCHEME_LABELS = {
    "parts": "总分构成（任务推进 : 指标达成）",
    "status_scores": "事项状态得分",
    "deductions": "部门扣分",
    "bonus": "部门加分",
    "indicators": "指标达成",
    "status": "状态判定阈值",
    "tasks": "任务推进",
    "completed": "已完成",
    "on_track": "按期推进",
    "at_risk": "存在风险",
    "not_started": "未启动",
    "not_reported": "未报送",
    "overdue": "逾期未完成",
    "late_report": "每逾期报送一次",
    "missing_report": "每未报送一次",
    "max": "上限",
    "early_completion": "每提前完成一项",
    "missing_value_score": "已关联但无数据的目标得分（0-1）",
    "pro_rata_margin": "落后序时进度超过（百分点）即存在风险",
    "near_deadline_percent": "临近时限且进度低于（%）即存在风险",
}


def label_of(path: str) -> str:
    """「部门扣分 · 上限」for ``deductions.max``; an unknown key keeps its name."""
    return " · ".join(SCHEME_LABELS.get(part, part) for part in path.split("."))


@dataclass(frozen=True, slots=True)
class OfficeScheme:
    values: dict[str, Any]  # the whole scheme in effect (default merged with the office's changes)
    stored: StoredScheme | None  # the newest stored version; None: never edited, the default applies

    @property
    def is_default(self) -> bool:
        return self.stored is None or not self.stored.overrides


def office_overrides(uow: UnitOfWork) -> dict[str, Any]:
    """The office's changes to the default (empty when none); call inside ``with uow``."""
    stored = uow.scoring.current()
    return {} if stored is None else stored.overrides


def office_scheme(uow: UnitOfWork) -> OfficeScheme:
    with uow:
        stored = uow.scoring.current()
    values = merged_overrides(stored.overrides if stored else None)
    return OfficeScheme(values, stored)


def scheme_history(uow: UnitOfWork, limit: int = 10) -> list[StoredScheme]:
    with uow:
        return uow.scoring.history(limit)


def leaves(scheme: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"parts.tasks": 60, …}``: a scheme as flat fields (the admin form's)."""
    out: dict[str, Any] = {}
    for key, value in scheme.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(leaves(value, path))
        else:
            out[path] = value
    return out


def tree(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of ``leaves``."""
    out: dict[str, Any] = {}
    for path, value in fields.items():
        node = out
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def _differences(values: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of a whole scheme that differ from the shipped default, as a nested mapping."""
    default = leaves(default_scheme_dict())
    return tree({k: v for k, v in leaves(values).items() if k not in default or default[k] != v})


def check_scheme(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """The whole scheme with each layer merged over the default in turn, or InvalidInputError in Chinese."""
    try:
        values = merged_overrides(*layers)
        load_scheme(values)
    except ConfigurationError as exc:
        where, message = exc.where or "", exc.message_zh
        if where:  # the YAML path becomes its Chinese name: 评分方案「事项状态得分 · 已完成」应为…
            named = f"「{label_of(where)}」"
            message = message.replace(f"配置项 {where} ", named).replace(where, named)
        raise InvalidInputError(str(exc), where=where, message_zh=message) from None
    for path, value in leaves(values).items():
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidInputError(
                f"{path} must be a finite number", where=path, message_zh=f"评分方案「{label_of(path)}」应为有限的数"
            )
    return values


def set_office_scheme(
    uow: UnitOfWork, actor: User, changes: Mapping[str, Any], *, note: str = "", now: dt.datetime | None = None
) -> OfficeScheme:
    """Store the office's weights (``changes`` merged over the current scheme) as a new version; audited.

    ``changes`` may name only some keys (``{"parts": {"tasks": 70, "indicators": 30}}``).
    Nothing is stored when the scheme in effect does not change.
    """
    require_admin(actor, "change the scoring weights", "修改考核评分方案")
    at = now or clock.now()
    with uow:
        current = uow.scoring.current()
        before = merged_overrides(current.overrides if current else None)
        values = check_scheme(current.overrides if current else None, changes)
        if values == before:
            return OfficeScheme(before, current)
        stored = uow.scoring.add(_differences(values), actor=actor.username, at=at, note=note.strip())
        old, new = leaves(before), leaves(values)
        changed = [k for k in new if old.get(k) != new[k]]
        uow.audit.record(
            actor.username,
            "scoring.set",
            "scoring_scheme",
            str(stored.version),
            at=at,
            before={k: old.get(k) for k in changed},
            after={k: new[k] for k in changed},
        )
        uow.commit()
    return OfficeScheme(values, stored)


def reset_office_scheme(uow: UnitOfWork, actor: User, *, now: dt.datetime | None = None) -> OfficeScheme:
    """Back to the shipped default (stored as a version of its own, audited)."""
    require_admin(actor, "change the scoring weights", "修改考核评分方案")
    default = default_scheme_dict()
    with uow:
        current = uow.scoring.current()
        if current is None or not current.overrides:
            return OfficeScheme(default, current)
    return set_office_scheme(uow, actor, default, note="恢复默认方案", now=now)
