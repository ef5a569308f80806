"""Scores (考核评分) of items, tasks, sections, departments and the plan, from a weights scheme.

The scheme is data: ``src/yigai/data/scoring.yaml`` ships the default; the office edits its
own in 系统管理 (``services.scoring``, stored and versioned in the database) and
``EvaluationInput.weights`` is merged over the default key by key. Unknown keys, non-numeric
or negative values, status scores above 100 and thresholds above 100 are refused, so a typo
in a scheme cannot silently score with the defaults.

Rules (the numbers are the shipped defaults):

* item: the score of its status (completed 100, on track 80, at risk 50, not started 30,
  not reported 0, overdue 0);
* task: mean of its items; section (top-level heading): mean of its items;
* department: mean of the items it leads − min(max, 1 per late report + 2 per missing
  report) + min(max, 2 per item completed before its deadline), kept within 0-100; ranked
  by score, then on-time rate, then name;
* plan: (60 × mean item score + 40 × indicator score) / 100, where the indicator score is
  the mean attainment score × 100 over the scored targets; tasks alone when none is scored;
* reporting rate = reports received / reports due, on-time rate = on time / due (DHIS2);
  1.0 when nothing is due yet.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from yigai.data import data_path
from yigai.domain.errors import ConfigurationError
from yigai.domain.reports import Timeliness
from yigai.evaluation.results import DepartmentScore, ItemEvaluation, ItemStatus, SectionScore

SCHEME_FILE = "scoring.yaml"
_DUE = frozenset({Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING})
_RECEIVED = frozenset({Timeliness.ON_TIME, Timeliness.LATE})


@dataclass(frozen=True, slots=True)
class ScoringScheme:
    tasks_weight: float
    indicators_weight: float
    status_scores: Mapping[ItemStatus, float]
    late_deduction: float
    missing_deduction: float
    max_deduction: float
    early_bonus: float
    max_bonus: float
    missing_value_score: float  # 0-1, the attainment score of a linked target without data
    pro_rata_margin: float
    near_deadline_percent: float


@lru_cache(maxsize=1)
def _default_raw() -> dict[str, Any]:
    with data_path(SCHEME_FILE).open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    if not isinstance(raw, dict):
        raise ConfigurationError(
            f"{SCHEME_FILE} is not a mapping", message_zh=f"{SCHEME_FILE} 格式错误：应为映射", where=SCHEME_FILE
        )
    return raw


def default_scheme_dict() -> dict[str, Any]:
    """The shipped scheme as plain data (a copy: callers may change it)."""
    return copy.deepcopy(_default_raw())


def _merge(base: dict[str, Any], over: Mapping[str, Any], where: str) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in base:
            raise ConfigurationError(
                f"unknown key in scoring scheme: {path}", message_zh=f"评分方案中有未知的配置项：{path}", where=path
            )
        if isinstance(base[key], dict):
            if not isinstance(value, Mapping):
                raise ConfigurationError(
                    f"{path} must be a mapping", message_zh=f"评分方案配置项 {path} 应为映射", where=path
                )
            out[key] = _merge(base[key], value, path)
        else:
            out[key] = value
    return out


def merged_overrides(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """The default with each layer merged over it in turn (later layers win), checked key by key."""
    raw = _default_raw()
    for layer in layers:
        if layer:
            raw = _merge(raw, layer, "")
    return copy.deepcopy(raw)


def _number(raw: dict[str, Any], section: str, key: str, most: float | None = None) -> float:
    value = raw[section][key]
    where = f"{section}.{key}"
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != value:
        raise ConfigurationError(
            f"{where} must be a number >= 0, got {value!r}",
            message_zh=f"评分方案配置项 {where} 应为不小于0的数，实为 {value!r}",
            where=where,
        )
    if most is not None and value > most:
        raise ConfigurationError(
            f"{where} must be at most {most:g}, got {value!r}",
            message_zh=f"评分方案配置项 {where} 应在0-{most:g}之间，实为 {value!r}",
            where=where,
        )
    return float(value)


def load_scheme(overrides: Mapping[str, Any] | None = None) -> ScoringScheme:
    """The default scheme with ``overrides`` merged over it; raises ConfigurationError on bad keys or values."""
    raw = _default_raw()
    if overrides:
        raw = _merge(raw, overrides, "")
    scheme = ScoringScheme(
        tasks_weight=_number(raw, "parts", "tasks"),
        indicators_weight=_number(raw, "parts", "indicators"),
        status_scores={s: _number(raw, "status_scores", s.value, 100) for s in ItemStatus},
        late_deduction=_number(raw, "deductions", "late_report"),
        missing_deduction=_number(raw, "deductions", "missing_report"),
        max_deduction=_number(raw, "deductions", "max", 100),
        early_bonus=_number(raw, "bonus", "early_completion"),
        max_bonus=_number(raw, "bonus", "max", 100),
        missing_value_score=_number(raw, "indicators", "missing_value_score", 1),
        pro_rata_margin=_number(raw, "status", "pro_rata_margin", 100),
        near_deadline_percent=_number(raw, "status", "near_deadline_percent", 100),
    )
    if scheme.tasks_weight + scheme.indicators_weight <= 0:
        raise ConfigurationError(
            "parts.tasks + parts.indicators must be > 0",
            message_zh="评分方案中任务与指标权重之和应大于0",
            where="parts",
        )
    return scheme


@lru_cache(maxsize=1)
def default_scheme() -> ScoringScheme:
    return load_scheme()


# ------------------------------------------------------------------ items and aggregates


def score_items(items: Iterable[ItemEvaluation], scheme: ScoringScheme) -> None:
    """Set each item's score from its status."""
    for item in items:
        item.score = scheme.status_scores[item.status]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def task_scores(items: Iterable[ItemEvaluation]) -> dict[str, float]:
    """task id → mean score of its items, in plan order."""
    by_task: dict[str, list[float]] = defaultdict(list)
    for item in items:
        by_task[item.task_id].append(item.score)
    return {tid: round(_mean(scores), 2) for tid, scores in by_task.items()}


