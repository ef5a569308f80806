"""Progress reports on seed 004: versions, the review workflow, scope checks, refusals, audit."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from yigai.bootstrap import App
from yigai.domain.periods import PeriodError
from yigai.domain.plan import PlanDraft
from yigai.domain.reports import ProgressStatus, ReviewState
from yigai.services.errors import (
    IllegalTransitionError,
    InvalidReportError,
    NotLeadDepartmentError,
    PeriodOutsideScheduleError,
    PermissionDeniedError,
    PlanHasReportsError,
    ScheduleMissingError,
    UnknownItemError,
)
from yigai.services.plans import get_plan, import_draft
from yigai.services.reports import add_contribution, report_history, save_report
from yigai.services.review import accept_report, resubmit_report, return_report, submit_report
from yigai.services.users import acting_user
from yigai.storage.supervision_models import AuditRow, ProgressReportRow

from .conftest import Loop, at


def _rows(loop: Loop) -> int:
    with loop.app.uow() as uow:
        return uow.reports.count_for_plan(loop.plan_id)


def _audit(loop: Loop) -> list[tuple[str, str, str]]:
    with loop.app.uow() as uow:
        return [(e.actor, e.action, e.entity_key) for e in uow.audit.entries(entity="progress_report")]


def test_every_save_is_a_new_version_and_nothing_is_overwritten(loop: Loop) -> None:
    first = save_report(
        loop.app.uow(),
        loop.health,
        1,
        "T4.M2",
        "2023Q4",
        "区卫健局",
        "推进中",
        40,
        narrative="组建专家咨询委员会",
        now=at("2024-01-05"),
    )
    second = save_report(
        loop.app.uow(),
        loop.health,
        1,
        "T4.M2",
        "2023Q4",
        "区卫生健康委员会",
        "推进中",
        60,
        narrative="完成应急预案修订",
        problems="人员不足",
        next_steps="开展演练",
        now=at("2024-01-08"),
    )
    assert (first.version, second.version) == (1, 2)
    assert first.department == second.department == "区卫生健康委"  # aliases resolve to the canonical name
    history = report_history(loop.app.uow(), 1, "T4.M2", "2023Q4")
    assert [(r.version, r.percent, r.narrative, r.state) for r in history] == [
        (1, 40.0, "组建专家咨询委员会", ReviewState.DRAFT),
        (2, 60.0, "完成应急预案修订", ReviewState.DRAFT),
    ]
    assert history[1].problems == "人员不足" and history[1].next_steps == "开展演练"
    assert history[0].saved_at == at("2024-01-05")  # office time survives the round trip through UTC storage
    assert _audit(loop) == [("wjw", "report.save", "1/T4.M2/2023Q4")] * 2


def test_workflow_draft_submit_return_resubmit_accept(loop: Loop) -> None:
    uow = loop.app.uow
    save_report(uow(), loop.insurance, 1, "T27.M4", "2023Q4", "区医保局", "推进中", 50, now=at("2024-01-05"))
    submitted = submit_report(uow(), loop.insurance, 1, "T27.M4", "2023Q4", now=at("2024-01-10"))
    returned = return_report(uow(), loop.admin, 1, "T27.M4", "2023Q4", "请补充参保资助人数", now=at("2024-01-12"))
    edited = save_report(
        uow(),
        loop.insurance,
        1,
        "T27.M4",
        "2023Q4",
        "区医保局",
        "推进中",
        70,
        narrative="资助参保 1.2 万人",
        now=at("2024-01-14"),
    )
    again = submit_report(uow(), loop.insurance, 1, "T27.M4", "2023Q4", now=at("2024-01-14"))
    accepted = accept_report(uow(), loop.admin, 1, "T27.M4", "2023Q4", now=at("2024-01-16"))
    states = [r.state for r in report_history(uow(), 1, "T27.M4", "2023Q4")]
    assert states == [
        ReviewState.DRAFT,
        ReviewState.SUBMITTED,
        ReviewState.RETURNED,
        ReviewState.DRAFT,
        ReviewState.SUBMITTED,
        ReviewState.ACCEPTED,
    ]
    assert submitted.submitted_at == at("2024-01-10")
    assert (returned.reviewer, returned.review_comment, returned.reviewed_at) == (
        "admin",
        "请补充参保资助人数",
        at("2024-01-12"),
    )
    assert edited.review_comment == "" and again.submitted_at == at("2024-01-14")
    assert accepted.reviewer == "admin" and accepted.percent == 70 and accepted.author == "ybj"
    assert [a for _, a, _ in _audit(loop)] == [
        "report.save",
        "report.submit",
        "report.return",
        "report.save",
        "report.submit",
        "report.accept",
    ]


def test_resubmit_a_returned_report_unchanged(loop: Loop) -> None:
    uow = loop.app.uow
    save_report(
        uow(), loop.insurance, 1, "T27.M4", "2023Q3", "区医保局", "推进中", 50, submit=True, now=at("2023-10-08")
    )
    with pytest.raises(IllegalTransitionError):
        resubmit_report(uow(), loop.insurance, 1, "T27.M4", "2023Q3")  # not returned yet
    return_report(uow(), loop.admin, 1, "T27.M4", "2023Q3", "数据口径有误", now=at("2023-10-10"))
    report = resubmit_report(uow(), loop.insurance, 1, "T27.M4", "2023Q3", now=at("2023-10-20"))
    assert (report.version, report.state, report.submitted_at) == (3, ReviewState.SUBMITTED, at("2023-10-20"))


@pytest.mark.parametrize("move", ["save", "submit", "return", "accept"])
def test_illegal_moves_are_refused_and_save_nothing(loop: Loop, move: str) -> None:
    uow = loop.app.uow
    save_report(uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫生健康委", "已完成", 100, submit=True)
    accept_report(uow(), loop.admin, 1, "T4.M2", "2023Q4")
    before = _rows(loop)
    actions = {
        "save": lambda: save_report(uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 90),
        "submit": lambda: submit_report(uow(), loop.health, 1, "T4.M2", "2023Q4"),
        "return": lambda: return_report(uow(), loop.admin, 1, "T4.M2", "2023Q4", "再看看"),
        "accept": lambda: accept_report(uow(), loop.admin, 1, "T4.M2", "2023Q4"),
    }
    with pytest.raises(IllegalTransitionError) as err:
        actions[move]()
    assert "已采纳" in err.value.message_zh and err.value.where == "state"
    assert _rows(loop) == before


def test_a_submitted_report_is_under_review_and_cannot_be_edited_or_submitted_again(loop: Loop) -> None:
    uow = loop.app.uow
    save_report(uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 60, submit=True)
    for action in (
        lambda: save_report(uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 70),
        lambda: submit_report(uow(), loop.health, 1, "T4.M2", "2023Q4"),
    ):
        with pytest.raises(IllegalTransitionError, match="submitted"):
            action()
    with pytest.raises(IllegalTransitionError, match="no report"):
        submit_report(uow(), loop.health, 1, "T4.M3", "2023Q4")
    assert _rows(loop) == 1


def test_a_department_reporter_cannot_write_another_departments_report(loop: Loop) -> None:
    with pytest.raises(PermissionDeniedError) as err:
        save_report(loop.app.uow(), loop.health, 1, "T27.M4", "2023Q4", "区医保局", "推进中", 50)
    assert "区医保局" in err.value.message_zh and err.value.where == "user"
    for viewer in (loop.viewer, loop.clinic):
        with pytest.raises(PermissionDeniedError):
            save_report(loop.app.uow(), viewer, 1, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 50)
    assert _rows(loop) == 0
    assert save_report(loop.app.uow(), loop.admin, 1, "T27.M4", "2023Q4", "区医保局", "推进中", 50).author == "admin"


def test_only_the_office_reviews(loop: Loop) -> None:
    save_report(loop.app.uow(), loop.insurance, 1, "T27.M4", "2023Q4", "区医保局", "推进中", 50, submit=True)
    for action in (
        lambda: accept_report(loop.app.uow(), loop.insurance, 1, "T27.M4", "2023Q4"),
        lambda: return_report(loop.app.uow(), loop.insurance, 1, "T27.M4", "2023Q4", "自己退回"),
    ):
        with pytest.raises(PermissionDeniedError, match="office admin"):
            action()
    with pytest.raises(InvalidReportError) as err:
        return_report(loop.app.uow(), loop.admin, 1, "T27.M4", "2023Q4", "  ")
    assert err.value.where == "comment"
    assert _rows(loop) == 1


def test_a_report_for_a_measure_the_department_does_not_lead_is_refused_and_nothing_saved(loop: Loop) -> None:
    # T14.M2 (长期护理保险制度试点): 区医保局 leads, 区卫生健康委 only cooperates.
    with pytest.raises(NotLeadDepartmentError) as err:
        save_report(loop.app.uow(), loop.health, 1, "T14.M2", "2023Q4", "区卫健局", "推进中", 30)
    assert err.value.where == "department"
    assert "配合部门" in err.value.message_zh and "yigai report contribute" in str(err.value)
    with pytest.raises(NotLeadDepartmentError, match="does not lead"):
        save_report(loop.app.uow(), loop.admin, 1, "T14.M2", "2023Q4", "区教育局", "推进中", 30)
    assert _rows(loop) == 0
    with loop.app.uow() as uow:
        assert uow.audit.entries(entity="progress_report") == []


def test_cooperating_department_adds_a_contribution_as_a_new_version(loop: Loop) -> None:
    uow = loop.app.uow
    started = add_contribution(
        uow(), loop.health, 1, "T14.M2", "2023Q4", "区卫健委", "提供护理机构名单", now=at("2024-01-03")
    )
    assert (started.department, started.status, started.version) == ("区医保局", ProgressStatus.NOT_STARTED, 1)
    report = save_report(uow(), loop.insurance, 1, "T14.M2", "2023Q4", "区医保局", "推进中", 40, narrative="试点启动")
    assert report.contributions == {"区卫生健康委": "提供护理机构名单"} and report.version == 2
    with pytest.raises(NotLeadDepartmentError, match="not a cooperating"):
        add_contribution(uow(), loop.insurance, 1, "T14.M2", "2023Q4", "区医保局", "自己配合自己")
    with pytest.raises(PermissionDeniedError):
        add_contribution(uow(), loop.insurance, 1, "T14.M2", "2023Q4", "区卫生健康委", "代填")
    assert _rows(loop) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "where"),
    [
        ({"item": "T99.M1"}, UnknownItemError, "item"),
        ({"item": "T4"}, UnknownItemError, "item"),  # a task with measures is reported per measure
        ({"period": "2024Q1"}, PeriodOutsideScheduleError, "period"),
        ({"period": "2023"}, PeriodOutsideScheduleError, "period"),  # a year is not a quarterly period
        ({"period": "2023Q5"}, PeriodError, "period"),
        ({"percent": 120}, InvalidReportError, "percent"),
        ({"percent": float("nan")}, InvalidReportError, "percent"),
        ({"status": "差不多"}, InvalidReportError, "status"),
        ({"status": "已完成", "percent": 80}, InvalidReportError, "percent"),
        ({"status": "未启动", "percent": 10}, InvalidReportError, "percent"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_saved(
    loop: Loop, kwargs: dict[str, object], error: type[Exception], where: str
) -> None:
    args: dict[str, object] = {"item": "T4.M2", "period": "2023Q4", "status": "推进中", "percent": 50} | kwargs
    with pytest.raises(error) as err:
        save_report(
            loop.app.uow(),
            loop.health,
            1,
            str(args["item"]),
            str(args["period"]),
            "区卫生健康委",
            str(args["status"]),
            args["percent"],
        )  # type: ignore[arg-type]
    assert err.value.where == where  # type: ignore[attr-defined]
    assert err.value.message_zh and err.value.bilingual().count(" / ") >= 1  # type: ignore[attr-defined]
    assert _rows(loop) == 0


def test_english_status_names_are_accepted(loop: Loop) -> None:
    report = save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫生健康委", "in_progress", 10)
    assert report.status is ProgressStatus.IN_PROGRESS


def test_reports_need_a_schedule(app: App, sample_draft: PlanDraft) -> None:
    plan_id = import_draft(app.uow(), sample_draft).plan_id
    with pytest.raises(ScheduleMissingError, match="yigai schedule"):
        save_report(app.uow(), acting_user(app.uow()), plan_id, "T2", "2023Q4", "区卫健局", "推进中", 10)


def test_the_database_refuses_a_second_row_with_the_same_version(loop: Loop) -> None:
    from sqlalchemy.exc import IntegrityError

    report = save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 10)
    with pytest.raises(IntegrityError), loop.app.uow() as uow:
        uow.reports.add(dataclasses.replace(report, percent=99))
    with loop.app.uow() as uow:
        assert uow.reports.latest(1, "T4.M2", "2023Q4").percent == 10  # type: ignore[union-attr]


def _shortened(draft: PlanDraft) -> PlanDraft:
    """A revised document: the first three tasks only, with their targets."""
    tasks = draft.tasks[:3]
    kept = {t.id for t in tasks}
    return dataclasses.replace(
        draft, tasks=tasks, targets=[t for t in draft.targets if t.task in (None, *kept)], sha256="0" * 64
    )


def test_a_plan_with_reports_is_not_replaced(loop: Loop) -> None:
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 10)
    draft = get_plan(loop.app.uow(), 1).draft
    revised = _shortened(draft)
    with pytest.raises(PlanHasReportsError) as err:
        import_draft(loop.app.uow(), revised, replace=True)
    assert "进展报告" in err.value.message_zh and "new plan" in str(err.value)
    assert len(get_plan(loop.app.uow(), 1).draft.tasks) == len(draft.tasks)
    assert _rows(loop) == 1


def test_a_plan_without_reports_is_replaced_and_keeps_its_schedule(loop: Loop) -> None:
    revised = _shortened(get_plan(loop.app.uow(), 1).draft)
    assert import_draft(loop.app.uow(), revised, replace=True).status.value == "replaced"
    with loop.app.uow() as uow:
        assert uow.reports.schedule(1) is not None


def test_audit_rows_hold_before_and_after(loop: Loop) -> None:
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 10)
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 20)
    with loop.app.uow() as uow:
        rows = [
            (r.before, r.after)
            for r in uow.plans.session.scalars(select(AuditRow).where(AuditRow.entity == "progress_report"))
        ]
        assert uow.plans.session.scalar(select(func.count(ProgressReportRow.id))) == 2
    assert rows[0][0] is None and rows[0][1]["percent"] == 10  # type: ignore[index]
    assert rows[1][0]["percent"] == 10 and rows[1][1]["percent"] == 20  # type: ignore[index]
    assert rows[1][1]["status"] == "推进中" and rows[1][1]["version"] == 2  # type: ignore[index]
