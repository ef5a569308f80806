"""Target links on seed 004 (suggest, confirm), the evaluation input, reminders and timeliness."""

from __future__ import annotations

import datetime as dt

import pytest

from yigai.domain.indicators import Direction
from yigai.domain.reports import ReviewState, Timeliness
from yigai.evaluation.results import ItemStatus
from yigai.services.errors import InvalidInputError, PermissionDeniedError, UnknownIndicatorError
from yigai.services.evaluate import evaluate_plan, gather_input
from yigai.services.reminders import owed_reports
from yigai.services.reports import save_report
from yigai.services.review import accept_report, return_report
from yigai.services.schedules import list_periods, set_schedule
from yigai.services.targets import link_target, list_links, similarity, suggest_links
from yigai.services.values import enter_value

from .conftest import Loop, at

# Seed 004's targets by index, as `yigai show 1 --targets` numbers them.
DOCTORS, BEDS, MMR, IMR, GP, STAFF_QUOTA, CONTROL_QUOTA, REFERRAL = 0, 1, 4, 5, 11, 12, 13, 22


def test_suggestions_for_seed_004(loop: Loop) -> None:
    rows = {s.index: s for s in suggest_links(loop.app.uow(), loop.admin, 1)}
    expected = {
        DOCTORS: "DOCTORS_PER_1000",
        BEDS: "BEDS_PER_1000",
        MMR: "MATERNAL_MORTALITY",
        IMR: "INFANT_MORTALITY",
        GP: "GP_PER_10000",
        STAFF_QUOTA: "PRIMARY_STAFF_QUOTA_USE",
        REFERRAL: "REFERRAL_BOOKED_SHARE",
        2: "REIMBURSEMENT_RATIO",
        3: "OOP_SHARE",
        25: "PREMIUM_SERVICE_SHARE",
        27: "OUT_OF_CATALOGUE_SHARE",
        24: "INSURANCE_COVERAGE",
    }
    assert {i: rows[i].indicator_code for i in expected} == expected
    assert all(not s.confirmed for s in rows.values())
    assert rows[IMR].score < 1.0  # the plan's 婴儿死亡率 target came out as %, the indicator is ‰
    assert len(list_links(loop.app.uow(), 1)) == len(rows)


def test_similarity_rewards_names_and_units() -> None:
    from yigai.domain.indicators import IndicatorDef

    beds = IndicatorDef(
        "BEDS_PER_1000", "每千常住人口床位数", "张", Direction.HIGHER_IS_BETTER, aliases=["千人口医疗卫生机构床位数"]
    )
    assert similarity("每千常住人口床位数", "张", beds) == 1.0
    assert similarity("每千常住人口床位数", "%", beds) == 0.8
    assert 0.7 < similarity("每千人口医疗卫生机构床位数", "张", beds) < 1.0
    assert similarity("家庭医生签约覆盖率", "%", beds) < 0.6


def test_confirmed_links_survive_new_suggestions(loop: Loop) -> None:
    suggest_links(loop.app.uow(), loop.admin, 1)
    view = link_target(loop.app.uow(), loop.admin, 1, CONTROL_QUOTA, "PRIMARY_STAFF_QUOTA_USE")
    assert view.confirmed and view.confirmed_by == "admin"
    link_target(loop.app.uow(), loop.admin, "仓医改组〔2021〕1号", REFERRAL, "预约转诊占公立医院门诊就诊量比例")
    again = {s.index: s for s in suggest_links(loop.app.uow(), loop.admin, 1)}
    assert again[CONTROL_QUOTA].confirmed and again[REFERRAL].confirmed and not again[DOCTORS].confirmed
    with pytest.raises(InvalidInputError, match="no target 99"):
        link_target(loop.app.uow(), loop.admin, 1, 99, "FD_COVERAGE")
    with pytest.raises(UnknownIndicatorError):
        link_target(loop.app.uow(), loop.admin, 1, 0, "NOPE")
    with pytest.raises(PermissionDeniedError):
        link_target(loop.app.uow(), loop.health, 1, 0, "DOCTORS_PER_1000")
    with loop.app.uow() as uow:
        actions = [e.action for e in uow.audit.entries(entity="target_link")]
    assert actions == ["targets.suggest", "target.link", "target.link", "targets.suggest"]