def section_scores(items: Iterable[ItemEvaluation], section_of_task: Mapping[str, str]) -> list[SectionScore]:
    """Mean item score per top-level section, in plan order."""
    by_section: dict[str, list[float]] = defaultdict(list)
    for item in items:
        by_section[section_of_task.get(item.task_id, "")].append(item.score)
    return [SectionScore(section=s, score=round(_mean(v), 2), items=len(v)) for s, v in by_section.items()]


@dataclass(slots=True)
class Tally:
    """Reports due, received and on time over some items' periods."""

    due: int = 0
    received: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    def add(self, item: ItemEvaluation) -> None:
        for t in item.timeliness.values():
            if t in _DUE:
                self.due += 1
                if t is Timeliness.ON_TIME:
                    self.on_time += 1
                    self.received += 1
                elif t is Timeliness.LATE:
                    self.late += 1
                    self.received += 1
                else:
                    self.missing += 1

    @property
    def reporting_rate(self) -> float:
        return self.received / self.due if self.due else 1.0

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.due if self.due else 1.0


def is_early(item: ItemEvaluation) -> bool:
    """Completed before its deadline (items without a deadline earn no bonus)."""
    return item.completed_on is not None and item.deadline is not None and item.completed_on < item.deadline


def department_scores(items: Iterable[ItemEvaluation], scheme: ScoringScheme) -> list[DepartmentScore]:
    """Every lead department's score, ranked 1..n (score, then on-time rate, then name)."""
    led: dict[str, list[ItemEvaluation]] = defaultdict(list)
    for item in items:
        for name in dict.fromkeys(item.lead):
            led[name].append(item)
    rows: list[DepartmentScore] = []
    for name, its in led.items():
        tally = Tally()
        for it in its:
            tally.add(it)
        deduction = min(
            scheme.max_deduction, tally.late * scheme.late_deduction + tally.missing * scheme.missing_deduction
        )
        early = sum(1 for it in its if is_early(it))
        bonus = min(scheme.max_bonus, early * scheme.early_bonus)
        item_mean = _mean([it.score for it in its])
        score = min(100.0, max(0.0, item_mean - deduction + bonus))
        rows.append(
            DepartmentScore(
                name=name,
                score=round(score, 2),
                rank=0,
                items=len(its),
                completed=sum(1 for it in its if it.status is ItemStatus.COMPLETED),
                overdue=sum(1 for it in its if it.status is ItemStatus.OVERDUE),
                at_risk=sum(1 for it in its if it.status is ItemStatus.AT_RISK),
                not_reported=sum(1 for it in its if it.status is ItemStatus.NOT_REPORTED),
                reporting_rate=tally.reporting_rate,
                on_time_rate=tally.on_time_rate,
                item_mean=round(item_mean, 2),
                deduction=round(deduction, 2),
                bonus=round(bonus, 2),
                reports_due=tally.due,
                late=tally.late,
                missing=tally.missing,
                early=early,
            )
        )
    rows.sort(key=lambda d: (-d.score, -round(d.on_time_rate, 9), d.name))
    for rank, row in enumerate(rows, 1):
        row.rank = rank
    return rows


def plan_score(
    items: list[ItemEvaluation], target_scores: list[float], scheme: ScoringScheme
) -> tuple[float, float | None]:
    """(plan score 0-100, indicator score 0-100 or None when no target is scored)."""
    task_part = _mean([it.score for it in items])
    if not target_scores:
        return round(task_part, 2), None
    indicator_part = 100.0 * _mean(target_scores)
    w_t, w_i = scheme.tasks_weight, scheme.indicators_weight
    if not items:
        return round(indicator_part, 2), round(indicator_part, 2)
    return round((w_t * task_part + w_i * indicator_part) / (w_t + w_i), 2), round(indicator_part, 2)
