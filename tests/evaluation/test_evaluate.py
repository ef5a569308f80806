"""``evaluate`` on seed 004 (37 tasks, 133 measures) and ``compare`` across plans and regions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from yigai.domain.indicators import Direction
from yigai.domain.periods import parse_period, periods_between
from yigai.domain.plan import Comparator, DeadlineKind, PlanDraft
from yigai.domain.reports import ProgressReport, ProgressStatus, ReviewState, Timeliness
from yigai.evaluation import compare, evaluate
from yigai.evaluation.engine import evaluate_target
from yigai.evaluation.results import EvaluationInput, ItemStatus, Observation, PlanEvaluation, TargetInput

D = dt.date
H, L = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
PERIODS = periods_between("2021Q3", "2023Q4")


@pytest.fixture(scope="module")
def seed004(seed_drafts: list[PlanDraft]) -> PlanDraft:
    return seed_drafts[4]


def quarter_series(values: Sequence[float], first: str = "2021Q3") -> list[Observation]:
    ps = periods_between(first, "2030Q4")
    return [Observation(p, v) for p, v in zip(ps, values, strict=False)]


def target_from(draft: PlanDraft, index: int, direction: Direction, code: str, values: Sequence[float]) -> TargetInput:
    t = draft.targets[index]
    return TargetInput(
        index,
        t.metric,
        t.comparator,
        t.value,
        t.value_high,
        t.unit,
        t.due,
        direction,
        code,
        task_id=t.task,
        series=quarter_series(values),
    )


def rep(
    item: str,
    period: str,
    days_after_end: int,
    status: ProgressStatus = ProgressStatus.IN_PROGRESS,
    percent: float = 50,
    plan_id: int = 4,
) -> ProgressReport:
    end = parse_period(period).end
    return ProgressReport(
        plan_id,
        item,
        period,
        "区卫生健康委",
        status,
        percent,
        state=ReviewState.SUBMITTED,
        submitted_at=dt.datetime.combine(end + dt.timedelta(days=days_after_end), dt.time(9)),
    )


def test_no_reports_at_the_first_due_day(seed004: PlanDraft) -> None:
    at = D(2021, 10, 1)  # 2021Q3 ended, its reports are due on 10-15
    ev = evaluate(EvaluationInput(4, seed004, PERIODS, [], [], at))
    assert len(ev.items) == 133
    # T7.M5 (完成时间 2021年9月) is the plan's only deadline before 2021-10-01
    assert [i.item_id for i in ev.items if i.status is ItemStatus.OVERDUE] == ["T7.M5"]
    assert next(i for i in ev.items if i.item_id == "T7.M5").reason == "完成时限2021年9月30日已过，尚未完成"
    assert ev.counts[ItemStatus.NOT_STARTED] == 132
    assert ev.period_id == "2021Q3"
    assert (ev.reporting_rate, ev.on_time_rate) == (1.0, 1.0)  # nothing due yet
    # 30 × 132 / 133 = 29.77
    assert ev.score == pytest.approx(round(30 * 132 / 133, 2))


def test_no_reports_at_the_end_of_2023(seed004: PlanDraft) -> None:
    at = D(2023, 12, 31)
    ev = evaluate(EvaluationInput(4, seed004, PERIODS, [], [], at))
    overdue = sum(
        1
        for m in seed004.measures()
        if m.deadline.kind is DeadlineKind.DATE and m.deadline.date and m.deadline.date < at
    )
    assert overdue == 16  # 1 + 1 + 4 + 1 + 1 + 1 + 7 deadlines before 2023-12-31
    assert ev.counts[ItemStatus.OVERDUE] == overdue
    assert ev.counts[ItemStatus.NOT_REPORTED] == 133 - overdue
    assert ev.score == 0.0 and ev.reporting_rate == 0.0
    # every one of the 133 measures owes 2021Q3 … 2023Q3 (9 quarters); 2023Q4 is not yet due
    assert all(sum(t is Timeliness.MISSING for t in i.timeliness.values()) == 9 for i in ev.items)
    leads = {name for m in seed004.measures() for name in (d.name for d in m.responsibility.lead)}
    assert {d.name for d in [*ev.departments, *ev.not_ranked]} == leads
    # ranked: member departments leading 3 items or more; 区委, 区政府, groups and places are listed apart
    assert {d.name for d in ev.departments} == {
        "区卫生健康委",
        "区医保局",
        "区财政局",
        "区人力资源社会保障局",
        "区市场监管局",
        "区发展改革委",
        "区委编办",
        "区民政局",
        "区大数据中心",
        "区工信局",
        "区商务局",
        "区文旅局",
        "区教育局",
        "区应急局",
        "区司法局",
        "区建设局",
        "区自然资源局",
        "区妇联",
    } & {d.name for d in ev.departments}
    assert not {"区委", "区政府", "区深化医改领导小组", "各镇街（园区）", "区直有关部门"} & {
        d.name for d in ev.departments
    }
    assert all(d.items >= 3 and d.department_class.value == "member" for d in ev.departments)
    # all score 0 after the 20-point deduction cap: one shared rank, listed by name
    assert {d.rank for d in ev.departments} == {1}
    assert [d.name for d in ev.departments] == sorted(d.name for d in ev.departments)
    assert len(ev.sections) == 12  # the 12 "构建…体系" headings under 主要任务


def test_a_quarter_of_supervision_on_seed_004(seed004: PlanDraft) -> None:
    at = D(2023, 12, 31)
    quarters = [p.id for p in PERIODS[:-1]]  # 2021Q3 … 2023Q3
    reports = [rep("T1.M3", q, 10) for q in quarters]  # continuous, always on time → on track
    reports += [
        rep("T2.M4", q, 20 if q == "2023Q3" else 5, percent=10 * i)  # by schedule, 80 % at 2023Q3
        for i, q in enumerate(quarters, 1)
    ]
    reports += [rep("T15.M1", q, 10) for q in quarters[:-1]]  # misses 2023Q3 → not reported
    reports += [rep("T1.M1", "2022Q2", 10, ProgressStatus.COMPLETED, 100)]  # 适时调整, completed
    reports += [rep("T1.M2", q, 10, plan_id=5) for q in quarters]  # another plan's: ignored
    ev = evaluate(EvaluationInput(4, seed004, PERIODS, reports, [], at))
    by_id = {i.item_id: i for i in ev.items}
    assert by_id["T1.M3"].status is ItemStatus.ON_TRACK
    assert by_id["T2.M4"].status is ItemStatus.ON_TRACK  # 90 % of a 2021-07-01 → 2023-12-31 schedule
    assert by_id["T2.M4"].timeliness["2023Q3"] is Timeliness.LATE
    assert by_id["T15.M1"].status is ItemStatus.NOT_REPORTED
    assert by_id["T1.M1"].status is ItemStatus.COMPLETED
    assert set(by_id["T1.M1"].timeliness) == {"2021Q3", "2021Q4", "2022Q1", "2022Q2"}
    assert by_id["T1.M2"].status is ItemStatus.NOT_REPORTED
    assert ev.counts[ItemStatus.ON_TRACK] == 2 and ev.counts[ItemStatus.COMPLETED] == 1


def test_targets_of_seed_004(seed004: PlanDraft) -> None:
    targets = [
        # 预约转诊占公立医院门诊就诊量 ≥30 %, due 2022-12-31: 24 % at the due date → off track
        target_from(seed004, 22, H, "REFERRAL_BOOKED", [20, 21, 22, 23, 24, 25, 26, 27, 28]),
        # 基层医疗卫生机构人员编制数利用率 ≥90 %, met since 2022
        target_from(seed004, 12, H, "STAFF_QUOTA_USE", [85, 88, 90, 91, 92]),
        # 孕产妇死亡率 ≤12/10万, no due date → the plan's end; falling, met
        target_from(seed004, 4, L, "MMR", [14, 13, 12, 11.5, 11]),
        # 每千人口医疗卫生机构床位数 ≥7张 by 2025: 6.0 → 6.2 over five quarters, projected short
        target_from(seed004, 1, H, "BEDS_PER_1000", [6.0, 6.05, 6.1, 6.15, 6.2]),
        # 政策范围内报销比例 70%左右: one point only
        target_from(seed004, 2, H, "REIMBURSEMENT", [67]),
    ]
    inp = EvaluationInput(4, seed004, PERIODS, [], targets, D(2023, 12, 31))
    ev = evaluate(inp)
    referral, staff, mmr, beds, reimb = ev.targets
    assert referral.latest is not None and referral.latest.period.id == "2023Q3"
    assert referral.attainment.met is False and referral.attainment.score == pytest.approx(28 / 30)
    assert referral.off_track is True  # due 2022-12-31 passed unmet
    assert referral.projection.sentence == "完成时限2022年已到，最新值28.0%（2023年第3季度），目标≥30%，未达标"
    # staff: data end at 2022Q3, before the due date: quarters 0…4 → 85, 88, 90, 91, 92, ȳ = 89.2,
    # Sxy = 8.4 + 1.2 + 0 + 1.8 + 5.6 = 17, Sxx = 10 → 1.7 a quarter; 2022Q4 (x ≈ 5): 89.2 + 3 × 1.7 = 94.3
    assert staff.projection.sentence == "按当前趋势，2022年预计达到94.3%，目标≥90%，预计可达标"
    assert referral.target_text == "≥30%"
    assert staff.attainment.met is True and staff.off_track is False
    assert mmr.attainment.met is True and mmr.off_track is False
    # beds: slope 0.05 per quarter ≈ 0.2 per year; 6.2 at 2022Q3 end → about 6.85 at 2025-12-31
    assert beds.projection.enough_data and beds.off_track is True
    assert beds.projection.sentence.startswith("按当前趋势，2025年预计达到6.")
    assert beds.projection.sentence.endswith("张，目标≥7张，存在未达标风险")
    assert beds.path.ahead is False  # the path from 6.0 to 7 expects more than 6.2 by 2022Q3
    assert reimb.projection.sentence == "数据不足（仅1个数据点），无法预测"
    assert reimb.attainment.met is True  # 67 ≥ 70 − 5 % = 66.5
    # indicator part: mean(28/30, 1, 1, 6.2/7, 1) × 100
    assert ev.indicator_score == pytest.approx(round(100 * (28 / 30 + 1 + 1 + 6.2 / 7 + 1) / 5, 2))


def test_range_path_leads_to_the_nearer_edge() -> None:
    # 全科医生 4～5名 per 万: from 2.0 (2021) the path leads to 4 by 2025 → 3.0 expected at 2023
    t = TargetInput(
        0,
        "每万城乡居民拥有全科医生数",
        Comparator.RANGE,
        4,
        5,
        "名",
        D(2025, 12, 31),
        H,
        "GP",
        series=[Observation(parse_period(str(y)), v) for y, v in [(2021, 2.0), (2023, 3.1)]],
    )
    ev = evaluate_target(t, D(2024, 1, 31), 0.05, None)
    assert ev.path.expected == pytest.approx(2.0 + 2.0 * (730 / 1461))
    assert ev.path.ahead is True
    assert ev.projection.sentence == "数据不足（仅2个数据点），无法预测"
    assert ev.off_track is False  # not yet met, but ahead of the path and not yet due
    late = evaluate_target(t, D(2026, 1, 31), 0.05, None)
    assert late.off_track is True  # due passed, last value short of the band


def test_observations_after_the_evaluation_date_are_ignored() -> None:
    t = TargetInput(
        0,
        "签约覆盖率",
        Comparator.GE,
        80,
        None,
        "%",
        D(2025, 12, 31),
        H,
        "FD",
        series=quarter_series([50, 60, 70, 90], "2023Q1"),
    )
    ev = evaluate_target(t, D(2023, 10, 1), 0.05, None)
    assert ev.latest is not None and ev.latest.value == 70 and ev.projection.points == 3


def test_compare_regions_on_one_indicator() -> None:
    def region(values: list[float], code: str = "FD") -> TargetInput:
        return TargetInput(
            0,
            "家庭医生签约覆盖率",
            Comparator.GE,
            80,
            None,
            "%",
            D(2025, 12, 31),
            H,
            code,
            series=[Observation(parse_period(str(2021 + i)), v) for i, v in enumerate(values)],
        )

    rows = compare(
        {
            "仓山区": region([60, 64, 68.5]),
            "鼓楼区": region([70, 82]),
            "晋安区": region([70, 79]),
            "台江区": region([]),
            "马尾区": region([50], code="OTHER"),
        },
        "FD",
        at=D(2023, 12, 31),
    )
    assert [(r.rank, r.label) for r in rows] == [(1, "鼓楼区"), (2, "晋安区"), (3, "仓山区"), (4, "台江区")]
    assert rows[0].met is True and rows[1].score == pytest.approx(79 / 80)
    assert rows[2].projection == "按当前趋势，2025年预计达到76.9%，目标≥80%，存在未达标风险"
    assert rows[3].latest is None and rows[0].target == "≥80%"
    # without a date the comparison is as of the latest observation (2023-12-31 here)
    assert [r.label for r in compare({"仓山区": region([60, 64, 68.5]), "鼓楼区": region([70, 82])}, "FD")] == [
        "鼓楼区",
        "仓山区",
    ]


def test_compare_plans_from_their_evaluations(seed004: PlanDraft) -> None:
    evs: list[PlanEvaluation] = []
    for plan_id, values in [(1, [20, 25, 31]), (2, [20, 22, 24]), (3, [])]:
        t = target_from(seed004, 22, H, "REFERRAL_BOOKED", values)
        ev = evaluate(EvaluationInput(plan_id, seed004, PERIODS, [], [t], D(2023, 12, 31)))
        ev.title = f"方案{plan_id}"
        evs.append(ev)
    rows = compare(evs, "REFERRAL_BOOKED")
    assert [(r.label, r.plan_id, r.met) for r in rows] == [("方案1", 1, True), ("方案2", 2, False), ("方案3", 3, None)]
    assert compare(evs, "UNKNOWN") == []
