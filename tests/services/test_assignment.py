"""Departments for many tasks at once: seed 001 (no departments printed) becomes reportable; drafts too.

Seed 001 (青浦区 医改工作方案) names no department for any of its 35 tasks: published as it is,
nobody can report on it. Seed 004 (the supervised plan of ``loop``) has reports that must
survive a change of lead. Seed 000's drafts take a bulk assignment as one correction.
"""

from __future__ import annotations

import datetime as dt

import pytest

from yigai.bootstrap import App
from yigai.data import seed_paths
from yigai.domain.users import Role, User
from yigai.services import plan_review
from yigai.services.assignment import (
    AssignMode,
    assign_plan_departments,
    department_options,
    unassigned_items,
    unassigned_tasks,
)
from yigai.services.errors import (
    InvalidInputError,
    NotLeadDepartmentError,
    PermissionDeniedError,
    UnknownItemError,
)
from yigai.services.evaluate import evaluate_plan
from yigai.services.plans import get_plan, import_file
from yigai.services.reminders import owed_reports
from yigai.services.reports import save_report
from yigai.services.schedules import set_schedule
from yigai.services.users import acting_user, create_user

from .conftest import Loop, at

SEED_000, SEED_001, SEED_002 = seed_paths()[:3]
AT = at("2024-03-01")


@pytest.fixture
def admin(app: App) -> User:
    return acting_user(app.uow())


@pytest.fixture
def plan_001(app: App, admin: User) -> int:
    plan_id = import_file(app.uow(), SEED_001).plan_id
    set_schedule(app.uow(), admin, plan_id, "quarterly", "2024Q1", "2025Q4", 15, now=AT)
    return plan_id


def _audit(app: App, action: str) -> list:
    with app.uow() as uow:
        return [e for e in uow.audit.entries() if e.action == action]


def _names(refs: list) -> list[str]:
    return [r.name for r in refs]


def test_a_plan_without_departments_becomes_reportable(app: App, admin: User, plan_001: int) -> None:
    draft = get_plan(app.uow(), plan_001).draft
    assert len(draft.tasks) == 35 and unassigned_tasks(draft) == [t.id for t in draft.tasks]
    assert len(unassigned_items(draft)) == 35
    create_user(app.uow(), admin, "wjw", "卫健委填报员", Role.DEPARTMENT_REPORTER, departments=["区卫健委"])
    wjw = acting_user(app.uow(), "wjw")
    with pytest.raises(NotLeadDepartmentError, match="does not lead T3"):
        save_report(app.uow(), wjw, plan_001, "T3", "2024Q1", "区卫生健康委", "推进中", 30, now=AT)
    assert owed_reports(app.uow(), plan_001, period_id="2024Q1", at=dt.date(2024, 4, 1)) == []

    chosen = [t.id for t in draft.tasks[:20]]
    result = assign_plan_departments(app.uow(), admin, plan_001, chosen, "区卫健局", "区医保局、区财政局", now=AT)
    assert (result.changed, result.lead, result.cooperating) == (chosen, ["区卫生健康委"], ["区医保局", "区财政局"])
    assert result.mode is AssignMode.ADD

    after = get_plan(app.uow(), plan_001).draft
    task = after.task("T3")
    assert _names(task.responsibility.lead) == ["区卫生健康委"]
    assert _names(task.responsibility.cooperating) == ["区医保局", "区财政局"]
    assert all(r.known and r.span is None for r in task.responsibility.lead)
    assert unassigned_tasks(after) == [t.id for t in draft.tasks[20:]]
    assert (after.meta, after.source_text, after.task("T3").title) == (
        draft.meta,
        draft.source_text,
        draft.task("T3").title,
    )

    # one audit entry per task, with the departments before and after
    entries = _audit(app, "plan.departments")
    assert [e.before["item"] for e in entries] == chosen
    first = entries[0]
    assert (first.entity, first.entity_key, first.actor, first.at) == ("plan", str(plan_001), "admin", AT)
    assert first.before["lead"] == [] and [d["name"] for d in first.after["lead"]] == ["区卫生健康委"]
    assert first.after["mode"] == "add"

    # the new lead reports, the reminders and the evaluation see it
    report = save_report(app.uow(), wjw, plan_001, "T3", "2024Q1", "区卫生健康委", "推进中", 30, submit=True, now=AT)
    assert report.version == 1 and report.department == "区卫生健康委"
    owed = owed_reports(app.uow(), plan_001, period_id="2024Q1", department="区卫健委", at=dt.date(2024, 4, 1))
    assert len(owed) == 20 and {o.item_id for o in owed if not o.owed} == {"T3"}
    evaluation = evaluate_plan(app.uow(), plan_001, dt.date(2024, 4, 20))
    assert next(i for i in evaluation.items if i.item_id == "T3").lead == ["区卫生健康委"]
    assert "区卫生健康委" in {d.name for d in evaluation.departments}


