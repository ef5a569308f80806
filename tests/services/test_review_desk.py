"""The review desk on seed 004: what waits across periods, filters, baselines, batch review, conflicts, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from yigai.clock import OFFICE_TZ
from yigai.domain.reports import ReviewState, Timeliness
from yigai.services.errors import InvalidInputError, PermissionDeniedError
from yigai.services.reports import report_history, save_report
from yigai.services.review import accept_report, return_report
from yigai.services.review_desk import DeskFilter, Pick, desk, review_batch, waiting_count

from .conftest import Loop, at

INSURANCE_ITEMS = ("T22.M1", "T22.M2", "T22.M3")


def _submit(
    loop: Loop, item: str, period: str, percent: float, narrative: str, when: dt.datetime, dept: str = "区医保局"
) -> None:
    user = loop.insurance if dept == "区医保局" else loop.health
    save_report(
        loop.app.uow(), user, 1, item, period, dept, "推进中", percent, narrative=narrative, submit=True, now=when
    )


def _history(loop: Loop) -> None:
    """区医保局: T22.M1-M3 for 2023Q2 accepted, then 2023Q3 submitted (T22.M3 late); 区卫生健康委: T2.M1 for 2023Q3."""
    for item in INSURANCE_ITEMS:
        _submit(loop, item, "2023Q2", 40, "已制定差异化医保支付政策方案", at("2023-07-10"))
        accept_report(loop.app.uow(), loop.admin, 1, item, "2023Q2", now=at("2023-07-20"))
    _submit(loop, "T22.M1", "2023Q3", 60, "已制定差异化医保支付政策方案并印发实施", at("2023-10-10"))
    _submit(loop, "T22.M2", "2023Q3", 40, "已制定差异化医保支付政策方案", at("2023-10-15", 23))
    # 00:30 on 16 October in Fuzhou is still the 15th in UTC: late all the same (office time)
    _submit(loop, "T22.M3", "2023Q3", 50, "开展基层首诊调研", dt.datetime(2023, 10, 16, 0, 30, tzinfo=OFFICE_TZ))
    _submit(loop, "T2.M1", "2023Q3", 30, "家庭医生签约进度滞后", at("2023-10-12"), dept="区卫生健康委")


def test_the_desk_lists_what_waits_with_its_place_due_day_and_change(loop: Loop) -> None:
    _history(loop)
    found = desk(loop.app.uow(), at=dt.date(2023, 12, 31))
    assert [(e.item.item_id, e.period.id, e.report.department) for e in found.entries] == [
        ("T2.M1", "2023Q3", "区卫生健康委"),
        ("T22.M1", "2023Q3", "区医保局"),
        ("T22.M2", "2023Q3", "区医保局"),
        ("T22.M3", "2023Q3", "区医保局"),
    ]  # document order; the accepted 2023Q2 reports are not waiting
    assert waiting_count(loop.app.uow()) == 4
    first = found.entries[1]
    assert (first.task_no, first.task_title, first.item.no) == ("22", "建立分级诊疗医保政策杠杆机制", "(1)")
    assert first.due == dt.date(2023, 10, 15) and first.timeliness is Timeliness.ON_TIME
    assert first.baseline_label == "上期2023年第2季度（已采纳）"
    change = first.change
    assert change is not None and change.percent == (40.0, 60.0) and change.status is None
    assert [(t.label, [(o.op, o.text) for o in t.ops]) for t in change.texts] == [
        ("进展情况", [("eq", "已制定差异化医保支付政策方案"), ("ins", "并印发实施")])
    ]
    assert found.entries[2].timeliness is Timeliness.ON_TIME  # 23:00 on the due day
    assert found.entries[2].change is not None and found.entries[2].change.none  # nothing changed
    late = found.entries[3]
    assert late.timeliness is Timeliness.LATE and late.days_late == 1
    assert (
        late.name
        == "「22 建立分级诊疗医保政策杠杆… › (3) 探索建立更灵敏、更有效的基层首诊、双向转…」（区医保局，2023年第3季度）"
    )
    assert [f.label for f in found.departments] == ["区医保局", "区卫生健康委"]
    assert [(f.value, f.count) for f in found.periods] == [("2023Q3", 4)]


def test_filters_by_department_alias_period_state_and_timeliness(loop: Loop) -> None:
    _history(loop)
    uow, day = loop.app.uow, dt.date(2023, 12, 31)

    def ids(flt: DeskFilter) -> list[str]:
        return [f"{e.item.item_id}/{e.period.id}" for e in desk(uow(), flt, at=day).entries]

    assert ids(DeskFilter(department="区卫健局")) == ["T2.M1/2023Q3"]  # an alias of 区卫生健康委
    assert ids(DeskFilter(department="区医保局", timeliness=Timeliness.LATE)) == ["T22.M3/2023Q3"]
    assert ids(DeskFilter(timeliness=Timeliness.ON_TIME, department="区医保局")) == ["T22.M1/2023Q3", "T22.M2/2023Q3"]
    assert ids(DeskFilter(state=ReviewState.ACCEPTED)) == ["T22.M1/2023Q2", "T22.M2/2023Q2", "T22.M3/2023Q2"]
    assert ids(DeskFilter(period_id="2023Q2")) == []  # nothing of 2023Q2 waits
    assert len(ids(DeskFilter(state=None))) == 7
    assert ids(DeskFilter(plan_id=2)) == []


def test_a_batch_is_all_or_nothing_and_names_the_report_that_changed(loop: Loop) -> None:
    _history(loop)
    seen = {e.item.item_id: e.report.version for e in desk(loop.app.uow(), DeskFilter(department="区医保局")).entries}
    # a colleague returns T22.M2 after the page was loaded, the department resubmits it: version 1 → 3
    return_report(loop.app.uow(), loop.admin, 1, "T22.M2", "2023Q3", "请补充印发文件", now=at("2023-10-20"))
    _submit(loop, "T22.M2", "2023Q3", 45, "已印发文件", at("2023-10-21"))
    picks = [Pick(1, item, "2023Q3", seen[item]) for item in INSURANCE_ITEMS]

    refused = review_batch(loop.app.uow(), loop.admin, picks, accept=True, now=at("2023-10-22"))
    assert not refused.saved and [r.pick.item_id for r in refused.refused] == ["T22.M2"]
    assert refused.refused[0].conflict
    assert refused.message_zh == (
        "未采纳任何报告：1 份不能采纳（其中 1 份在页面打开后已有变化，请刷新后重新审核）；其余 2 份也未采纳"
        "（未选择“其余照常采纳”）。「22 建立分级诊疗医保政策杠杆… › (2) 对于按规定在医联体、医共体内双向转诊的住…」"
        "（区医保局，2023年第3季度）：页面打开后已有变化：您审阅的是第1版，现为第3版（已提交）"
    )
    assert all(
        report_history(loop.app.uow(), 1, i, "2023Q3")[-1].state is ReviewState.SUBMITTED for i in INSURANCE_ITEMS
    )  # nothing saved

    done = review_batch(loop.app.uow(), loop.admin, picks, accept=True, partial=True, now=at("2023-10-22"))
    assert [r.item_id for r in done.done] == ["T22.M1", "T22.M3"] and done.saved
    assert done.message_zh.startswith("已采纳 2 份报告；1 份不能采纳（其中 1 份在页面打开后已有变化")
    assert report_history(loop.app.uow(), 1, "T22.M2", "2023Q3")[-1].state is ReviewState.SUBMITTED
    accepted = report_history(loop.app.uow(), 1, "T22.M1", "2023Q3")[-1]
    assert (accepted.state, accepted.version, accepted.reviewer) == (ReviewState.ACCEPTED, 2, "admin")
    with loop.app.uow() as uow:
        audit = [
            (e.action, e.entity_key) for e in uow.audit.entries(entity="progress_report") if e.at == at("2023-10-22")
        ]
    assert sorted(audit) == [("report.accept", "1/T22.M1/2023Q3"), ("report.accept", "1/T22.M3/2023Q3")]
    assert waiting_count(loop.app.uow()) == 2  # T22.M2 and 区卫生健康委's T2.M1


def test_returns_need_a_comment_per_report(loop: Loop) -> None:
    _history(loop)
    picks = [Pick(1, "T22.M1", "2023Q3", 1, "请补充印发文件"), Pick(1, "T22.M3", "2023Q3", 1)]
    refused = review_batch(loop.app.uow(), loop.admin, picks, accept=False, now=at("2023-10-22"))
    assert not refused.saved and [(r.pick.item_id, r.message_zh) for r in refused.refused] == [
        ("T22.M3", "退回报告须填写退回意见")
    ]
    assert refused.message_zh.startswith(
        "未退回任何报告：1 份不能退回；其余 1 份也未退回（未选择“其余照常退回”）。「22"
    )
    done = review_batch(
        loop.app.uow(),
        loop.admin,
        [picks[0], Pick(1, "T22.M3", "2023Q3", 1, "请说明逾期原因")],
        accept=False,
        now=at("2023-10-22"),
    )
    assert done.message_zh == "已退回 2 份报告。"
    returned = report_history(loop.app.uow(), 1, "T22.M3", "2023Q3")[-1]
    assert (returned.state, returned.review_comment) == (ReviewState.RETURNED, "请说明逾期原因")
    again = desk(loop.app.uow(), DeskFilter(state=ReviewState.RETURNED), at=dt.date(2023, 12, 31)).entries
    assert [e.item.item_id for e in again] == ["T22.M1", "T22.M3"]


def test_only_the_office_reviews_and_an_empty_batch_is_refused(loop: Loop) -> None:
    _history(loop)
    with pytest.raises(PermissionDeniedError):
        review_batch(loop.app.uow(), loop.insurance, [Pick(1, "T22.M1", "2023Q3", 1)], accept=True)
    with pytest.raises(InvalidInputError) as caught:
        review_batch(loop.app.uow(), loop.admin, [], accept=True)
    assert caught.value.message_zh == "请先勾选要采纳的报告"
    unknown = review_batch(
        loop.app.uow(),
        loop.admin,
        [Pick(1, "T99", "2023Q3", 1), Pick(1, "T22.M1", "2023Q3", 1)],
        accept=True,
        partial=True,
    )
    assert [r.pick.item_id for r in unknown.refused] == ["T99"] and [r.item_id for r in unknown.done] == ["T22.M1"]
