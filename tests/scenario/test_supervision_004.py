"""Acceptance scenario of the supervision loop on seed 004 (see scenario_004.py for the story).

Every expected figure below is worked out by hand from the default scoring scheme
(src/yigai/data/scoring.yaml): item scores completed 100, on track 80, at risk 50, not
reported / overdue 0; department score = mean of the items it leads − (1 per late report +
2 per missing report, at most 20) + (2 per item completed before its deadline, at most 10).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import docx
import pytest

from yigai.domain.errors import YigaiError
from yigai.evaluation.results import ItemStatus, PlanEvaluation
from yigai.services.bulletins import write_bulletin
from yigai.services.evaluate import evaluate_plan
from yigai.services.reports import report_history, save_report
from yigai.services.values import enter_value

_spec = importlib.util.spec_from_file_location("scenario_004", Path(__file__).with_name("scenario_004.py"))
assert _spec and _spec.loader
scenario_004 = importlib.util.module_from_spec(_spec)
sys.modules["scenario_004"] = scenario_004
_spec.loader.exec_module(scenario_004)

AT = scenario_004.AT


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> scenario_004.Scenario:
    return scenario_004.build_scenario(tmp_path_factory.mktemp("scenario004"))


@pytest.fixture(scope="module")
def evaluation(scenario: scenario_004.Scenario) -> PlanEvaluation:
    return evaluate_plan(scenario.app.uow(), scenario.plan_id, AT)


def test_item_statuses(evaluation: PlanEvaluation) -> None:
    status = {i.item_id: i.status for i in evaluation.items}
    S = ItemStatus
    assert evaluation.period_id == "2023Q4"
    # 区委编办: three measures in progress, T15.M3 completed in 2022Q3
    assert [status[x] for x in ("T8.M3", "T9.M1", "T15.M2", "T15.M3")] == [S.ON_TRACK] * 3 + [S.COMPLETED]
    # 区财政局: T8.M2 completed in 2022Q4, T20.M1 reported 滞后
    assert [status[x] for x in ("T8.M1", "T8.M2", "T11.M1", "T20.M1", "T27.M1")] == [
        S.ON_TRACK,
        S.COMPLETED,
        S.ON_TRACK,
        S.AT_RISK,
        S.ON_TRACK,
    ]
    # 区人力资源社会保障局: T9.M2 counts by its resubmission; T18.M2 missed 2023Q3; nobody reports T10.M1, T16.M1
    assert [status[x] for x in ("T9.M2", "T9.M3", "T18.M1", "T18.M2", "T10.M1", "T16.M1")] == [
        S.ON_TRACK,
        S.ON_TRACK,
        S.ON_TRACK,
        S.NOT_REPORTED,
        S.NOT_REPORTED,
        S.NOT_REPORTED,
    ]
    # dated measures nobody reported, deadline passed: 7(5) 2021-09, 9(4) 2022-08, 9(6) 2022-07, 17(2), 17(4),
    # 21(2), 22(3), 33(1) 2022-12, 23(1) 2021-10, 24(4), 24(6), 25(1), 25(3) 2021-12, 27(2) 2022-01 → 14 overdue
    overdue = sorted(x for x, s in status.items() if s is S.OVERDUE)
    assert overdue == sorted(
        [
            "T7.M5",
            "T9.M4",
            "T9.M6",
            "T17.M2",
            "T17.M4",
            "T21.M2",
            "T22.M3",
            "T33.M1",
            "T23.M1",
            "T24.M4",
            "T24.M6",
            "T25.M1",
            "T25.M3",
            "T27.M2",
        ]
    )
    # 16(2) is due 2023-12-31, the evaluation date itself: not yet overdue
    assert status["T16.M2"] is S.NOT_REPORTED
    # 133 items: 2 completed, 9 on track (3 of 编办, 3 of 财政局, 3 of 人社局), 1 at risk, 14 overdue
    on_track = {"T8.M3", "T9.M1", "T15.M2", "T8.M1", "T11.M1", "T27.M1", "T9.M2", "T9.M3", "T18.M1"}
    assert {x for x, s in status.items() if s is S.ON_TRACK} == on_track
    assert evaluation.counts == {
        S.COMPLETED: 2,
        S.ON_TRACK: 9,
        S.AT_RISK: 1,
        S.OVERDUE: 14,
        S.NOT_REPORTED: 133 - 2 - 9 - 1 - 14,
        S.NOT_STARTED: 0,
    }


def test_department_scores_and_ranking(evaluation: PlanEvaluation) -> None:
    scores = {d.name: d for d in [*evaluation.departments, *evaluation.not_ranked]}
    # 区委编办: (80 + 80 + 80 + 100) / 4 = 85; nothing late or missing; T15.M3 done 2022-09-30 < 2022-12-31: +2
    assert scores["区委编办"].score == pytest.approx(87.0)
    # 区财政局: (80 + 100 + 80 + 50 + 80) / 5 = 78; 2022Q1 late for all five: −5; T8.M2 done on its deadline: +0
    assert scores["区财政局"].score == pytest.approx(73.0)
    # 36 reports due for the four open measures over 9 quarters + 6 for T8.M2 until done = 42; 5 late
    assert scores["区财政局"].on_time_rate == pytest.approx(37 / 42)
    assert scores["区财政局"].reporting_rate == pytest.approx(1.0)
    # 区人力资源社会保障局 leads T9.M2 80, T9.M3 80, T10.M1 0, T15.M2 80, T15.M3 100, T16.M1 0, T18.M1 80,
    # T18.M2 0 → 420 / 8 = 52.5; missing 9 + 9 + 1 = 19 → −38, capped at −20; T15.M3 early: +2 → 34.5
    assert scores["区人力资源社会保障局"].score == pytest.approx(34.5)
    # 区政府 leads T1.M1 0, T4.M1 0, T11.M1 80 (reported by 区财政局) → 26.67 − 20 (capped) = 6.67
    assert scores["区政府"].score == pytest.approx(20 / 3, abs=0.01)
    # 区政府 is a leading body: scored, listed apart, not ranked
    assert scores["区政府"].rank == 0 and "领导机构" in scores["区政府"].not_ranked
    ranking = [d.name for d in sorted(evaluation.departments, key=lambda d: d.rank)]
    assert ranking[:3] == ["区委编办", "区财政局", "区人力资源社会保障局"]
    assert all(d.score == 0 for d in evaluation.departments if d.rank > 3)


def test_targets_and_plan_score(evaluation: PlanEvaluation) -> None:
    linked = {t.indicator_code: t for t in evaluation.targets if t.indicator_code}
    assert set(linked) == {
        "REFERRAL_BOOKED_SHARE",
        "PRIMARY_STAFF_QUOTA_USE",
        "DOCTORS_PER_1000",
        "BEDS_PER_1000",
        "OUT_OF_CATALOGUE_SHARE",
    }
    referral = linked["REFERRAL_BOOKED_SHARE"]  # ≥30% by 2022-12-31; latest 28 → 28/30
    assert referral.attainment.met is False and referral.attainment.score == pytest.approx(28 / 30)
    assert referral.off_track
    assert linked["PRIMARY_STAFF_QUOTA_USE"].attainment.met is True  # 92 ≥ 90
    # beds: OLS over (2022.0, 5.0), (2023.0, 5.2), (2024.0, 5.3): slope 0.15/yr, mean 5.1667 at 2023.0;
    # at 2026.0 (end of 2025): 5.1667 + 3 × 0.15 = 5.62 < 7
    beds = linked["BEDS_PER_1000"]
    assert beds.projection.value_at_due == pytest.approx(5.6167, abs=1e-3)
    assert beds.projection.sentence == "按当前趋势，2025年预计达到5.6张，目标≥7张，存在未达标风险"
    assert beds.off_track
    # doctors: slope 0.2/yr → 3.6 + 2 × 0.2 = 4.0 ≥ 3.9 by 2025: not off track though 3.6 is short today
    doctors = linked["DOCTORS_PER_1000"]
    assert doctors.projection.value_at_due == pytest.approx(4.0) and not doctors.off_track
    assert doctors.attainment.score == pytest.approx(3.6 / 3.9)
    # indicator part: (28/30 + 1 + 3.6/3.9 + 5.3/7 + 1) / 5 × 100 = 92.27
    assert evaluation.indicator_score == pytest.approx(92.27, abs=0.01)
    # task part: (2 × 100 + 9 × 80 + 1 × 50) / 133 = 7.293; plan = 0.6 × 7.293 + 0.4 × 92.27 = 41.28
    assert evaluation.score == pytest.approx(41.28, abs=0.01)


def test_bulletin_docx(scenario: scenario_004.Scenario, tmp_path: Path) -> None:
    # as of the evaluation above (by default a bulletin is evaluated the day after the period's reports were due)
    out = write_bulletin(
        scenario.app.uow(), scenario.plan_id, "2023Q4", "docx", tmp_path / "通报.docx", at=dt.date(2023, 12, 31)
    )
    doc = docx.Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == [
        "一、总体情况",
        "二、重点督办事项（红色清单）",
        "三、指标监测预警",
        "四、部门考核排名",
        "五、下步工作要求",
    ]
    groups = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    # the red list by lead department: 区卫生健康委 co-leads 13 of the overdue items and T20.M1 (at risk)
    assert groups[0] == "（一）区卫生健康委（14项）"
    assert "（四）区财政局（1项）" in groups
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "按当前趋势，2025年预计达到5.6张，目标≥7张，存在未达标风险" in body
    red_rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows[1:] if len(r.cells) == 7]
    assert any(row[3] == "存在风险" and "2023年第3季度报告为滞后" in row[6] for row in red_rows)
    ranking = next(t for t in doc.tables if any("得分" in c.text for c in t.rows[0].cells))
    first = [c.text for c in ranking.rows[1].cells]
    assert "区委编办" in first and "87" in "".join(first)
    assert len(doc.inline_shapes) >= 2


def test_refusals_save_nothing(scenario: scenario_004.Scenario) -> None:
    uow, plan = scenario.app.uow, scenario.plan_id
    before = len(report_history(uow(), plan, "T9.M2", "2023Q3"))
    with pytest.raises(YigaiError) as err:  # 区财政局 does not lead T9.M2
        save_report(uow(), scenario.admin, plan, "T9.M2", "2023Q3", "区财政局", "推进中", 60, submit=True)
    assert "牵头" in err.value.message_zh
    assert len(report_history(uow(), plan, "T9.M2", "2023Q3")) == before
    with pytest.raises(YigaiError):  # 2024Q1 is outside the plan's schedule
        save_report(uow(), scenario.admin, plan, "T9.M2", "2024Q1", "区人力资源社会保障局", "推进中", 60)
    with pytest.raises(YigaiError):  # unknown indicator
        enter_value(uow(), scenario.admin, "NO_SUCH_INDICATOR", "350104", "2023Q3", 1.0, plan_ref=plan)
    with pytest.raises(YigaiError):  # a period outside the plan
        enter_value(uow(), scenario.admin, "BEDS_PER_1000", "350104", "2026", 7.0, plan_ref=plan)
    again = evaluate_plan(uow(), plan, dt.date(2023, 12, 31))
    assert again.score == pytest.approx(41.28, abs=0.01)


def test_comparison_across_regions_and_plans(scenario: scenario_004.Scenario) -> None:
    from yigai.services.compare import compare_plans, compare_regions

    uow, plan = scenario.app.uow, scenario.plan_id
    for unit, value in (("350104001", 31), ("350104002", 25), ("350104003", 29)):
        enter_value(uow(), scenario.admin, "REFERRAL_BOOKED_SHARE", unit, "2023Q3", value, plan_ref=plan)
    rows = compare_regions(
        uow(), plan, "预约转诊占公立医院门诊就诊量比例", ["350104001", "350104002", "350104003", "350104"], AT
    )
    # target ≥30%: 31 meets it (1.0); then 29/30, 28/30 (the district), 25/30
    assert [(r.rank, r.label, r.latest.value if r.latest else None) for r in rows] == [
        (1, "仓前街道", 31.0),
        (2, "金山街道", 29.0),
        (3, "仓山区", 28.0),
        (4, "东升街道", 25.0),
    ]
    assert [r.met for r in rows] == [True, False, False, False]
    across = compare_plans(uow(), "REFERRAL_BOOKED_SHARE", AT)
    assert [(r.plan_id, r.target) for r in across] == [(plan, "≥30%")]
