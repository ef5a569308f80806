"""Org units, departments and aliases, users (office only) and the audit log (office only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from pydantic import BaseModel, Field

from yigai.domain.users import Role, User
from yigai.services.audit import list_audit
from yigai.services.auth import set_password
from yigai.services.departments import (
    DepartmentEntry,
    add_alias,
    list_departments,
    rename_department,
    set_department_class,
)
from yigai.services.orgunits import list_orgunits, load_orgunits
from yigai.services.users import create_user, list_users, set_user_active, update_user
from yigai.storage.audit import jsonable
from yigai.web.api.auth import user_view
from yigai.web.deps import AppDep, CurrentUser, DbInt, UowDep, require_role
from yigai.web.exports import ListFormat, export
from yigai.web.files import check_extension, read_upload, saved_upload
from yigai.web.viewmodels.audit_labels import action_label, entity_label

router = APIRouter(tags=["registry"])
Fmt = Annotated[ListFormat, Query(alias="format", description="json, csv or xlsx")]
Admin = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN))]
MAX_REGISTRY_FILE = 5 * 1024 * 1024

ORGUNIT_COLUMNS = [
    ("code", "编码"),
    ("name", "名称"),
    ("level", "层级"),
    ("parent_code", "上级编码"),
    ("institution_type", "机构类型"),
    ("grade", "等级"),
    ("groups", "分组"),
]
DEPARTMENT_COLUMNS = [
    ("name", "部门"),
    ("kind", "类型"),
    ("class_label", "排名类别"),
    ("aliases", "别名"),
    ("in_plans", "计划中出现"),
]
USER_COLUMNS = [
    ("username", "用户名"),
    ("display_name", "姓名"),
    ("role_label", "角色"),
    ("departments", "部门"),
    ("org_units", "机构"),
    ("active_label", "状态"),
]
AUDIT_COLUMNS = [
    ("at", "时间"),
    ("actor", "操作人"),
    ("action_label", "操作"),
    ("entity_label", "对象"),
    ("entity_key", "对象编号"),
    ("before", "修改前"),
    ("after", "修改后"),
]


class AliasBody(BaseModel):
    alias: str = Field(max_length=200)
    canonical: str = Field(max_length=200)
    region: str = Field(default="", max_length=100)


class ClassBody(BaseModel):
    department_class: str = Field(
        alias="class",
        max_length=20,
        description="member, leading, group, place (or 成员单位, 领导机构, 泛指单位, "
        "属地镇街（园区）), or auto: by the name",
    )


class RenameBody(BaseModel):
    old: str = Field(max_length=200)
    new: str = Field(max_length=200)


class UserBody(BaseModel):
    username: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=200)
    role: Role
    departments: list[str] = Field(default_factory=list, max_length=50)
    org_units: list[str] = Field(default_factory=list, max_length=200)
    password: str | None = Field(default=None, max_length=256, description="optional; set later otherwise")


class PasswordBody(BaseModel):
    password: str = Field(max_length=256)


class UserChange(BaseModel):
    """What is not given stays; a scope that does not fit the role is dropped."""

    display_name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    departments: list[str] | None = Field(default=None, max_length=50)
    org_units: list[str] | None = Field(default=None, max_length=200)


class ActiveBody(BaseModel):
    active: bool = Field(
        description="false disables the user (sign-in refused, sessions end); users are never "
        "deleted, so their reports keep their author"
    )


@router.get("/orgunits", summary="Places and institutions in tree order (under: a subtree)")
def orgunits(uow: UowDep, _: CurrentUser, under: str | None = None, fmt: Fmt = ListFormat.JSON) -> Any:
    return export(ORGUNIT_COLUMNS, [jsonable(u) for u in list_orgunits(uow, under)], fmt, "机构层级")


@router.post("/orgunits/load", summary="Office: load org units from a .yaml or .csv file (none: the demo 仓山区)")
async def orgunits_load(
    app: AppDep, user: CurrentUser, file: Annotated[UploadFile | None, File()] = None
) -> dict[str, Any]:
    if file is None:
        return jsonable(load_orgunits(app.uow(), user))
    name = file.filename or "orgunits.yaml"
    check_extension(name, (".yaml", ".yml", ".csv"))
    data = await read_upload(file, MAX_REGISTRY_FILE)
    with saved_upload(data, name) as path:
        return jsonable(load_orgunits(app.uow(), user, path))


def department_view(d: DepartmentEntry) -> dict[str, Any]:
    return {**jsonable(d), "class_label": d.class_label}


@router.get("/departments", summary="Departments with their aliases and ranking class (region: its spellings too)")
def departments(uow: UowDep, _: CurrentUser, region: str = "", fmt: Fmt = ListFormat.JSON) -> Any:
    return export(DEPARTMENT_COLUMNS, [department_view(d) for d in list_departments(uow, region)], fmt, "部门")


@router.put(
    "/departments/{name}/class",
    summary="Office: whether a department is ranked — member, leading body, group or place; auto: by its name",
)
def department_class(name: str, body: ClassBody, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return department_view(set_department_class(uow, user, name, body.department_class))


@router.post("/departments/aliases", status_code=201, summary="Office: make ALIAS another spelling of CANONICAL")
def alias(body: AliasBody, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return jsonable(add_alias(uow, user, body.alias, body.canonical, region=body.region))


@router.post("/departments/rename", summary="Office: rename a department everywhere; the old name stays an alias")
def rename(body: RenameBody, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return {"touched": rename_department(uow, user, body.old, body.new)}


@router.get("/users", summary="Office: users with roles and scopes")
def users(uow: UowDep, _: Admin, fmt: Fmt = ListFormat.JSON) -> Any:
    return export(USER_COLUMNS, [user_view(u) for u in list_users(uow)], fmt, "用户")


@router.post("/users", status_code=201, summary="Office: create a user (and optionally set a password)")
def user_create(body: UserBody, app: AppDep, user: CurrentUser) -> dict[str, Any]:
    created = create_user(
        app.uow(),
        user,
        body.username,
        body.display_name,
        body.role,
        departments=body.departments,
        org_units=body.org_units,
    )
    if body.password:
        set_password(app.uow(), user, created.username, body.password)
    return user_view(created)


@router.patch("/users/{username}", summary="Office: change a user's role, scope (departments, org units) or name")
def user_change(username: str, body: UserChange, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return user_view(
        update_user(
            uow,
            user,
            username,
            role=body.role,
            departments=body.departments,
            org_units=body.org_units,
            display_name=body.display_name,
        )
    )


@router.put("/users/{username}/active", summary="Office: disable or enable a user (users are never deleted)")
def user_active(username: str, body: ActiveBody, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return user_view(set_user_active(uow, user, username, body.active))


@router.put("/users/{username}/password", summary="Office: set a user's password (ends their sessions)")
def user_password(username: str, body: PasswordBody, uow: UowDep, user: CurrentUser) -> dict[str, bool]:
    set_password(uow, user, username, body.password)
    return {"ok": True}


@router.get("/audit", summary="Office: the audit log, newest first by time, filtered and paginated")
def audit(
    uow: UowDep,
    user: CurrentUser,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_key: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: DbInt = 1,
    per_page: DbInt = 50,
    fmt: Fmt = ListFormat.JSON,
) -> Any:
    found = list_audit(
        uow,
        user,
        actor=actor,
        action=action,
        entity=entity,
        entity_key=entity_key,
        since=since,
        until=until,
        page=page,
        per_page=per_page,
    )
    rows = [
        jsonable(e) | {"action_label": action_label(e.action), "entity_label": entity_label(e.entity)}
        for e in found.entries
    ]
    if fmt is not ListFormat.JSON:
        return export(AUDIT_COLUMNS, rows, fmt, "审计日志")
    return {"total": found.total, "page": found.page, "per_page": found.per_page, "pages": found.pages, "entries": rows}
