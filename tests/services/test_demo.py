"""The demo district (``yigai demo``): plans, people and a history that reads like an office's."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from yigai.bootstrap import build
from yigai.domain.periods import PeriodType, period_containing
from yigai.domain.reports import ReviewState, Timeliness
from yigai.domain.users import Role
from yigai.evaluation.results import ItemStatus
from yigai.services.auth import login
from yigai.services.demo import DEMO_USERS, quarters
from yigai.services.errors import AuthenticationError
from yigai.services.evaluate import evaluate_plan
from yigai.services.reminders import owed_reports
from yigai.services.reports import report_history
from yigai.services.targets import list_links
from yigai.services.values import list_values

from ..conftest import DemoBuild  # type: ignore[import-not-found]


def _key(key: str) -> tuple[int, str, str]:
    plan, item, period = key.split("/")
    return int(plan), item, period


def test_the_settled_quarters_leave_the_one_just_ended_alone() -> None:
    current, ended = quarters(dt.date(2026, 11, 26))
    assert current.id == "2026Q4" and [p.id for p in ended] == [
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2026Q1",
        "2026Q2",
        "2026Q3",
    ]
    _, just_after = quarters(dt.date(2026, 10, 5))  # 2026Q3 ended five days ago: nothing reported yet
    assert [p.id for p in just_after] == ["2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2"]


def test_five_published_plans_with_schedules_and_one_user_per_role(demo_build: DemoBuild) -> None:
    summary = demo_build.summary
    assert [p.id for p in summary.plans] == [1, 2, 3, 4, 5]
    assert {u.role for u in summary.users} == set(Role)
    assert set(summary.schedules) == {1, 2, 3, 4, 5} and summary.schedules[5].startswith("quarterly ")
    with build(demo_build.settings) as app:
        for user in DEMO_USERS:
            assert login(app.uow(), user.username, user.password).user.role is user.role
        with app.uow() as uow:
            everyone = uow.users.all()
        others = [u for u in everyone if u.username not in {d.username for d in DEMO_USERS}]
        assert others and all(u.role is Role.DEPARTMENT_REPORTER for u in others)
        with pytest.raises(AuthenticationError):  # the other departments' reporters cannot sign in
            login(app.uow(), others[0].username, "demo-" + others[0].username)


def test_a_history_with_late_missing_returned_and_accepted_reports(demo_build: DemoBuild) -> None:
    summary = demo_build.summary
    with build(demo_build.settings) as app:
        history = report_history(app.uow(), *_key(summary.resubmitted))
        assert [(r.state, r.author) for r in history] == [
            (ReviewState.SUBMITTED, "ybj"),
            (ReviewState.RETURNED, "ybj"),
            (ReviewState.SUBMITTED, "ybj"),
        ]
        assert history[1].reviewer == "admin" and history[1].review_comment
        assert len(history[2].evidence) == len(history[1].evidence) + 1  # resubmitted with the evidence asked for
        returned = report_history(app.uow(), *_key(summary.returned))[-1]
        assert (
            returned.state is ReviewState.RETURNED and returned.review_comment and returned.department == "区卫生健康委"
        )

        plan_id, _, last = _key(summary.resubmitted)
        owed = owed_reports(app.uow(), plan_id, period_id=last, at=summary.today)
        by_dept = {(o.department, o.item_id): o for o in owed}
        assert any(_key(key)[0] == plan_id for key in summary.missing)
        for key in summary.missing:
            plan, item, _ = _key(key)
            if plan != plan_id:
                continue
            assert by_dept[("区卫生健康委", item)].state is None and by_dept[("区卫生健康委", item)].owed
        with app.uow() as uow:
            reports = uow.reports.for_plan(plan_id)
        market = Counter(r.period_id for r in reports if r.department == "区市场监管局")
        assert market[last] == 0 and market[_shift(last, -1)] > 0  # 区市场监管局 skipped the last quarter
        earlier = owed_reports(app.uow(), plan_id, period_id=_shift(last, -3), at=summary.today)
        timeliness = Counter(o.timeliness for o in earlier)
        assert timeliness[Timeliness.LATE] > 0 and timeliness[Timeliness.ON_TIME] > timeliness[Timeliness.LATE]
        states = Counter(r.state for r in reports)
        assert states[ReviewState.ACCEPTED] > 100 and states[ReviewState.SUBMITTED] > 100 and states[ReviewState.DRAFT]


def test_linked_targets_have_values_and_the_evaluation_tells_a_story(demo_build: DemoBuild) -> None:
    summary = demo_build.summary
    with build(demo_build.settings) as app:
        links = list_links(app.uow(), 5)
        assert len(links) == 11 and all(link.confirmed and not link.stale for link in links)
        evaluation = evaluate_plan(app.uow(), 5, summary.today)
        measured = [t for t in evaluation.targets if t.latest is not None]
        assert len(measured) == 11
        assert any(t.off_track for t in measured) and not all(t.off_track for t in measured)
        statuses = Counter(i.status for i in evaluation.items)
        assert statuses[ItemStatus.COMPLETED] and statuses[ItemStatus.ON_TRACK] and statuses[ItemStatus.NOT_REPORTED]
        showcase = _key(summary.missing[0])[1]
        assert next(i for i in evaluation.items if i.item_id == showcase).status is ItemStatus.NOT_REPORTED
        clinic = list_values(app.uow(), key="FD_COVERAGE", org_unit="350104001-01", history=True)
        assert len(clinic) == len({r.value.period_id for r in clinic}) + 1  # one value was corrected: two versions
        assert {r.value.author for r in clinic} == {"cqsq"}


def test_the_demo_folder_holds_its_own_database(demo_build: DemoBuild, tmp_path: Path) -> None:
    copy = demo_build.copy_to(tmp_path / "copy")
    assert (copy / "demo.sqlite3").is_file() and any((copy / "evidence").rglob("*"))


def _shift(period_id: str, n: int) -> str:
    period = period_containing(PeriodType.QUARTERLY, dt.date(int(period_id[:4]), 3 * int(period_id[5]), 1))
    for _ in range(-n):
        period = period.previous()
    return period.id