def test_the_evaluation_input_takes_confirmed_links_and_the_regions_values(loop: Loop) -> None:
    suggest_links(loop.app.uow(), loop.admin, 1)  # unconfirmed: not used
    link_target(loop.app.uow(), loop.admin, 1, REFERRAL, "REFERRAL_BOOKED_SHARE")
    for period, value in (("2021Q4", 18.0), ("2022", 23.5), ("2022Q4", 99.0), ("2023Q2", 26.0), ("2023Q4", 28.0)):
        enter_value(loop.app.uow(), loop.admin, "REFERRAL_BOOKED_SHARE", "350104", period, value)
    enter_value(loop.app.uow(), loop.admin, "REFERRAL_BOOKED_SHARE", "350104101-01", "2023Q4", 5.0)  # not the region
    enter_value(loop.app.uow(), loop.admin, "DOCTORS_PER_1000", "350104", "2023", 3.1)  # linked only by suggestion
    save_report(
        loop.app.uow(),
        loop.health,
        1,
        "T4.M2",
        "2023Q4",
        "区卫生健康委",
        "推进中",
        60,
        submit=True,
        now=at("2024-01-10"),
    )
    inp = gather_input(loop.app.uow(), 1, dt.date(2023, 12, 31))
    assert [p.id for p in inp.periods] == [
        "2021Q3",
        "2021Q4",
        "2022Q1",
        "2022Q2",
        "2022Q3",
        "2022Q4",
        "2023Q1",
        "2023Q2",
        "2023Q3",
        "2023Q4",
    ]
    assert inp.due_days == 15 and len(inp.reports) == 1 and len(inp.targets) == 29
    referral = inp.targets[REFERRAL]
    assert referral.indicator_code == "REFERRAL_BOOKED_SHARE" and referral.direction is Direction.HIGHER_IS_BETTER
    # 2022 (the year) wins over 2022Q4, which ends the same day
    assert [(o.period.id, o.value) for o in referral.series] == [
        ("2021Q4", 18.0),
        ("2022", 23.5),
        ("2023Q2", 26.0),
        ("2023Q4", 28.0),
    ]
    assert inp.targets[DOCTORS].indicator_code == "" and inp.targets[DOCTORS].series == []
    assert inp.targets[MMR].direction is Direction.LOWER_IS_BETTER  # from ≤ when unlinked
    ev = evaluate_plan(loop.app.uow(), 1, dt.date(2023, 12, 31))
    target = ev.targets[REFERRAL]
    assert target.latest is not None and target.latest.value == 28.0 and target.attainment.met is False
    assert "30" in target.projection.sentence
    assert ev.plan_id == 1 and ev.period_id == "2023Q4" and len(ev.items) == 133
    assert ev.counts[ItemStatus.NOT_REPORTED] > 0


def test_a_link_to_a_target_that_moved_is_stale_and_ignored(loop: Loop) -> None:
    link_target(loop.app.uow(), loop.admin, 1, REFERRAL, "REFERRAL_BOOKED_SHARE")
    with loop.app.uow() as uow:
        from yigai.storage.indicator_models import TargetLinkRow

        row = uow.plans.session.query(TargetLinkRow).one()
        row.target_metric = "旧文本中的另一个指标"
        uow.commit()
    assert [v.stale for v in list_links(loop.app.uow(), 1)] == [True]
    assert gather_input(loop.app.uow(), 1, dt.date(2023, 12, 31)).targets[REFERRAL].indicator_code == ""