def test_add_keeps_what_is_there_and_replace_replaces_it(app: App, admin: User, plan_001: int) -> None:
    assign_plan_departments(app.uow(), admin, plan_001, ["T1", "T2"], ["区卫生健康委"], ["区医保局"], now=AT)
    # add: 区医保局 moves up to lead, 区财政局 joins the cooperating ones, 区卫生健康委 stays
    added = assign_plan_departments(
        app.uow(), admin, plan_001, ["T1"], "区医保局", "区财政局、区卫生健康委", mode="add", now=AT
    )
    t1 = get_plan(app.uow(), plan_001).draft.task("T1").responsibility
    assert (_names(t1.lead), _names(t1.cooperating)) == (["区卫生健康委", "区医保局"], ["区财政局"])
    assert added.changed == ["T1"]
    # the same again changes nothing and writes nothing
    before = len(_audit(app, "plan.departments"))
    again = assign_plan_departments(app.uow(), admin, plan_001, ["T1"], "区医保局", "区财政局", now=AT)
    assert again.changed == [] and len(_audit(app, "plan.departments")) == before
    # replace: exactly the chosen ones
    assign_plan_departments(app.uow(), admin, plan_001, "T1、T2", "区发改委", "", mode="replace", now=AT)
    plan = get_plan(app.uow(), plan_001).draft
    for task_id in ("T1", "T2"):
        resp = plan.task(task_id).responsibility
        assert (_names(resp.lead), _names(resp.cooperating)) == (["区发展改革委"], [])


def test_printed_departments_keep_their_printed_name_and_span(app: App, admin: User) -> None:
    plan_id = import_file(app.uow(), SEED_000).plan_id  # T3: 区卫健委 leads; 区财政局, 区发展改革委 cooperate
    printed = get_plan(app.uow(), plan_id).draft.task("T3").responsibility
    assign_plan_departments(app.uow(), admin, plan_id, ["T3"], "区财政局", "区医保局", now=AT)
    resp = get_plan(app.uow(), plan_id).draft.task("T3").responsibility
    assert _names(resp.lead) == ["区卫生健康委", "区财政局"]
    assert _names(resp.cooperating) == ["区发展改革委", "区医保局"]
    assert resp.lead[0] == printed.lead[0]
    moved = resp.lead[1]
    assert (moved.raw, moved.span) == (printed.cooperating[0].raw, printed.cooperating[0].span)
    assert (resp.raw, resp.span) == (printed.raw, printed.span)  # the printed clause stays the provenance


def test_refusals_name_the_problem_and_write_nothing(app: App, admin: User, plan_001: int) -> None:
    def refused(exc: type[Exception], match: str, *args: object, **kwargs: object) -> None:
        with pytest.raises(exc, match=match):
            assign_plan_departments(app.uow(), admin, plan_001, *args, now=AT, **kwargs)  # type: ignore[arg-type]

    refused(InvalidInputError, "区智慧医疗专班", ["T1"], "区卫生健康委、区智慧医疗专班", "")
    with pytest.raises(InvalidInputError) as caught:
        assign_plan_departments(app.uow(), admin, plan_001, ["T1"], "区卫生健康委", "区智慧医疗专班")
    assert caught.value.message_zh.startswith("配合部门「区智慧医疗专班」不在部门名录中")
    refused(InvalidInputError, "both lead and cooperate", ["T1"], "区卫健委", "区卫生健康委员会")
    refused(InvalidInputError, "choose at least one", [], "区卫生健康委", "")
    refused(InvalidInputError, "name a lead or a cooperating", ["T1"], "", "")
    refused(InvalidInputError, "replacing needs a lead", ["T1"], "", "区医保局", mode="replace")
    refused(InvalidInputError, "unknown mode", ["T1"], "区医保局", "", mode="merge")
    refused(UnknownItemError, "T99", ["T1", "T99"], "区医保局", "")
    assert _audit(app, "plan.departments") == []
    assert unassigned_tasks(get_plan(app.uow(), plan_001).draft)[0] == "T1"


