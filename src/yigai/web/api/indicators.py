"""Indicators, data values and the links between plan targets and indicators."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, UploadFile
from pydantic import BaseModel, Field

from yigai.domain.users import Role, User
from yigai.services.indicators import list_indicators, load_catalogue
from yigai.services.targets import link_target, list_links, suggest_links
from yigai.services.validation import run_validation
from yigai.services.values import SavedValue, enter_value, import_values, list_values, set_bounds
from yigai.storage.audit import jsonable
from yigai.web.deps import AppDep, CurrentUser, DbInt, UowDep, require_role
from yigai.web.exports import ListFormat, export
from yigai.web.files import check_extension, read_upload, saved_upload

router = APIRouter(tags=["indicators"])
Fmt = Annotated[ListFormat, Query(alias="format", description="json, csv or xlsx")]
Admin = Annotated[User, Depends(require_role(Role.OFFICE_ADMIN))]
MAX_VALUES_FILE = 10 * 1024 * 1024

INDICATOR_COLUMNS = [
    ("code", "编码"),
    ("name", "名称"),
    ("unit", "单位"),
    ("direction", "方向"),
    ("definition", "定义"),
    ("numerator", "分子"),
    ("denominator", "分母"),
    ("aliases", "别名"),
]
VALUE_COLUMNS = [
    ("key", "指标"),
    ("org_unit", "机构"),
    ("period_id", "报告期"),
    ("value", "数值"),
    ("outlier", "超出范围"),
    ("source", "来源"),
    ("version", "版本"),
    ("author", "填报人"),
    ("saved_at", "保存时间"),
    ("comment", "备注"),
]
LINK_COLUMNS = [
    ("index", "目标编号"),
    ("metric", "目标"),
    ("unit", "单位"),
    ("indicator_code", "指标编码"),
    ("indicator_name", "指标名称"),
    ("confirmed", "已确认"),
    ("confirmed_by", "确认人"),
    ("score", "匹配度"),
    ("stale", "已失效"),
]


class ValueBody(BaseModel):
    key: str = Field(max_length=100, description="indicator or data-element code, name or alias")
    org_unit: str = Field(max_length=64)
    period: str = Field(max_length=20, description="e.g. 2023Q4, 2023年第4季度, 2023年下半年, 2023年12月, 2023年")
    value: float
    comment: str = Field(default="", max_length=2000)
    plan: str | None = Field(default=None, description="the period must lie in this plan's schedule")
    confirm: bool = Field(
        default=False,
        description="save a suspicious value (a tenfold jump, outside the expected "
        "range) that the error's `confirm` list named",
    )


class Bounds(BaseModel):
    minimum: float | None = None
    maximum: float | None = None


class Link(BaseModel):
    indicator: str = Field(max_length=100)


def saved_view(s: SavedValue) -> dict[str, Any]:
    return {
        **jsonable(s.value),
        "outlier": s.outlier,
        "changed": s.changed,
        "bounds": jsonable(s.bounds),
        "concerns": [c.message_zh for c in s.concerns],
    }


@router.get("/indicators", summary="The indicator catalogue")
def indicators(uow: UowDep, _: CurrentUser, fmt: Fmt = ListFormat.JSON) -> Any:
    return export(INDICATOR_COLUMNS, [jsonable(i) for i in list_indicators(uow)], fmt, "指标目录")


@router.post("/indicators/load", summary="Office: load (or refresh) the shipped indicator catalogue")
def indicators_load(uow: UowDep, user: Admin) -> dict[str, Any]:
    return jsonable(load_catalogue(uow, user))


@router.get("/values", summary="Current values (history=true: every version), filtered")
def values(
    uow: UowDep,
    _: CurrentUser,
    key: str | None = None,
    org_unit: str | None = None,
    period: str | None = None,
    history: bool = False,
    fmt: Fmt = ListFormat.JSON,
) -> Any:
    records = list_values(uow, key=key, org_unit=org_unit, period_id=period, history=history)
    return export(VALUE_COLUMNS, [{**jsonable(r.value), "outlier": r.outlier} for r in records], fmt, "指标数据")


@router.post(
    "/values",
    status_code=201,
    summary="Enter one value (a new version when it differs)",
    description="Refused (422): a period not yet ended (office time), a value its unit cannot take. "
    "Held (422 whose error lists `confirm`, the reasons) until sent again with confirm: true: "
    "a tenfold jump from the previous period, a value outside the expected or historical range.",
)
def value_enter(body: ValueBody, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return saved_view(
        enter_value(
            uow,
            user,
            body.key,
            body.org_unit,
            body.period,
            body.value,
            comment=body.comment,
            plan_ref=body.plan,
            confirm=body.confirm,
        )
    )


@router.post("/values/import", status_code=201, summary="Import a .csv or .xlsx sheet: every row or none")
async def values_import(
    app: AppDep, user: CurrentUser, file: UploadFile, plan: Annotated[str | None, Form()] = None
) -> dict[str, Any]:
    name = file.filename or "values.csv"
    check_extension(name, (".csv", ".xlsx"))
    data = await read_upload(file, MAX_VALUES_FILE)
    with saved_upload(data, name) as path:
        saved = import_values(app.uow(), user, path, plan_ref=plan)
    return {
        "saved": sum(s.changed for s in saved),
        "unchanged": sum(not s.changed for s in saved),
        "outliers": [saved_view(s) for s in saved if s.changed and s.outlier],
    }


@router.get("/values/validate", summary="Run the validation rules (e.g. 签约人数 ≤ 常住人口数) for a period")
def values_validate(period: str, uow: UowDep, _: CurrentUser, org_unit: str | None = None) -> list[Any]:
    return [jsonable(v) for v in run_validation(uow, period, org_unit)]


@router.put("/indicators/{key}/bounds", summary="Office: the min-max range outside which a value is flagged")
def bounds(key: str, body: Bounds, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return jsonable(set_bounds(uow, user, key, body.minimum, body.maximum))


@router.get("/plans/{plan}/links", summary="Links between the plan's targets and indicators")
def links(plan: str, uow: UowDep, _: CurrentUser, fmt: Fmt = ListFormat.JSON) -> Any:
    return export(LINK_COLUMNS, [jsonable(v) for v in list_links(uow, plan)], fmt, f"计划{plan}目标关联")


@router.post("/plans/{plan}/links/suggest", summary="Office: suggest an indicator for every target (unconfirmed)")
def links_suggest(plan: str, uow: UowDep, user: CurrentUser) -> list[Any]:
    return [jsonable(s) for s in suggest_links(uow, user, plan)]


@router.put("/plans/{plan}/links/{index}", summary="Office: confirm that target INDEX is measured by an indicator")
def link(plan: str, index: DbInt, body: Link, uow: UowDep, user: CurrentUser) -> dict[str, Any]:
    return jsonable(link_target(uow, user, plan, index, body.indicator))
