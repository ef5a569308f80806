"""Org units, department aliases and users: loading, checking, scoping, renaming."""

from __future__ import annotations

from pathlib import Path

import pytest

from yigai.bootstrap import App
from yigai.domain.errors import NotFoundError
from yigai.domain.orgunits import InstitutionType, OrgUnitLevel
from yigai.domain.users import Role
from yigai.services.departments import add_alias, list_departments, rename_department, resolve_department
from yigai.services.errors import (
    DuplicateError,
    ImportFileError,
    InvalidInputError,
    PermissionDeniedError,
    UnknownOrgUnitError,
)
from yigai.services.orgunits import find_region_unit, list_orgunits, load_orgunits, region_candidates
from yigai.services.reports import report_history, save_report
from yigai.services.users import DEFAULT_ADMIN, acting_user, create_user, list_users

from .conftest import Loop


def test_the_builtin_cangshan_hierarchy(loop: Loop) -> None:
    units = list_orgunits(loop.app.uow())
    by_code = {u.code: u for u in units}
    assert [u.name for u in units[:3]] == ["福建省", "福州市", "仓山区"]
    assert {u.level for u in units} == set(OrgUnitLevel)
    towns = [u for u in units if u.level is OrgUnitLevel.TOWN]
    assert len(towns) >= 6 and all(u.parent_code == "350104" for u in towns)
    kinds = {u.institution_type for u in units if u.institution_type}
    assert {
        InstitutionType.REGIONAL_MEDICAL_CENTER,
        InstitutionType.COMMUNITY_HEALTH_CENTER,
        InstitutionType.TOWNSHIP_HEALTH_CENTER,
        InstitutionType.VILLAGE_CLINIC,
        InstitutionType.CDC,
        InstitutionType.TCM_HOSPITAL,
    } <= kinds
    assert by_code["350104101-01"].name == "城门镇卫生院"
    # tree order: every unit after its parent
    seen: set[str] = set()
    for u in units:
        assert u.parent_code is None or u.parent_code in seen
        seen.add(u.code)
    assert [u.code for u in list_orgunits(loop.app.uow(), "350104101")] == [
        "350104101",
        "350104101-01",
        "350104101-02",
        "350104101-03",
    ]


def test_a_plan_region_names_its_org_unit(loop: Loop) -> None:
    assert region_candidates("福建省福州市仓山区") == ["福建省福州市仓山区", "福州市仓山区", "仓山区"]
    with loop.app.uow() as uow:
        assert find_region_unit(uow, "福建省福州市仓山区").code == "350104"  # type: ignore[union-attr]
        assert find_region_unit(uow, "上海市青浦区") is None


def test_a_csv_hierarchy_in_any_order_updates_and_moves_units(loop: Loop, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "编码,名称,层级,上级编码,机构类型,等级,分组\n"
        "350104201-01,示例社区卫生服务站,,350104201,社区卫生服务站,未定级,公立;基层医疗卫生机构\n"
        "350104201,城门镇新区片区,园区,350104,,,\n"
        "350104101-02,林浦村卫生室,机构,350104201,村卫生室,,\n",
        encoding="utf-8",
    )
    result = load_orgunits(loop.app.uow(), loop.admin, path)
    assert (result.created, result.updated) == (2, 1)
    units = {u.code: u for u in list_orgunits(loop.app.uow(), "350104201")}
    assert units["350104201-01"].groups == ["公立", "基层医疗卫生机构"]
    assert units["350104201"].level is OrgUnitLevel.TOWN
    assert units["350104101-02"].name == "林浦村卫生室"  # renamed and moved under the new area
    with loop.app.uow() as uow:
        assert uow.orgunits.ancestors("350104101-02") == ["35", "3501", "350104", "350104201"]


def test_a_hierarchy_with_errors_loads_nothing(loop: Loop, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name,level,parent,type\n"
        "X1,某街道,town,NOWHERE,\n"
        "X2,某医院,institution,350104,大医院\n"
        "X3,某省,province,350104,\n"
        "X3,重复,town,350104,\n"
        ",无编码,town,350104,\n",
        encoding="utf-8",
    )
    before = len(list_orgunits(loop.app.uow()))
    with pytest.raises(ImportFileError) as err:
        load_orgunits(loop.app.uow(), loop.admin, path)
    assert [(e.row, e.column) for e in err.value.errors] == [
        (2, "parent"),
        (3, "type"),
        (4, "level"),
        (5, "code"),
        (6, "code"),
    ]
    assert len(list_orgunits(loop.app.uow())) == before
    with pytest.raises(PermissionDeniedError):
        load_orgunits(loop.app.uow(), loop.health)


