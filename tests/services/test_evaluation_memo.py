"""The memoised evaluation is served again while nothing it depends on changed, and recomputed after such a write."""

from __future__ import annotations

import datetime as dt

from yigai.services.evaluate import evaluated
from yigai.services.reports import save_report

from .conftest import Loop, at


def test_memo_hits_until_a_report_is_saved(loop: Loop) -> None:
    day = dt.date(2023, 12, 31)
    first = evaluated(loop.app.uow(), loop.plan_id, day)
    assert evaluated(loop.app.uow(), loop.plan_id, day) is first
    assert evaluated(loop.app.uow(), loop.plan_id, dt.date(2023, 12, 30)) is not first
    before = {i.item_id: i.status for i in first[1].items}["T4.M2"]
    save_report(
        loop.app.uow(),
        loop.health,
        loop.plan_id,
        "T4.M2",
        "2023Q3",
        "区卫生健康委",
        "已完成",
        100,
        submit=True,
        now=at("2023-10-10"),
    )
    second = evaluated(loop.app.uow(), loop.plan_id, day)
    assert second is not first
    after = {i.item_id: i.status for i in second[1].items}["T4.M2"]
    assert before.value != "completed" and after.value == "completed"


def test_drafts_and_sign_ins_leave_the_memo_alone_a_submission_does_not(loop: Loop) -> None:
    from yigai.services.auth import open_session

    day = dt.date(2023, 12, 31)
    first = evaluated(loop.app.uow(), loop.plan_id, day)
    for n in range(3):  # the quarter-end rush of drafts
        save_report(
            loop.app.uow(),
            loop.health,
            loop.plan_id,
            "T4.M2",
            "2023Q3",
            "区卫生健康委",
            "推进中",
            10 + n,
            now=at("2023-10-10"),
        )
    open_session(loop.app.uow(), loop.viewer)
    again = evaluated(loop.app.uow(), loop.plan_id, day)
    assert again is first  # drafts count nowhere: the same evaluation, not recomputed
    assert all(r.state.value != "draft" for r in again[0].reports)  # nor carried in the input
    save_report(
        loop.app.uow(),
        loop.health,
        loop.plan_id,
        "T4.M2",
        "2023Q3",
        "区卫生健康委",
        "推进中",
        40,
        submit=True,
        now=at("2023-10-11"),
    )
    assert evaluated(loop.app.uow(), loop.plan_id, day) is not first


def test_a_write_on_another_plan_leaves_the_memo_one_on_this_plan_does_not(loop: Loop) -> None:
    day = dt.date(2023, 12, 31)
    first = evaluated(loop.app.uow(), loop.plan_id, day)
    with loop.app.uow() as uow:  # another plan's report and target link: keyed by that plan
        uow.audit.record("admin", "report.submit", "progress_report", f"{loop.plan_id + 1}/T1/2023Q3")
        uow.audit.record("admin", "target.link", "target_link", f"{loop.plan_id + 1}/0")
        uow.commit()
    assert evaluated(loop.app.uow(), loop.plan_id, day) is first
    with loop.app.uow() as uow:  # this plan's suggested links are keyed by the plan alone
        uow.audit.record("admin", "targets.suggest", "target_link", str(loop.plan_id))
        uow.commit()
    second = evaluated(loop.app.uow(), loop.plan_id, day)
    assert second is not first
    with loop.app.uow() as uow:  # a value entered belongs to no plan: every plan's evaluation may use it
        uow.audit.record("admin", "value.enter", "data_value", "FD_COVERAGE/350104/2023Q3")
        uow.commit()
    assert evaluated(loop.app.uow(), loop.plan_id, day) is not second
