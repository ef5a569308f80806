"""Item status from hand-built report histories: late, missing, returned, continuous, pro-rata, overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from yigai.domain.periods import periods_between
from yigai.domain.plan import Deadline, DeadlineKind, DepartmentRef, Measure, PlanDraft, Responsibility, Task
from yigai.domain.reports import ProgressReport, ProgressStatus, ReviewState, Timeliness
from yigai.evaluation.results import ItemEvaluation, ItemStatus
from yigai.evaluation.status import evaluate_items, plan_items, task_sections

D = dt.date
S = ProgressStatus
ON, LATE, MISSING, NOT_DUE = Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.NOT_DUE
# Quarterly periods 2023Q1 … 2024Q4; reports are due 15 days after the quarter ends.
PERIODS = periods_between("2023Q1", "2024Q4")
AT = D(2023, 12, 31)  # 2023Q4 has ended but is not due before 2024-01-15; 2023Q3 is the latest due
CONTINUOUS = Deadline(DeadlineKind.CONTINUOUS, raw="持续实施")
BY_SCHEDULE = Deadline(DeadlineKind.BY_SCHEDULE, raw="按序时进度")
BY_SUPERIORS = Deadline(DeadlineKind.BY_SUPERIORS, raw="按国家、省、市部署")


def on(day: dt.date) -> Deadline:
    return Deadline(DeadlineKind.DATE, day, raw=str(day))


def lead(*names: str) -> Responsibility:
    return Responsibility(lead=[DepartmentRef(n, n) for n in names])


def draft(*measures: tuple[str, Deadline], task_lead: str = "区卫健局") -> PlanDraft:
    """One task T1 holding the given measures (id, deadline), all led by 区卫健局."""
    ms = [Measure(id=mid, no=str(i), text=f"措施{mid}", deadline=dl) for i, (mid, dl) in enumerate(measures, 1)]
    task = Task(
        id="T1",
        no="1",
        path=["主要任务", "一、甲"],
        section_id="S1",
        title="任务一",
        text="",
        responsibility=lead(task_lead),
        measures=ms,
    )
    return PlanDraft("t.txt", "txt", "", "0", tasks=[task])


def rep(
    item: str,
    period: str,
    status: S = S.IN_PROGRESS,
    percent: float = 50,
    *,
    submitted: dt.date | None = None,
    state: ReviewState = ReviewState.SUBMITTED,
    version: int = 1,
    reviewed: dt.date | None = None,
) -> ProgressReport:
    """A version; by default submitted on the 10th day after the quarter ends (on time)."""
    if submitted is None:
        end = next(p.end for p in PERIODS if p.id == period)
        submitted = end + dt.timedelta(days=10)
    return ProgressReport(
        plan_id=1,
        item_id=item,
        period_id=period,
        department="区卫健局",
        status=status,
        percent=percent,
        state=state,
        version=version,
        submitted_at=None if state is ReviewState.DRAFT else dt.datetime.combine(submitted, dt.time(9)),
        reviewed_at=None if reviewed is None else dt.datetime.combine(reviewed, dt.time(9)),
    )


def one(deadline: Deadline, reports: list[ProgressReport], at: dt.date = AT) -> ItemEvaluation:
    [item] = evaluate_items(draft(("M", deadline)), PERIODS, reports, at, 15, plan_id=1)
    return item


def quarters(item: str = "M", upto: str = "2023Q3", **kw: object) -> list[ProgressReport]:
    ids = [p.id for p in PERIODS]
    return [rep(item, pid, **kw) for pid in ids[: ids.index(upto) + 1]]  # type: ignore[arg-type]


def test_continuous_item_reported_every_quarter_is_on_track() -> None:
    it = one(CONTINUOUS, quarters())
    assert it.status is ItemStatus.ON_TRACK
    assert it.timeliness == {"2023Q1": ON, "2023Q2": ON, "2023Q3": ON, "2023Q4": NOT_DUE}
    assert it.reason == "2023年第3季度报告推进中，进度50%"
    assert (it.percent, it.latest_period, it.deadline) == (50, "2023Q3", None)


def test_continuous_item_owes_every_period_even_after_completing() -> None:
    reports = [rep("M", "2023Q1", S.COMPLETED, 100), rep("M", "2023Q2", S.COMPLETED, 100)]
    it = one(CONTINUOUS, reports)
    assert it.status is ItemStatus.NOT_REPORTED
    assert it.reason == "2023年第3季度进展未报送"
    assert it.timeliness["2023Q3"] is MISSING
    # and once it reports the quarter, it is completed
    it = one(CONTINUOUS, [*reports, rep("M", "2023Q3", S.COMPLETED, 100)])
    assert it.status is ItemStatus.COMPLETED


def test_missing_latest_due_quarter_is_not_reported() -> None:
    it = one(BY_SUPERIORS, quarters(upto="2023Q2"))
    assert it.status is ItemStatus.NOT_REPORTED
    assert it.timeliness == {"2023Q1": ON, "2023Q2": ON, "2023Q3": MISSING, "2023Q4": NOT_DUE}


def test_an_early_report_for_the_quarter_not_yet_due_counts() -> None:
    """Q3 missing, but the department already reported Q4: it is reporting again."""
    reports = [*quarters(upto="2023Q2"), rep("M", "2023Q4", submitted=D(2023, 12, 28))]
    it = one(BY_SUPERIORS, reports)
    assert it.status is ItemStatus.ON_TRACK
    assert it.timeliness["2023Q3"] is MISSING and it.timeliness["2023Q4"] is ON


def test_late_report_is_late_but_received() -> None:
    reports = [*quarters(upto="2023Q2"), rep("M", "2023Q3", submitted=D(2023, 10, 20))]
    it = one(CONTINUOUS, reports)
    assert it.status is ItemStatus.ON_TRACK
    assert it.timeliness["2023Q3"] is LATE


def test_returned_then_resubmitted_counts_by_the_resubmission_and_first_submission_time() -> None:
    reports = [
        *quarters(upto="2023Q2"),
        rep(
            "M",
            "2023Q3",
            S.IN_PROGRESS,
            40,
            submitted=D(2023, 10, 10),
            state=ReviewState.RETURNED,
            reviewed=D(2023, 10, 12),
        ),
        rep("M", "2023Q3", S.IN_PROGRESS, 60, version=2, state=ReviewState.DRAFT),
        rep("M", "2023Q3", S.IN_PROGRESS, 60, version=3, submitted=D(2023, 10, 25)),
    ]
    it = one(CONTINUOUS, reports)
    assert it.status is ItemStatus.ON_TRACK and it.percent == 60
    assert it.timeliness["2023Q3"] is ON  # first submitted on 10-10, before the due day 10-15


def test_returned_and_not_resubmitted_is_not_received() -> None:
    reports = [*quarters(upto="2023Q2"), rep("M", "2023Q3", state=ReviewState.RETURNED, reviewed=D(2023, 10, 12))]
    it = one(CONTINUOUS, reports)
    assert it.status is ItemStatus.NOT_REPORTED
    assert it.timeliness["2023Q3"] is MISSING
    assert it.latest_period == "2023Q2"


def test_drafts_do_not_count_and_the_latest_submitted_version_wins() -> None:
    reports = [
        *quarters(upto="2023Q2"),
        rep("M", "2023Q3", percent=50, version=1),
        rep("M", "2023Q3", percent=70, version=2),
        rep("M", "2023Q3", S.COMPLETED, 100, version=3, state=ReviewState.DRAFT),
    ]
    it = one(BY_SUPERIORS, reports)
    assert (it.status, it.percent) == (ItemStatus.ON_TRACK, 70)


def test_a_draft_only_quarter_is_missing() -> None:
    reports = [*quarters(upto="2023Q2"), rep("M", "2023Q3", state=ReviewState.DRAFT)]
    assert one(CONTINUOUS, reports).status is ItemStatus.NOT_REPORTED


def test_versions_submitted_after_the_evaluation_date_are_ignored() -> None:
    reports = quarters(upto="2023Q3")  # Q3 submitted 2023-10-10
    it = one(CONTINUOUS, reports, at=D(2023, 10, 5))
    assert it.latest_period == "2023Q2"
    assert it.timeliness["2023Q3"] is NOT_DUE
    assert it.status is ItemStatus.ON_TRACK


def test_by_schedule_behind_pro_rata_is_at_risk() -> None:
    # plan 2023-01-01 … 2024-12-31 (730 days); the Q3 report speaks for 2023-09-30, day 272:
    # expected 100 × 272 / 730 = 37.26 %; 10 % is more than 20 points behind, 20 % is not
    it = one(BY_SCHEDULE, quarters(percent=10))
    assert it.status is ItemStatus.AT_RISK
    assert it.reason == "进度10%，低于序时进度37%"
    assert it.deadline == D(2024, 12, 31)
    assert one(BY_SCHEDULE, quarters(percent=20)).status is ItemStatus.ON_TRACK


def test_dated_item_behind_pro_rata_is_at_risk() -> None:
    # deadline 2023-12-31 (364 days from 2023-01-01); at 2023-09-30: 100 × 272 / 364 = 74.7 %
    behind = one(on(D(2023, 12, 31)), quarters(percent=54))
    assert (behind.status, behind.reason) == (ItemStatus.AT_RISK, "进度54%，低于序时进度75%")
    near = one(on(D(2023, 12, 31)), quarters(percent=55))  # within the margin, but due within a quarter
    assert (near.status, near.reason) == (ItemStatus.AT_RISK, "完成时限2023年12月31日临近，进度仅55%")
    assert one(on(D(2023, 12, 31)), quarters(percent=80)).status is ItemStatus.ON_TRACK


def test_deadline_within_the_next_period_and_below_80_is_at_risk() -> None:
    # deadline 2024-03-31 (end of 2024Q1, the quarter after 2023Q4); pro rata at 09-30 is 272/455 = 59.8 %
    it = one(on(D(2024, 3, 31)), quarters(percent=70))
    assert it.status is ItemStatus.AT_RISK
    assert it.reason == "完成时限2024年3月31日临近，进度仅70%"
    assert one(on(D(2024, 6, 30)), quarters(percent=70)).status is ItemStatus.ON_TRACK


def test_reported_delay_or_blockage_is_at_risk() -> None:
    for status in (S.DELAYED, S.BLOCKED):
        it = one(CONTINUOUS, quarters(status=status))
        assert it.status is ItemStatus.AT_RISK
        assert it.reason == f"2023年第3季度报告为{status.value}"


def test_passed_deadline_without_completion_is_overdue() -> None:
    it = one(on(D(2023, 6, 30)), quarters(percent=70))
    assert it.status is ItemStatus.OVERDUE
    assert it.reason == "完成时限2023年6月30日已过，尚未完成（最新进度70%）"
    # overdue wins over not reported
    assert one(on(D(2023, 6, 30)), []).status is ItemStatus.OVERDUE
    assert one(on(D(2023, 6, 30)), []).reason == "完成时限2023年6月30日已过，尚未完成"


def test_completed_item_stops_owing_reports() -> None:
    reports = [rep("M", "2023Q1", percent=40), rep("M", "2023Q2", S.COMPLETED, 100, submitted=D(2023, 7, 5))]
    it = one(on(D(2023, 12, 31)), reports)
    assert it.status is ItemStatus.COMPLETED
    assert it.reason == "2023年第2季度报告已完成"
    assert it.completed_on == D(2023, 7, 5)
    assert it.timeliness == {"2023Q1": ON, "2023Q2": ON}


def test_percent_100_counts_as_completed() -> None:
    it = one(BY_SUPERIORS, quarters(percent=100))
    assert it.status is ItemStatus.COMPLETED and it.completed_on == D(2023, 4, 10)


def test_completed_after_the_deadline_stays_completed() -> None:
    reports = [rep("M", "2023Q3", S.COMPLETED, 100)]
    it = one(on(D(2023, 6, 30)), reports)
    assert it.status is ItemStatus.COMPLETED
    assert it.timeliness["2023Q1"] is MISSING  # the quarters before still count as missing


def test_nothing_due_yet_is_not_started() -> None:
    it = one(CONTINUOUS, [], at=D(2023, 4, 10))  # Q1 ended, due 04-15
    assert it.status is ItemStatus.NOT_STARTED
    assert it.reason == "尚无进展报告，暂无到期未报"
    assert it.timeliness == {"2023Q1": NOT_DUE}
    assert one(CONTINUOUS, [], at=D(2023, 4, 16)).status is ItemStatus.NOT_REPORTED


def test_reported_not_started_is_not_started() -> None:
    it = one(BY_SUPERIORS, quarters(status=S.NOT_STARTED, percent=0))
    assert it.status is ItemStatus.NOT_STARTED
    assert it.reason == "2023年第3季度报告为未启动"


def test_reports_of_other_plans_are_ignored() -> None:
    other = quarters()
    for r in other:
        r.plan_id = 2
    assert one(CONTINUOUS, other).status is ItemStatus.NOT_REPORTED


def test_items_inherit_lead_and_deadline_from_their_task() -> None:
    m1 = Measure(id="T1.M1", no="1", text="甲", responsibility=lead("区医保局"))
    m2 = Measure(id="T1.M2", no="2", text="乙", deadline=CONTINUOUS)
    t1 = Task(
        id="T1",
        no="1",
        path=["主要任务", "一、甲"],
        section_id=None,
        title="任务一",
        text="",
        responsibility=lead("区卫健局", "区财政局"),
        deadline=on(D(2023, 6, 30)),
        measures=[m1, m2],
    )
    t2 = Task(
        id="T2",
        no="2",
        path=["主要任务", "二、乙"],
        section_id=None,
        title="任务二",
        text="",
        responsibility=lead("区财政局"),
    )
    t3 = Task(id="T3", no="", path=[], section_id=None, title="加强督查", text="")
    d = PlanDraft("t.txt", "txt", "", "0", tasks=[t1, t2, t3])
    items = plan_items(d)
    assert [(i.item_id, i.task_id, i.lead, i.deadline.kind) for i in items] == [
        ("T1.M1", "T1", ("区医保局",), DeadlineKind.DATE),
        ("T1.M2", "T1", ("区卫健局", "区财政局"), DeadlineKind.CONTINUOUS),
        ("T2", "T2", ("区财政局",), DeadlineKind.UNSPECIFIED),
        ("T3", "T3", (), DeadlineKind.UNSPECIFIED),
    ]
    # every task sits under 主要任务, so sections are the next level
    assert task_sections(d) == {"T1": "一、甲", "T2": "二、乙", "T3": "其他"}


@pytest.mark.parametrize("at", [D(2023, 1, 1), D(2022, 6, 30)])
def test_before_the_first_period_ends_nothing_is_owed(at: dt.date) -> None:
    it = one(CONTINUOUS, [], at=at)
    assert it.status is ItemStatus.NOT_STARTED and it.timeliness == {}
