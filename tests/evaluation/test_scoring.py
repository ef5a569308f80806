"""Scores of a tiny plan worked out by hand, the shipped scheme, and scheme overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from yigai.domain.errors import ConfigurationError
from yigai.domain.indicators import Direction
from yigai.domain.periods import parse_period, periods_between
from yigai.domain.plan import (
    Comparator,
    Deadline,
    DeadlineKind,
    DepartmentRef,
    Measure,
    PlanDraft,
    PlanMeta,
    Responsibility,
    Task,
)
from yigai.domain.reports import ProgressReport, ProgressStatus, ReviewState, Timeliness
from yigai.evaluation import evaluate
from yigai.evaluation.results import (
    EvaluationInput,
    ItemEvaluation,
    ItemStatus,
    Observation,
    PlanEvaluation,
    TargetInput,
)
from yigai.evaluation.scoring import default_scheme_dict, department_scores, load_scheme

D = dt.date
PERIODS = periods_between("2023Q1", "2023Q4")
AT = D(2023, 12, 31)  # Q1-Q3 are due, Q4 not yet


def lead(name: str) -> Responsibility:
    return Responsibility(lead=[DepartmentRef(name, name)])


def tiny_plan() -> PlanDraft:
    """T1 (section 甲) = M1 (区卫健局, by 2023-12-31) + M2 (区医保局, continuous); T2 (section 乙, 区卫健局)."""
    m1 = Measure(
        id="T1.M1",
        no="1",
        text="建立制度",
        responsibility=lead("区卫健局"),
        deadline=Deadline(DeadlineKind.DATE, D(2023, 12, 31)),
    )
    m2 = Measure(
        id="T1.M2",
        no="2",
        text="持续推进结算",
        responsibility=lead("区医保局"),
        deadline=Deadline(DeadlineKind.CONTINUOUS),
    )
    t1 = Task(id="T1", no="1", path=["一、甲"], section_id="S1", title="任务一", text="", measures=[m1, m2])
    t2 = Task(
        id="T2",
        no="2",
        path=["二、乙"],
        section_id="S2",
        title="任务二",
        text="",
        responsibility=lead("区卫健局"),
        deadline=Deadline(DeadlineKind.BY_SUPERIORS),
    )
    return PlanDraft(
        "tiny.txt", "txt", "", "0", meta=PlanMeta(title="小方案", doc_number="测〔2023〕1号"), tasks=[t1, t2]
    )


def rep(
    item: str, period: str, submitted: dt.date, status: ProgressStatus = ProgressStatus.IN_PROGRESS, percent: float = 50
) -> ProgressReport:
    return ProgressReport(
        1,
        item,
        period,
        "x",
        status,
        percent,
        state=ReviewState.ACCEPTED,
        submitted_at=dt.datetime.combine(submitted, dt.time(10)),
    )


REPORTS = [
    # M1: Q1 on time, Q2 completed on 07-05 (on time, and before the 2023-12-31 deadline) → 100, bonus
    rep("T1.M1", "2023Q1", D(2023, 4, 10), percent=40),
    rep("T1.M1", "2023Q2", D(2023, 7, 5), ProgressStatus.COMPLETED, 100),
    # M2: Q1 on time, Q2 late (due 07-15), Q3 missing → not reported, 0
    rep("T1.M2", "2023Q1", D(2023, 4, 10)),
    rep("T1.M2", "2023Q2", D(2023, 7, 20)),
    # T2: Q1-Q3 on time, in progress → on track, 80
    rep("T2", "2023Q1", D(2023, 4, 10)),
    rep("T2", "2023Q2", D(2023, 7, 10)),
    rep("T2", "2023Q3", D(2023, 10, 10)),
]


def series(*values: float) -> list[Observation]:
    return [Observation(parse_period(str(2021 + i)), v) for i, v in enumerate(values)]


TARGETS = [
    TargetInput(
        0,
        "家庭医生签约覆盖率",
        Comparator.GE,
        80,
        None,
        "%",
        D(2025, 12, 31),
        Direction.HIGHER_IS_BETTER,
        "FD_COVERAGE",
        series=series(50, 55, 60),
    ),  # 60/80 = 0.75
    TargetInput(
        1,
        "孕产妇死亡率",
        Comparator.LE,
        12,
        None,
        "1/10万",
        D(2025, 12, 31),
        Direction.LOWER_IS_BETTER,
        "MMR",
        series=series(14, 11, 10),
    ),  # met = 1.0
    TargetInput(2, "未关联指标", Comparator.GE, 90, None, "%", None, Direction.HIGHER_IS_BETTER),  # not scored
    TargetInput(3, "已关联无数据", Comparator.GE, 90, None, "%", None, Direction.HIGHER_IS_BETTER, "NO_DATA"),  # 0
]


def run(weights: dict[str, object] | None = None) -> PlanEvaluation:
    return evaluate(EvaluationInput(1, tiny_plan(), PERIODS, REPORTS, TARGETS, AT, weights=weights or {}))


def test_tiny_plan_by_hand() -> None:
    ev = run()
    assert [(i.item_id, i.status, i.score) for i in ev.items] == [
        ("T1.M1", ItemStatus.COMPLETED, 100),
        ("T1.M2", ItemStatus.NOT_REPORTED, 0),
        ("T2", ItemStatus.ON_TRACK, 80),
    ]
    assert ev.task_scores == {"T1": 50.0, "T2": 80.0}
    assert [(s.section, s.score, s.items) for s in ev.sections] == [("一、甲", 50.0, 2), ("二、乙", 80.0, 1)]
    # two and one items: scored, listed, not ranked (fewer than 3 items)
    assert ev.departments == []
    wj, yb = ev.not_ranked
    # 区卫健局: mean(100, 80) = 90, no late or missing report, one early completion +2 → 92;
    # due: M1 Q1-Q2 (stops after completion) + T2 Q1-Q3 = 5, all on time
    assert (wj.name, wj.rank, wj.score, wj.items, wj.completed) == ("区卫健局", 0, 92.0, 2, 1)
    assert (wj.item_mean, wj.deduction, wj.bonus, wj.early) == (90.0, 0.0, 2.0, 1)
    assert (wj.reporting_rate, wj.on_time_rate) == (1.0, 1.0)
    assert "少于3项" in wj.not_ranked
    # 区医保局: mean 0 − (1 late × 1 + 1 missing × 2) → 0 (floor); due 3, received 2, on time 1
    assert (yb.name, yb.rank, yb.score, yb.not_reported) == ("区医保局", 0, 0.0, 1)
    assert (yb.item_mean, yb.deduction, yb.reports_due, yb.late, yb.missing) == (0.0, 3.0, 3, 1, 1)
    assert yb.reporting_rate == pytest.approx(2 / 3) and yb.on_time_rate == pytest.approx(1 / 3)
    # indicators: mean(0.75, 1.0, 0) × 100 = 58.33; tasks mean(100, 0, 80) = 60
    # plan = (60 × 60 + 40 × 58.333) / 100 = 59.33
    assert ev.indicator_score == pytest.approx(58.33)
    assert ev.score == pytest.approx(59.33)
    assert ev.reporting_rate == pytest.approx(7 / 8) and ev.on_time_rate == pytest.approx(6 / 8)
    assert ev.completion_rate == pytest.approx(1 / 3)
    assert ev.counts[ItemStatus.NOT_REPORTED] == 1 and sum(ev.counts.values()) == 3
    assert ev.period_id == "2023Q4"
    assert (ev.title, ev.doc_number) == ("小方案", "测〔2023〕1号")


def test_weights_override_merges_over_the_default() -> None:
    ev = run({"parts": {"indicators": 0}})
    assert ev.score == pytest.approx(60.0)  # tasks alone
    ev = run({"status_scores": {"on_track": 100}, "bonus": {"early_completion": 0}})
    assert ev.not_ranked[0].score == pytest.approx(100.0)
    assert ev.task_scores["T2"] == 100.0
    ev = run({"deductions": {"late_report": 0, "missing_report": 0}, "status_scores": {"not_reported": 10}})
    assert ev.not_ranked[1].score == pytest.approx(10.0)
    assert ev.ranking_method is not None and ev.ranking_method.status_scores["not_reported"] == 10


def test_status_thresholds_come_from_the_scheme() -> None:
    ev = run({"status": {"near_deadline_percent": 0}})
    assert ev.items[0].status is ItemStatus.COMPLETED  # unaffected


@pytest.mark.parametrize(
    ("weights", "where"),
    [
        ({"part": {"tasks": 1}}, "part"),
        ({"parts": {"task": 1}}, "parts.task"),
        ({"parts": {"tasks": -1}}, "parts.tasks"),
        ({"parts": {"tasks": "sixty"}}, "parts.tasks"),
        ({"parts": 60}, "parts"),
        ({"parts": {"tasks": 0, "indicators": 0}}, "parts"),
        ({"indicators": {"missing_value_score": 2}}, "indicators.missing_value_score"),
    ],
)
def test_bad_schemes_are_refused_naming_the_key(weights: dict[str, object], where: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        load_scheme(weights)
    assert err.value.where == where
    assert "评分方案" in err.value.message_zh


def test_shipped_scheme() -> None:
    raw = default_scheme_dict()
    assert raw["parts"] == {"tasks": 60, "indicators": 40}
    scheme = load_scheme()
    assert [scheme.status_scores[s] for s in ItemStatus] == [100, 80, 50, 0, 0, 30]
    raw["parts"]["tasks"] = 1  # a copy: the default is unchanged
    assert load_scheme().tasks_weight == 60


def _item(
    item_id: str, lead: list[str], status: ItemStatus, score: float, timeliness: dict[str, Timeliness]
) -> ItemEvaluation:
    return ItemEvaluation(item_id, "T", "", lead, status, None, None, None, timeliness, "", score)


def test_ties_are_broken_by_on_time_rate_then_name() -> None:
    ok, late = Timeliness.ON_TIME, Timeliness.LATE
    items = [
        _item("a", ["乙局"], ItemStatus.ON_TRACK, 80, {"Q1": ok, "Q2": ok}),
        _item("b", ["甲局"], ItemStatus.ON_TRACK, 80, {"Q1": ok, "Q2": ok}),
        _item("c", ["丙局"], ItemStatus.ON_TRACK, 81, {"Q1": ok, "Q2": late}),  # 81 − 1 = 80, on time 1/2
        _item("d", ["丁局", "丁局"], ItemStatus.COMPLETED, 100, {}),  # a name listed twice counts once
    ]
    rows = department_scores(items, load_scheme())
    assert [(r.rank, r.name, r.score) for r in rows] == [
        (1, "丁局", 100.0),
        (2, "乙局", 80.0),
        (3, "甲局", 80.0),
        (4, "丙局", 80.0),
    ]
    assert rows[0].items == 1 and rows[0].reporting_rate == 1.0  # nothing due: nothing missing
