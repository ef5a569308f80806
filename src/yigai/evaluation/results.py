"""Inputs and results of the evaluation engine (plain data; no I/O).

The engine (``yigai.evaluation.engine.evaluate``) turns an ``EvaluationInput`` into a
``PlanEvaluation``; services gather the input from storage, reports render the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from yigai.domain.departments import DepartmentClass
from yigai.domain.indicators import Direction
from yigai.domain.periods import Period
from yigai.domain.plan import Comparator, PlanDraft
from yigai.domain.reports import ProgressReport, Timeliness


class ItemStatus(StrEnum):
    COMPLETED = "completed"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    NOT_REPORTED = "not_reported"
    NOT_STARTED = "not_started"


ITEM_STATUS_LABELS = {
    ItemStatus.COMPLETED: "已完成",
    ItemStatus.ON_TRACK: "按期推进",
    ItemStatus.AT_RISK: "存在风险",
    ItemStatus.OVERDUE: "逾期未完成",
    ItemStatus.NOT_REPORTED: "未报送",
    ItemStatus.NOT_STARTED: "未启动",
}


@dataclass(frozen=True, slots=True)
class Observation:
    """A value of an indicator for the plan's region at the end of a period."""

    period: Period
    value: float


@dataclass(slots=True)
class TargetInput:
    """A plan target with the indicator it is linked to and that indicator's series."""

    index: int  # position in PlanDraft.targets
    metric: str
    comparator: Comparator | None
    value: float | None
    value_high: float | None
    unit: str
    due: dt.date | None
    direction: Direction
    indicator_code: str = ""
    baseline: float | None = None
    baseline_date: dt.date | None = None
    task_id: str | None = None
    series: list[Observation] = field(default_factory=list)


@dataclass(slots=True)
class EvaluationInput:
    plan_id: int
    draft: PlanDraft
    periods: list[Period]  # the plan's reporting periods, in order
    reports: list[ProgressReport]  # every version; the engine uses the latest per item × period
    targets: list[TargetInput]
    at: dt.date  # evaluation date
    due_days: int = 15  # reports are due this many days after period end
    tolerance: float = 0.05  # relative tolerance of ≈ (左右)
    weights: dict[str, object] = field(default_factory=dict)  # the scoring scheme (YAML)
    # the office's explicit class of a department (name → class); the others are classed by their names
    department_classes: dict[str, DepartmentClass] = field(default_factory=dict)


@dataclass(slots=True)
class Attainment:
    met: bool | None  # None: no value to judge
    score: float  # 0-1
    gap: float | None  # value − target bound, signed so that negative is short of the target
    note: str = ""


@dataclass(slots=True)
class PathPosition:
    expected: float | None  # on the straight path from baseline to target at the date
    actual: float | None
    ahead: bool | None


@dataclass(slots=True)
class Projection:
    enough_data: bool
    value_at_due: float | None
    slope_per_year: float | None
    points: int
    sentence: str  # "按当前趋势，2025年预计达到71.3%，目标≥80%，存在未达标风险"


@dataclass(slots=True)
class ItemEvaluation:
    item_id: str  # measure id or task id
    task_id: str
    title: str
    lead: list[str]
    status: ItemStatus
    percent: float | None
    deadline: dt.date | None
    latest_period: str | None
    timeliness: dict[str, Timeliness]  # period id → timeliness, for periods due by ``at``
    reason: str  # why this status, in Chinese
    score: float = 0.0
    completed_on: dt.date | None = None  # when the run of 已完成 reports began (None unless completed)


@dataclass(slots=True)
class TargetEvaluation:
    index: int
    metric: str
    unit: str
    indicator_code: str
    direction: Direction
    latest: Observation | None
    attainment: Attainment
    path: PathPosition
    projection: Projection
    off_track: bool
    target_text: str = ""  # the target as printed: "≥80%", "70%左右", "4～5名"


@dataclass(slots=True)
class DepartmentScore:
    """A lead department's score and what it is made of: score = item mean − deduction + bonus (0-100)."""

    name: str
    score: float
    rank: int  # 1..n among the ranked departments; 0: not ranked
    items: int
    completed: int
    overdue: int
    at_risk: int
    not_reported: int
    reporting_rate: float  # reports received / reports due
    on_time_rate: float  # reports on time / reports due
    item_mean: float = 0.0  # mean score of the items it leads
    deduction: float = 0.0  # for late and missing reports, capped
    bonus: float = 0.0  # for items completed before their deadline, capped
    reports_due: int = 0
    late: int = 0
    missing: int = 0
    early: int = 0  # items completed before their deadline
    department_class: DepartmentClass = DepartmentClass.MEMBER
    rank_score: float | None = None  # the score adjusted for its number of items (ranking.py); None: not ranked
    not_ranked: str = ""  # why it is not ranked, in Chinese

    @property
    def completion_rate(self) -> float:
        return self.completed / self.items if self.items else 0.0


@dataclass(frozen=True, slots=True)
class RankingMethod:
    """How the ranking was made, for the bulletin's appendix (see ``yigai.evaluation.ranking``)."""

    min_items: int  # fewer items led: listed, not ranked
    prior_items: float  # weight, in items, of the mean score a department's score is pulled toward
    mean_score: float  # the mean score of the ranked departments
    status_scores: dict[str, float]  # ItemStatus value → points, as configured
    late_deduction: float
    missing_deduction: float
    max_deduction: float
    early_bonus: float
    max_bonus: float


@dataclass(slots=True)
class SectionScore:
    section: str
    score: float
    items: int


@dataclass(slots=True)
class PlanEvaluation:
    plan_id: int
    title: str
    doc_number: str
    at: dt.date
    period_id: str  # the latest period ended by ``at``
    items: list[ItemEvaluation]
    targets: list[TargetEvaluation]
    departments: list[DepartmentScore]  # the ranked member departments, in rank order
    sections: list[SectionScore]
    score: float  # 0-100
    counts: dict[ItemStatus, int]
    completion_rate: float
    reporting_rate: float
    on_time_rate: float
    task_scores: dict[str, float] = field(default_factory=dict)  # task id → mean score of its items
    indicator_score: float | None = None  # mean attainment × 100 over the scored targets; None: none scored
    not_ranked: list[DepartmentScore] = field(default_factory=list)  # leading bodies, groups, places, few items
    ranking_method: RankingMethod | None = None
