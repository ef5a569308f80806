"""The reads web view models make through services: schedules, report counts and versions, one user,
one indicator, values by code and confirmed target links."""

from __future__ import annotations

import pytest

from yigai.domain.errors import NotFoundError
from yigai.services.indicators import get_indicator
from yigai.services.plans import list_plans
from yigai.services.reports import count_reports, item_reports, plan_reports, save_report
from yigai.services.schedules import find_schedule, plan_schedules, supervised_plans
from yigai.services.targets import confirmed_links, link_target, suggest_links
from yigai.services.users import get_user
from yigai.services.values import enter_value, values_for

from .conftest import Loop, at


def test_schedules_and_supervised_plans(loop: Loop) -> None:
    schedule = find_schedule(loop.app.uow(), 1)
    assert schedule is not None and (schedule.first, schedule.last) == ("2021Q3", "2023Q4")
    assert find_schedule(loop.app.uow(), 999) is None
    assert plan_schedules(loop.app.uow(), [1, 999]) == {1: schedule}
    assert [p.id for p in supervised_plans(loop.app.uow(), list_plans(loop.app.uow()))] == [1]


def test_report_counts_and_versions(loop: Loop) -> None:
    assert count_reports(loop.app.uow(), 1) == 0
    for percent, day in ((40, "2024-01-05"), (60, "2024-01-08")):
        save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", percent, now=at(day))
    assert count_reports(loop.app.uow(), 1) == 2
    assert [r.version for r in item_reports(loop.app.uow(), 1, "T4.M2")] == [1, 2]
    assert item_reports(loop.app.uow(), 1, "T1") == []
    assert {r.item_id for r in plan_reports(loop.app.uow(), 1, shared=True)} == {"T4.M2"}


def test_one_user_and_one_indicator(loop: Loop) -> None:
    assert get_user(loop.app.uow(), "wjw").departments == loop.health.departments
    with pytest.raises(NotFoundError, match="no user"):
        get_user(loop.app.uow(), "nobody")
    ind, _bounds = get_indicator(loop.app.uow(), "FD_COVERAGE")
    assert ind.code == "FD_COVERAGE"
    with pytest.raises(NotFoundError, match="no indicator"):
        get_indicator(loop.app.uow(), "NOPE")


def test_values_by_code_and_confirmed_links(loop: Loop) -> None:
    enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", "350104", "2023Q4", 70, now=at("2024-01-05"))
    enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", "350104", "2023Q4", 72, now=at("2024-01-06"))
    assert [r.value.value for r in values_for(loop.app.uow(), ["FD_COVERAGE"])] == [72]
    assert len(values_for(loop.app.uow(), ["FD_COVERAGE"], history=True)) == 2
    assert values_for(loop.app.uow(), ["DOCTORS_PER_1000"]) == []
    suggest_links(loop.app.uow(), loop.admin, 1)  # suggestions are not confirmed links
    assert confirmed_links(loop.app.uow()) == []
    link_target(loop.app.uow(), loop.admin, 1, 0, "FD_COVERAGE")
    assert [(p.id, link.target_index) for p, link in confirmed_links(loop.app.uow(), "FD_COVERAGE")] == [(1, 0)]
    assert confirmed_links(loop.app.uow(), "DOCTORS_PER_1000") == []
