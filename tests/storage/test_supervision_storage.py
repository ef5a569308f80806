"""The supervision tables: repositories round-trip domain objects, append-only rows, time zones, audit JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from yigai.bootstrap import App
from yigai.clock import OFFICE_TZ, aware, to_utc
from yigai.domain.indicators import DataValue, Direction, IndicatorDef, OutlierBounds, TargetLink
from yigai.domain.orgunits import InstitutionGrade, InstitutionType, OrgUnit, OrgUnitLevel
from yigai.domain.periods import PeriodType
from yigai.domain.plan import PlanDraft
from yigai.domain.reports import ProgressReport, ProgressStatus
from yigai.domain.users import Role, User
from yigai.storage.audit import jsonable
from yigai.storage.report_repository import ReportingSchedule

UNITS = [
    OrgUnit("35", "福建省", OrgUnitLevel.PROVINCE),
    OrgUnit("350104", "仓山区", OrgUnitLevel.DISTRICT, "35"),
    OrgUnit(
        "350104-01",
        "仓山区疾病预防控制中心",
        OrgUnitLevel.INSTITUTION,
        "350104",
        InstitutionType.CDC,
        InstitutionGrade.UNGRADED,
        ["公立"],
    ),
]


def test_org_units_round_trip_with_paths(app: App) -> None:
    with app.uow() as uow:
        assert uow.orgunits.upsert(UNITS) == (3, 0)
        uow.commit()
    with app.uow() as uow:
        assert uow.orgunits.all() == UNITS
        assert uow.orgunits.ancestors("350104-01") == ["35", "350104"]
        assert uow.orgunits.get("nowhere") is None
        with pytest.raises(KeyError):
            uow.orgunits.upsert([OrgUnit("X", "孤儿", OrgUnitLevel.TOWN, "missing")])


def test_users_round_trip_with_scopes(app: App) -> None:
    user = User("wjw", "卫健委", Role.DEPARTMENT_REPORTER, frozenset({"区卫生健康委", "区疾控中心"}))
    with app.uow() as uow:
        uow.users.add(user)
        uow.commit()
    with app.uow() as uow:
        assert uow.users.get("wjw") == user and uow.users.all() == [user]
    with pytest.raises(IntegrityError), app.uow() as uow:
        uow.users.add(user)


def _report(plan_id: int, version: int) -> ProgressReport:
    return ProgressReport(
        plan_id,
        "T1.M1",
        "2023Q4",
        "区委",
        ProgressStatus.IN_PROGRESS,
        50.0,
        version=version,
        saved_at=dt.datetime(2024, 1, 16, 7, 30, tzinfo=OFFICE_TZ),
        contributions={"区政府": "配合"},
    )


def test_report_versions_are_append_only_and_keep_office_time(app: App, sample_draft: PlanDraft) -> None:
    with app.uow() as uow:
        plan_id = uow.plans.add(sample_draft)
        uow.reports.add(_report(plan_id, 1))
        uow.reports.add(_report(plan_id, 2))
        uow.commit()
    with app.uow() as uow:
        versions = uow.reports.versions(plan_id, "T1.M1", "2023Q4")
        assert versions == [_report(plan_id, 1), _report(plan_id, 2)]
        saved = versions[0].saved_at
        assert saved is not None and saved.date() == dt.date(2024, 1, 16)  # not UTC's 15th
    with pytest.raises(IntegrityError), app.uow() as uow:
        uow.reports.add(_report(plan_id, 2))
    with pytest.raises(IntegrityError), app.uow() as uow:  # percent is checked by the database too
        uow.reports.add(dataclasses.replace(_report(plan_id, 3), percent=101))


def test_a_plan_with_reports_cannot_be_deleted_under_them(app: App, sample_draft: PlanDraft) -> None:
    with app.uow() as uow:
        plan_id = uow.plans.add(sample_draft)
        uow.reports.add(_report(plan_id, 1))
        uow.commit()
    with pytest.raises(IntegrityError), app.uow() as uow:
        uow.plans.replace(plan_id, sample_draft)


def test_schedule_and_links_are_kept_by_plan_id(app: App) -> None:
    schedule = ReportingSchedule(7, PeriodType.QUARTERLY, "2021Q3", "2023Q4", 15, updated_by="admin")
    with app.uow() as uow:
        uow.reports.set_schedule(schedule)
        uow.indicators.upsert(
            [
                IndicatorDef(
                    "FD_COVERAGE",
                    "家庭医生签约覆盖率",
                    "%",
                    Direction.HIGHER_IS_BETTER,
                    numerator="FD_CONTRACTED",
                    denominator="POP_RESIDENT",
                    factor=100,
                )
            ]
        )
        uow.links.put(TargetLink(7, 3, "FD_COVERAGE", True, "admin", 0.9), "家庭医生签约覆盖率")
        uow.commit()
    with app.uow() as uow:
        stored = uow.reports.schedule(7)
        assert stored is not None and dataclasses.replace(stored, updated_at=None) == schedule
        assert [p.id for p in stored.periods][-1] == "2023Q4" and len(stored.periods) == 10
        assert [r.link for r in uow.links.for_plan(7)] == [TargetLink(7, 3, "FD_COVERAGE", True, "admin", 0.9)]
        assert uow.indicators.data_elements() == {"FD_CONTRACTED", "POP_RESIDENT"}


def test_data_values_keep_every_version(app: App) -> None:
    with app.uow() as uow:
        uow.orgunits.upsert(UNITS)
        for version, value in ((1, 70.0), (2, 72.5)):
            uow.values.add(DataValue("FD_COVERAGE", "350104", "2023", value, version=version), outlier=version == 2)
        uow.indicators.set_bounds(OutlierBounds("FD_COVERAGE", 0, 100))
        uow.commit()
    with app.uow() as uow:
        assert [(r.value.version, r.value.value, r.outlier) for r in uow.values.query(all_versions=True)] == [
            (1, 70.0, False),
            (2, 72.5, True),
        ]
        assert [r.value.value for r in uow.values.query(keys=["FD_COVERAGE"])] == [72.5]
        assert uow.values.latest("FD_COVERAGE", "350104", "2023").value.version == 2  # type: ignore[union-attr]
        assert uow.indicators.bounds("FD_COVERAGE") == OutlierBounds("FD_COVERAGE", 0, 100)
    with pytest.raises(IntegrityError), app.uow() as uow:  # the org unit must exist
        uow.values.add(DataValue("FD_COVERAGE", "nowhere", "2023", 1.0))


def test_times_and_audit_json() -> None:
    moment = dt.datetime(2024, 1, 16, 7, 30, tzinfo=OFFICE_TZ)
    stored = to_utc(moment)
    assert stored.tzinfo is dt.UTC and stored.day == 15
    assert aware(stored.replace(tzinfo=None)) == moment  # SQLite gives naive UTC back
    assert jsonable(_report(1, 1))["status"] == "推进中"
    assert jsonable({"roles": frozenset({Role.VIEWER})}) == {"roles": ["viewer"]}
