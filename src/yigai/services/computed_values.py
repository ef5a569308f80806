"""Computed values in the indicator store, and what they need there: indicators and org units.

The analytics and payment engines compute values from operational records; this module writes them
where entered values live, so targets, evaluation and ``values list`` see both alike:

* ``register_indicators`` adds the catalogue entries the store lacks (an existing indicator's
  definition is left as it is: the store's catalogue is the office's);
* ``sync_record_orgunits`` creates the record store's district, towns and institutions as org units
  (existing units are left as they are; one under another parent is a conflict and nothing is made);
* ``save_computed`` saves a run's values with ``source='computed'``, each with its numerator,
  denominator, definition version and inputs hash. Versioning is the entered values' one: a value
  whose (value, definition version, inputs hash) equals the current version changes nothing, any
  other becomes the next version of its key × org unit × period, so re-running a computation on the
  same records is harmless and a correction keeps the history. A run is all or nothing: an unknown
  indicator or org unit, a bad period or a non-finite number refuses the whole run.

A run of ~50,000 values is one query for the current versions, one executemany insert and one
audit entry, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import duckdb

from yigai import clock
from yigai.analytics.dialect import execute
from yigai.domain.indicators import DataValue, IndicatorDef, OutlierBounds, ValueSource
from yigai.domain.orgunits import InstitutionGrade, InstitutionType, OrgUnit, OrgUnitLevel
from yigai.domain.periods import PeriodError, parse_period
from yigai.records.schema import table
from yigai.services.concurrency import retrying
from yigai.services.errors import DuplicateError, InvalidInputError, UnknownIndicatorError, UnknownOrgUnitError
from yigai.storage.uow import UnitOfWork

INDICATOR_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")  # as the catalogue loader accepts
SHOWN = 5  # how many offending codes an error names before "… N more"
MAX_TEXT = 64  # definition_version and inputs_hash columns are String(64)

# Record-store codes (data/records/tables.yaml) → the org-unit vocabulary. 门诊部、诊所 and the
# professional public-health institutions (疾控、卫监 …) have no type of their own: they become
# 其他, and the record type's meaning is kept as a group so nothing is lost.
INSTITUTION_TYPES: dict[str, InstitutionType] = {
    "general_hospital": InstitutionType.GENERAL_HOSPITAL,
    "tcm_hospital": InstitutionType.TCM_HOSPITAL,
    "specialist_hospital": InstitutionType.SPECIALTY_HOSPITAL,
    "maternal_child": InstitutionType.MATERNAL_CHILD,
    "chc": InstitutionType.COMMUNITY_HEALTH_CENTER,
    "chs_station": InstitutionType.COMMUNITY_HEALTH_STATION,
    "township_hc": InstitutionType.TOWNSHIP_HEALTH_CENTER,
    "village_clinic": InstitutionType.VILLAGE_CLINIC,
    "clinic": InstitutionType.OTHER,
    "public_health": InstitutionType.OTHER,
}
INSTITUTION_GRADES: dict[str, InstitutionGrade] = {
    "tertiary": InstitutionGrade.TERTIARY,
    "secondary": InstitutionGrade.SECONDARY,
    "primary": InstitutionGrade.PRIMARY,
    "unrated": InstitutionGrade.UNGRADED,
}


class OrgUnitConflictError(InvalidInputError):
    """A record-store unit exists in the store at another level or under another parent."""

    message_zh = "机构层级与已有机构冲突，未创建任何机构"


@dataclass(frozen=True, slots=True)
class ComputedValue:
    key: str  # indicator code in the indicator catalogue
    org_unit: str  # org-unit code
    period_id: str  # DHIS2-style: 2023, 2023Q1, 202301
    value: float
    numerator: float | None
    denominator: float | None
    definition_version: str  # e.g. "DRUG_SHARE@1"
    inputs_hash: str  # sha256 hex of the inputs the value was computed from
    comment: str = ""


@dataclass(frozen=True, slots=True)
class SaveComputedResult:
    created: int  # new versions saved
    unchanged: int  # same value, definition version and inputs hash as the current version
    keys: list[str]  # every indicator of the run, sorted
    changed_keys: list[str] = field(default_factory=list)  # indicators that got a new version
    outliers: int = 0  # new versions outside their indicator's min-max bounds


_T = TypeVar("_T")


def _few(codes: Sequence[_T]) -> str:
    """``A, B, C … 4 more``: the first few offending codes of a refused call."""
    shown = ", ".join(str(c) for c in codes[:SHOWN])
    return shown + (f" … {len(codes) - SHOWN} more" if len(codes) > SHOWN else "")


def _unique(items: Iterable[_T]) -> list[_T]:
    return list(dict.fromkeys(items))


# -- indicators


def register_indicators(
    uow: UnitOfWork, author: str, defs: Iterable[IndicatorDef], *, now: dt.datetime | None = None
) -> int:
    """Add the indicators the store lacks; an existing code keeps its stored definition.

    Returns how many were added. Refuses (adding nothing) a code that is not ``A-Z0-9_`` or that
    appears twice in ``defs``.
    """
    items = list(defs)
    bad = _unique(d.code for d in items if not INDICATOR_CODE.match(d.code))
    if bad:
        raise InvalidInputError(
            f"invalid indicator code(s) (A-Z, 0-9, _): {_few(bad)}",
            message_zh=f"指标编码无效：{_few(bad)}",
            where="code",
        )
    codes = [d.code for d in items]
    twice = _unique(c for i, c in enumerate(codes) if c in codes[:i])
    if twice:
        raise DuplicateError(
            f"indicator code(s) given twice: {_few(twice)}", message_zh=f"指标编码重复：{_few(twice)}", where="code"
        )
    at = now or clock.now()

    def attempt() -> int:
        with uow:
            stored = {d.code for d in uow.indicators.all()}
            missing = [d for d in items if d.code not in stored]
            if missing:
                created, _ = uow.indicators.upsert(missing, at=at)
                uow.audit.record(
                    author,
                    "indicators.register",
                    "indicator",
                    _few([d.code for d in missing])[:255],
                    at=at,
                    after={"created": created, "codes": [d.code for d in missing]},
                )
                uow.commit()
        return len(missing)

    return retrying(attempt)


# -- org units from the record store


def _fetch(con: Any, name: str, columns: Sequence[str], order: str) -> list[tuple]:
    schema = table(name)
    for c in columns:
        schema.column(c)  # KeyError here is a programming error: the contract changed
    try:
        return execute(con, f"SELECT {', '.join(columns)} FROM {name} ORDER BY {order}")
    except duckdb.Error as exc:
        raise InvalidInputError(
            f"cannot read the record table {name}: {exc}",
            message_zh=f"无法读取记录表 {name}（{schema.meaning}）",
            where=name,
        ) from exc


def _institution(row: tuple, errors: list[str]) -> OrgUnit | None:
    """An ``institutions`` record as an org unit under its town; bad codes are added to ``errors``."""
    code, name, type_code, level_code, ownership, town_code = row
    schema = table("institutions")
    itype, grade = INSTITUTION_TYPES.get(type_code), INSTITUTION_GRADES.get(level_code)
    owner = schema.column("ownership").values.get(ownership)
    if itype is None:
        errors.append(f"{code}: type {type_code!r}")
    if grade is None:
        errors.append(f"{code}: level {level_code!r}")
    if owner is None:
        errors.append(f"{code}: ownership {ownership!r}")
    if itype is None or grade is None or owner is None:
        return None
    groups = [owner]
    if itype is InstitutionType.OTHER:
        groups.append(schema.column("type").values[type_code])
    return OrgUnit(str(code), str(name), OrgUnitLevel.INSTITUTION, str(town_code), itype, grade, groups)


def record_orgunits(con: Any) -> list[OrgUnit]:
    """The record store's districts, towns and institutions as org units, parents first (``con``: any
    connection :func:`~yigai.analytics.dialect.execute` takes, the record lake on Spark included)."""
    towns = _fetch(
        con, "towns", ("town_code", "town_name", "district_code", "district_name"), "district_code, town_code"
    )
    institutions = _fetch(
        con,
        "institutions",
        ("institution_id", "name", "type", "level", "ownership", "town_code"),
        "town_code, institution_id",
    )
    districts: dict[str, OrgUnit] = {}
    units: list[OrgUnit] = []
    for _town_code, _town_name, district_code, district_name in towns:
        if district_code not in districts:
            districts[district_code] = OrgUnit(str(district_code), str(district_name), OrgUnitLevel.DISTRICT)
            units.append(districts[district_code])
    units += [OrgUnit(str(t), str(n), OrgUnitLevel.TOWN, str(d)) for t, n, d, _ in towns]
    errors: list[str] = []
    for row in institutions:
        unit = _institution(row, errors)
        if unit is not None:
            units.append(unit)
    if errors:
        raise InvalidInputError(
            f"institutions with codes tables.yaml does not know: {_few(errors)}",
            message_zh=f"机构类别、等级或经济类型编码无效：{_few(errors)}",
            where="institutions",
        )
    return units


def sync_record_orgunits(uow: UnitOfWork, author: str, con: Any) -> int:
    """Create the record store's district, towns and institutions that the org units lack.

    An existing unit is left as it is, unless it sits at another level or under another parent
    than the records say: then nothing is created and the error names the codes. Returns how many
    units were created.
    """
    units = record_orgunits(con)
    return retrying(lambda: _sync(uow, author, units))


def _sync(uow: UnitOfWork, author: str, units: list[OrgUnit]) -> int:
    with uow:
        stored = {u.code: u for u in uow.orgunits.all()}
        codes = {u.code for u in units}
        conflicts = []
        for u in units:
            old = stored.get(u.code)
            if old is None:
                if u.parent_code and u.parent_code not in codes and u.parent_code not in stored:
                    conflicts.append(
                        f"{u.code} (records: under {u.parent_code}, which is neither a town "
                        "of the records nor a stored org unit)"
                    )
                continue
            if old.level is not u.level or (u.level is not OrgUnitLevel.DISTRICT and old.parent_code != u.parent_code):
                conflicts.append(
                    f"{u.code} (records: {u.level.value} under {u.parent_code or '-'}; "
                    f"stored: {old.level.value} under {old.parent_code or '-'})"
                )
        if conflicts:
            raise OrgUnitConflictError(
                f"record-store units conflict with stored org units: {_few(conflicts)}",
                message_zh=f"记录库中的机构与已有机构的层级或上级不一致：{_few(conflicts)}",
                where="towns/institutions",
            )
        new = [u for u in units if u.code not in stored]
        if new:
            created, _ = uow.orgunits.upsert(new)
            uow.audit.record(
                author,
                "orgunits.sync",
                "org_unit",
                "records",
                after={"created": created, "codes": [u.code for u in new]},
            )
            uow.commit()
    return len(new)


# -- computed values


def _refuse_unknown(items: Sequence[ComputedValue], indicators: set[str], units: set[str]) -> None:
    keys = _unique(v.key for v in items if v.key not in indicators)
    if keys:
        raise UnknownIndicatorError(
            f"no indicator {_few(keys)} in the catalogue; register the indicators first; nothing was saved",
            message_zh=f"指标目录中没有 {_few(keys)}，未保存任何数据",
            where="key",
        )
    orgs = _unique(v.org_unit for v in items if v.org_unit not in units)
    if orgs:
        raise UnknownOrgUnitError(
            f"no org unit {_few(orgs)}; nothing was saved",
            message_zh=f"机构或地区 {_few(orgs)} 不存在，未保存任何数据",
            where="org_unit",
        )


def _finite(number: float | None) -> bool:
    """None or a finite real number (NumPy scalars included: engines hand those over)."""
    return number is None or (
        isinstance(number, numbers.Real) and not isinstance(number, bool) and math.isfinite(number)
    )


def _checked(items: Sequence[ComputedValue]) -> list[ComputedValue]:
    """Canonical period ids; refuses bad periods, non-finite numbers, over-long text and duplicates."""
    periods: dict[str, str] = {}
    bad_periods: list[str] = []
    for raw in _unique(v.period_id for v in items):
        try:
            periods[raw] = parse_period(raw).id
        except PeriodError:
            bad_periods.append(str(raw))
    if bad_periods:
        raise PeriodError(
            f"not period id(s): {_few(bad_periods)} (expected 2023, 2023S1, 2023Q4 or 202312)",
            message_zh=f"报告期格式错误：{_few(bad_periods)}",
            where="period_id",
        )
    bad = _unique(
        f"{v.key}/{v.org_unit}/{v.period_id}"
        for v in items
        if not (_finite(v.value) and v.value is not None and _finite(v.numerator) and _finite(v.denominator))
    )
    if bad:
        raise InvalidInputError(
            f"value, numerator or denominator is not a finite number: {_few(bad)}",
            message_zh=f"数值、分子或分母不是有效数值：{_few(bad)}",
            where="value",
        )
    long = _unique(
        f"{v.key}/{v.org_unit}/{v.period_id}"
        for v in items
        if not v.definition_version or len(v.definition_version) > MAX_TEXT or len(v.inputs_hash) > MAX_TEXT
    )
    if long:
        raise InvalidInputError(
            f"definition version must be 1-{MAX_TEXT} characters, inputs hash at most {MAX_TEXT}: {_few(long)}",
            message_zh=f"定义版本须为1-{MAX_TEXT}个字符，输入哈希不超过{MAX_TEXT}个字符：{_few(long)}",
            where="definition_version",
        )
    out = [v if periods[v.period_id] == v.period_id else replace(v, period_id=periods[v.period_id]) for v in items]
    seen: set[tuple[str, str, str]] = set()
    twice: list[str] = []
    for v in out:
        ident = (v.key, v.org_unit, v.period_id)
        if ident in seen:
            twice.append("/".join(ident))
        seen.add(ident)
    if twice:
        raise DuplicateError(
            f"the same indicator, org unit and period more than once: {_few(_unique(twice))}",
            message_zh=f"同一指标、机构、报告期出现多次：{_few(_unique(twice))}",
            where="key",
        )
    return out


def _is_outlier(value: float, bounds: OutlierBounds | None) -> bool:
    if bounds is None:
        return False
    return (bounds.minimum is not None and value < bounds.minimum) or (
        bounds.maximum is not None and value > bounds.maximum
    )


def save_computed(
    uow: UnitOfWork, author: str, values: Iterable[ComputedValue], *, now: dt.datetime | None = None
) -> SaveComputedResult:
    """Save a computation run: new versions for what changed, nothing for what did not; all or nothing."""
    items = _checked(list(values))
    at = now or clock.now()
    return retrying(lambda: _save(uow, author, items, at))


def _save(uow: UnitOfWork, author: str, items: list[ComputedValue], at: dt.datetime) -> SaveComputedResult:
    """One attempt: rerun whole when another writer took a version number first (``retrying``)."""
    keys = sorted({v.key for v in items})
    with uow:
        _refuse_unknown(items, {d.code for d in uow.indicators.all()}, {u.code for u in uow.orgunits.all()})
        current = uow.values.current_versions(keys, {v.period_id for v in items})
        bounds = uow.indicators.bounds_for(keys)
        new: list[tuple[DataValue, bool]] = []
        for v in items:
            now_stored = current.get((v.key, v.org_unit, v.period_id))
            if (
                now_stored is not None
                and now_stored.value == v.value
                and now_stored.definition_version == v.definition_version
                and now_stored.inputs_hash == v.inputs_hash
            ):
                continue
            value = float(v.value)
            new.append(
                (
                    DataValue(
                        v.key,
                        v.org_unit,
                        v.period_id,
                        value,
                        ValueSource.COMPUTED,
                        author,
                        1 if now_stored is None else now_stored.version + 1,
                        at,
                        v.comment,
                        numerator=None if v.numerator is None else float(v.numerator),
                        denominator=None if v.denominator is None else float(v.denominator),
                        definition_version=v.definition_version,
                        inputs_hash=v.inputs_hash,
                    ),
                    _is_outlier(value, bounds.get(v.key)),
                )
            )
        changed_keys = sorted({dv.key for dv, _ in new})
        outliers = sum(flag for _, flag in new)
        if new:
            uow.values.add_many(new)
            uow.audit.record(
                author,
                "value.compute",
                "data_value",
                _few(changed_keys)[:255],
                at=at,
                after={
                    "values": len(items),
                    "created": len(new),
                    "unchanged": len(items) - len(new),
                    "keys": changed_keys,
                    "outliers": outliers,
                    "definition_versions": sorted({dv.definition_version for dv, _ in new}),
                    "periods": sorted({dv.period_id for dv, _ in new}),
                },
            )
            uow.commit()
    return SaveComputedResult(len(new), len(items) - len(new), keys, changed_keys, outliers)