def test_only_the_office_assigns(app: App, admin: User, plan_001: int) -> None:
    create_user(app.uow(), admin, "wjw", "卫健委填报员", Role.DEPARTMENT_REPORTER, departments=["区卫健委"])
    create_user(app.uow(), admin, "leader", "区领导", Role.VIEWER)
    for name in ("wjw", "leader"):
        with pytest.raises(PermissionDeniedError):
            assign_plan_departments(app.uow(), acting_user(app.uow(), name), plan_001, ["T1"], "区卫生健康委", "")
        with pytest.raises(PermissionDeniedError):
            plan_review.assign_departments(app.uow(), acting_user(app.uow(), name), 1, ["T1"], "区卫生健康委", "")
    assert _audit(app, "plan.departments") == []


def test_a_new_lead_does_not_touch_the_reports(loop: Loop) -> None:
    """Seed 004: 区卫生健康委 reported on T4.M2; 区医保局 takes over the lead, every version stays."""
    uow, plan = loop.app.uow, loop.plan_id
    save_report(uow(), loop.health, plan, "T4.M2", "2023Q3", "区卫生健康委", "推进中", 40, now=at("2023-10-08"))
    save_report(
        uow(), loop.health, plan, "T4.M2", "2023Q3", "区卫生健康委", "推进中", 45, submit=True, now=at("2023-10-09")
    )
    with uow() as u:
        before = [(r.item_id, r.period_id, r.version, r.department, r.percent) for r in u.reports.for_plan(plan)]
    assert before
    assign_plan_departments(
        uow(), loop.admin, plan, ["T4.M2"], "区医保局", "区卫生健康委", mode="replace", now=at("2023-11-01")
    )
    with uow() as u:
        after = [(r.item_id, r.period_id, r.version, r.department, r.percent) for r in u.reports.for_plan(plan)]
        assert u.reports.latest(plan, "T4.M2", "2023Q3").version == 2
    assert after == before
    with pytest.raises(NotLeadDepartmentError, match=r"cooperates on T4.M2 but does not lead it"):
        save_report(uow(), loop.health, plan, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 50, now=at("2024-01-05"))
    report = save_report(
        uow(), loop.insurance, plan, "T4.M2", "2023Q4", "区医保局", "推进中", 50, submit=True, now=at("2024-01-05")
    )
    assert report.department == "区医保局"


def test_a_draft_takes_many_tasks_in_one_correction(app: App, admin: User) -> None:
    draft_id = plan_review.upload_plan(app.uow(), admin, SEED_001, now=AT)
    review = plan_review.get_review(app.uow(), draft_id)
    assert len(unassigned_tasks(review.draft)) == 35
    chosen = unassigned_tasks(review.draft)[:10]
    result = plan_review.assign_departments(app.uow(), admin, draft_id, chosen, ["区卫健委"], ["区医保局"], now=AT)
    assert (result.version, result.changed, result.lead) == (2, chosen, ["区卫生健康委"])
    review = plan_review.get_review(app.uow(), draft_id)
    assert len(unassigned_tasks(review.draft)) == 25 and review.info.version == 2
    last = review.corrections[-1]
    assert (last.version, last.action, last.item) == (2, "assign", ",".join(chosen))
    assert last.before["items"]["T1"] == {"lead": [], "cooperating": []}
    assert [d["name"] for d in last.after["items"]["T1"]["lead"]] == ["区卫生健康委"]
    assert last.after["mode"] == "add"

    with pytest.raises(InvalidInputError, match="区智慧医疗专班"):
        plan_review.assign_departments(app.uow(), admin, draft_id, ["T11"], "区智慧医疗专班", "")
    with pytest.raises(UnknownItemError):
        plan_review.assign_departments(app.uow(), admin, draft_id, ["T11", "T99"], "区卫生健康委", "")
    assert plan_review.get_review(app.uow(), draft_id).info.version == 2  # refused: nothing stored

    plan_id = plan_review.publish(app.uow(), admin, draft_id, now=AT)
    stored = get_plan(app.uow(), plan_id).draft
    assert _names(stored.task("T1").responsibility.lead) == ["区卫生健康委"]
    assert len(unassigned_tasks(stored)) == 25


def test_a_city_plan_picks_departments_at_its_level(app: App, admin: User) -> None:
    """Seed 002 is 上海市's: the registry's 区 names are offered, and accepted, as 市 ones."""
    plan_id = import_file(app.uow(), SEED_002).plan_id
    draft = get_plan(app.uow(), plan_id).draft
    names = [o.name for o in department_options(app.uow(), draft.meta)]
    assert "市卫生健康委" in names and "区卫生健康委" not in names
    assign_plan_departments(app.uow(), admin, plan_id, ["T1"], "市卫健委", "市医保局", now=AT)
    resp = get_plan(app.uow(), plan_id).draft.task("T1").responsibility
    assert (_names(resp.lead), _names(resp.cooperating)) == (["市卫生健康委"], ["市医保局"])
