"""The memoised evaluation is served again while nothing changed, and recomputed after any write."""

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
    save_report(loop.app.uow(), loop.health, loop.plan_id, "T4.M2", "2023Q3", "区卫生健康委", "已完成", 100,
                submit=True, now=at("2023-10-10"))
    second = evaluated(loop.app.uow(), loop.plan_id, day)
    assert second is not first
    after = {i.item_id: i.status for i in second[1].items}["T4.M2"]
    assert before.value != "completed" and after.value == "completed"


def test_drafts_and_sign_ins_leave_the_memo_alone_a_submission_does_not(loop: Loop) -> None:
    from yigai.services.auth import open_session

    day = dt.date(2023, 12, 31)
    first = evaluated(loop.app.uow(), loop.plan_id, day)
    for n in range(3):  # the quarter-end rush of drafts
        save_report(loop.app.uow(), loop.health, loop.plan_id, "T4.M2", "2023Q3", "区卫生健康委", "推进中", 10 + n,
                    now=at("2023-10-10"))
    open_session(loop.app.uow(), loop.viewer)
    again = evaluated(loop.app.uow(), loop.plan_id, day)
    assert again is first  # drafts count nowhere: the same evaluation, not recomputed
    assert all(r.state.value != "draft" for r in again[0].reports)  # nor carried in the input
    save_report(loop.app.uow(), loop.health, loop.plan_id, "T4.M2", "2023Q3", "区卫生健康委", "推进中", 40,
                submit=True, now=at("2023-10-11"))
    assert evaluated(loop.app.uow(), loop.plan_id, day) is not first