def test_departments_are_seeded_from_the_shipped_aliases(loop: Loop) -> None:
    entries = {e.name: e for e in list_departments(loop.app.uow())}
    health = entries["区卫生健康委"]
    assert {"区卫健委", "区卫健局", "区卫生健康委员会"} <= set(health.aliases) and health.in_plans
    assert "区医保局" in entries and entries["各镇街（园区）"].kind == "group"
    with loop.app.uow() as uow:
        assert resolve_department(uow, "仓山医保局", "福建省福州市仓山区") == "区医保局"
        assert resolve_department(uow, " 区卫健局 ") == "区卫生健康委"
        assert resolve_department(uow, "区无此局") == "区无此局"
        for typed in ("仓山区卫健局", "仓山卫健局"):  # the district's own name as a prefix
            assert resolve_department(uow, typed, "福建省福州市仓山区") == "区卫生健康委"
        assert resolve_department(uow, "仓山区卫健局") == "仓山区卫健局"  # no region given: left as typed


def test_an_alias_added_by_the_office_is_used_for_reports(loop: Loop) -> None:
    record = add_alias(loop.app.uow(), loop.admin, "仓山区卫生健康局", "区卫健委")
    assert record.department == "区卫生健康委"
    report = save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "仓山区卫生健康局", "推进中", 20)
    assert report.department == "区卫生健康委"
    with pytest.raises(InvalidInputError, match="unknown department"):
        add_alias(loop.app.uow(), loop.admin, "某局", "不存在的部门")
    with pytest.raises(DuplicateError):
        add_alias(loop.app.uow(), loop.admin, "区医保局", "区卫生健康委")
    with pytest.raises(PermissionDeniedError):
        add_alias(loop.app.uow(), loop.health, "卫健", "区卫生健康委")
    with loop.app.uow() as uow:
        assert [e.action for e in uow.audit.entries(entity="department_alias")] == ["department.alias"]


def test_renaming_a_department_carries_its_reports_and_scopes(loop: Loop) -> None:
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫生健康委", "推进中", 20)
    touched = rename_department(loop.app.uow(), loop.admin, "区卫健委", "区卫生健康局")
    assert touched >= 3
    assert report_history(loop.app.uow(), 1, "T4.M2", "2023Q4")[0].department == "区卫生健康局"
    wjw = acting_user(loop.app.uow(), "wjw")
    assert wjw.departments == {"区卫生健康局"}
    # the old name and its aliases still work
    again = save_report(loop.app.uow(), wjw, 1, "T4.M2", "2023Q4", "区卫健委", "推进中", 30)
    assert again.department == "区卫生健康局"
    with pytest.raises(DuplicateError):
        rename_department(loop.app.uow(), loop.admin, "区医保局", "区卫生健康局")


def test_users_roles_and_scopes(loop: Loop) -> None:
    names = [u.username for u in list_users(loop.app.uow())]
    assert names == ["admin", "wjw", "ybj", "cmz", "leader"]
    assert loop.health.departments == {"区卫生健康委"}  # given as 区卫健局, stored canonical
    with pytest.raises(DuplicateError):
        create_user(loop.app.uow(), loop.admin, "wjw", "", Role.VIEWER)
    with pytest.raises(InvalidInputError, match="--dept"):
        create_user(loop.app.uow(), loop.admin, "x", "", Role.DEPARTMENT_REPORTER)
    with pytest.raises(UnknownOrgUnitError):
        create_user(loop.app.uow(), loop.admin, "y", "", Role.INSTITUTION_REPORTER, org_units=["nowhere"])
    with pytest.raises(InvalidInputError, match="username"):
        create_user(loop.app.uow(), loop.admin, "有 空格", "", Role.VIEWER)
    with pytest.raises(InvalidInputError, match="role"):
        create_user(loop.app.uow(), loop.admin, "z", "", "boss")
    with pytest.raises(PermissionDeniedError):
        create_user(loop.app.uow(), loop.health, "z", "", Role.VIEWER)
    with pytest.raises(NotFoundError):
        acting_user(loop.app.uow(), "nobody")


def test_the_default_admin_is_created_once_and_audited(app: App) -> None:
    assert acting_user(app.uow()) == DEFAULT_ADMIN
    assert acting_user(app.uow()) == DEFAULT_ADMIN
    with app.uow() as uow:
        assert [(e.actor, e.action, e.entity_key) for e in uow.audit.entries()] == [("system", "user.create", "admin")]