def test_schedule_periods_and_their_checks(loop: Loop) -> None:
    assert len(list_periods(loop.app.uow(), 1)) == 10
    monthly = set_schedule(loop.app.uow(), loop.admin, 1, "月", "202301", "202312", 10)
    assert [p.id for p in monthly.periods][:2] == ["202301", "202302"] and monthly.due_days == 10
    with pytest.raises(InvalidInputError, match="not a quarterly"):
        set_schedule(loop.app.uow(), loop.admin, 1, "quarterly", "2021", "2023Q4")
    with pytest.raises(InvalidInputError, match="due days"):
        set_schedule(loop.app.uow(), loop.admin, 1, "quarterly", "2021Q3", "2023Q4", -1)
    with pytest.raises(PermissionDeniedError):
        set_schedule(loop.app.uow(), loop.health, 1, "quarterly", "2021Q3", "2023Q4")
    with loop.app.uow() as uow:
        entries = uow.audit.entries(entity="plan_schedule")
    assert entries[-1].before["type"] == "quarterly" and entries[-1].after["type"] == "monthly"  # type: ignore[index]


def test_reminders_list_what_each_department_owes_with_timeliness(loop: Loop) -> None:
    uow = loop.app.uow
    # 2023Q4 is due on 2024-01-15.
    save_report(
        uow(), loop.insurance, 1, "T27.M4", "2023Q4", "区医保局", "推进中", 50, submit=True, now=at("2024-01-12")
    )
    save_report(uow(), loop.insurance, 1, "T28.M2", "2023Q4", "区医保局", "推进中", 50, now=at("2024-01-12"))
    save_report(
        uow(), loop.insurance, 1, "T30.M2", "2023Q4", "区医保局", "推进中", 50, submit=True, now=at("2024-01-12")
    )
    return_report(uow(), loop.admin, 1, "T30.M2", "2023Q4", "补充数据", now=at("2024-01-13"))
    save_report(
        uow(), loop.insurance, 1, "T34.M2", "2023Q4", "区医保局", "推进中", 50, submit=True, now=at("2024-01-20")
    )
    rows = {
        r.item_id: r for r in owed_reports(uow(), 1, period_id="2023Q4", department="医保局", at=dt.date(2024, 1, 22))
    }
    assert all(r.department == "区医保局" and r.due == dt.date(2024, 1, 15) for r in rows.values())
    assert (rows["T27.M4"].owed, rows["T27.M4"].timeliness) == (False, Timeliness.ON_TIME)
    assert (rows["T34.M2"].owed, rows["T34.M2"].timeliness) == (False, Timeliness.LATE)
    assert (rows["T28.M2"].owed, rows["T28.M2"].label, rows["T28.M2"].timeliness) == (
        True,
        "草稿未提交",
        Timeliness.MISSING,
    )
    assert (rows["T30.M2"].owed, rows["T30.M2"].state) == (True, ReviewState.RETURNED)
    assert rows["T14.M2"].label == "未填报" and rows["T14.M2"].days_left == -7
    before_due = owed_reports(uow(), 1, period_id="2023Q4", department="区医保局", at=dt.date(2024, 1, 10))
    assert {r.timeliness for r in before_due if r.owed} == {Timeliness.NOT_DUE}
    assert any(r.due_soon for r in before_due)
    # by default: the last period ended by the date
    assert {r.period_id for r in owed_reports(uow(), 1, at=dt.date(2023, 8, 1))} == {"2023Q2"}


def test_an_item_accepted_as_completed_is_no_longer_owed(loop: Loop) -> None:
    save_report(loop.app.uow(), loop.insurance, 1, "T27.M4", "2023Q3", "区医保局", "已完成", 100, submit=True)
    accept_report(loop.app.uow(), loop.admin, 1, "T27.M4", "2023Q3")
    later = {r.item_id for r in owed_reports(loop.app.uow(), 1, period_id="2023Q4", department="区医保局")}
    same = {r.item_id for r in owed_reports(loop.app.uow(), 1, period_id="2023Q3", department="区医保局")}
    assert "T27.M4" not in later and "T27.M4" in same
