"""Data values: enter one, import a CSV/XLSX sheet, list them; impossible values, jumps and outliers.

A value is keyed by (indicator or data element, org unit, period). Saving a
different value for the same key adds the next version (source and author
recorded); saving the same value again changes nothing, so re-importing a file
is harmless. A value is refused, and nothing is saved, when the indicator is
unknown, the period cannot be parsed, has not ended yet in office time (or, with
a plan, lies outside its schedule), the value is one its unit cannot take (a
share over 100 %, see ``domain/value_checks.py``), the org unit is unknown or
outside the user's scope. A suspicious value (a tenfold jump, outside the
office's range or its history's) is entered only when the person confirms it,
and is then flagged; an import saves and flags it, listing it. An import is all
or nothing: every bad row is listed with its row and column.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from yigai import clock
from yigai.domain.errors import YigaiError
from yigai.domain.indicators import DataValue, IndicatorDef, OutlierBounds, ValueSource
from yigai.domain.orgunits import OrgUnit
from yigai.domain.periods import Period, PeriodError, parse_period, span_label
from yigai.domain.users import ROLE_LABELS, Role, User
from yigai.domain.value_checks import HISTORY_WINDOW, Concern, Earlier, concerns, impossible
from yigai.services.concurrency import retrying
from yigai.services.errors import (
    ImportFileError,
    ImpossibleValueError,
    InvalidInputError,
    OutOfScopeError,
    PeriodNotEndedError,
    PeriodOutsideScheduleError,
    PermissionDeniedError,
    RowError,
    UnconfirmedValueError,
    UnknownOrgUnitError,
    invalid_input,
)
from yigai.services.indicators import key_index, resolve_key
from yigai.services.items import require_admin
from yigai.services.plans import find_plan
from yigai.services.schedules import require_schedule
from yigai.storage.indicator_repository import ValueRecord
from yigai.storage.report_repository import ReportingSchedule
from yigai.storage.uow import UnitOfWork
from yigai.tabular import Limits, TableFileError, read_table

COLUMNS = {
    "key": ("key", "indicator", "code", "指标", "指标编码", "数据元"),
    "org_unit": ("org_unit", "orgunit", "机构", "地区", "机构编码", "组织机构"),
    "period": ("period", "报告期", "期间"),
    "value": ("value", "数值", "值"),
    "comment": ("comment", "备注", "说明"),
}
MAX_IMPORT_ROWS = 100_000
IMPORT_LIMITS = Limits(max_file_bytes=50 * 1024 * 1024, max_uncompressed_bytes=500 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class SavedValue:
    value: DataValue
    outlier: bool
    bounds: OutlierBounds | None
    changed: bool  # False: the same value was already current, nothing was saved
    concerns: tuple[Concern, ...] = ()  # why it looked wrong (confirmed on entry, flagged on import)


def parse_number(raw: object) -> float:
    """``85.3`` ``"85.3%"`` ``"１,234"`` → float; InvalidInputError otherwise."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = float(raw)
    else:
        text = unicodedata.normalize("NFKC", str(raw or "")).strip().replace(",", "").rstrip("%‰").strip()
        try:
            number = float(text)
        except ValueError:
            raise InvalidInputError(f"not a number: {raw!r}", message_zh=f"「{raw}」不是数值", where="value") from None
    if not math.isfinite(number):
        raise InvalidInputError(f"not a finite number: {raw!r}", message_zh=f"「{raw}」不是有效数值", where="value")
    return number


class _Lookups:
    """Catalogue and org units read once per call, not once per row."""

    def __init__(self, uow: UnitOfWork, user: User, schedule: ReportingSchedule | None, today: dt.date) -> None:
        self.user, self.schedule, self.today = user, schedule, today
        self.keys = key_index(uow)
        self.indicators = {i.code: i for i in uow.indicators.all()}
        units = uow.orgunits.all()
        self.units = {u.code: u for u in units}
        self.by_name: dict[str, list[OrgUnit]] = {}
        for u in units:
            self.by_name.setdefault(u.name, []).append(u)

    def ancestors(self, code: str) -> frozenset[str]:
        found: set[str] = set()
        parent = self.units[code].parent_code
        while parent and parent not in found:
            found.add(parent)
            parent = self.units[parent].parent_code if parent in self.units else None
        return frozenset(found)

    def org_unit(self, raw: str) -> str:
        text = raw.strip()
        unit = self.units.get(text)
        if unit is None and len(self.by_name.get(text, [])) == 1:
            unit = self.by_name[text][0]
        if unit is None:
            raise UnknownOrgUnitError(
                f"no org unit {raw!r}; `yigai orgunits list` shows them",
                message_zh=f"机构或地区「{raw}」不存在（用 yigai orgunits list 查看）",
                where="org_unit",
            )
        user = self.user
        if not user.can_enter_values_for(unit.code, self.ancestors(unit.code)):
            raise OutOfScopeError(
                f"{user.username} ({user.role.value}) may not enter values for {unit.code} {unit.name}",
                message_zh=f"用户 {user.username}（{ROLE_LABELS[user.role]}）无权填报「{unit.name}」的数据",
                where="org_unit",
            )
        return unit.code


def _period(raw: str, schedule: ReportingSchedule | None, today: dt.date) -> Period:
    try:
        period = parse_period(str(raw))
    except PeriodError as exc:
        exc.where = "period"
        raise
    if not period.ended_by(today):
        end = period.end
        raise PeriodNotEndedError(
            f"period {period.id} has not ended yet (it ends {end.isoformat()}); "
            f"a value can be entered from {(end + dt.timedelta(days=1)).isoformat()}",
            message_zh=f"报告期「{period.label}」尚未结束（{end.year}年{end.month}月{end.day}日结束），不能填报该期数值",
            where="period",
        )
    if schedule is not None and not schedule.spans(period.end):
        raise PeriodOutsideScheduleError(
            f"period {period.id} is outside the plan's reporting span {schedule.first}–{schedule.last}",
            message_zh=f"报告期「{period.label}」不在计划的报送期（{span_label(schedule.first, schedule.last)}）内",
            where="period",
        )
    return period


def _possible(ind: IndicatorDef | None, value: float) -> float:
    problem = None if ind is None else impossible(ind, value)
    if problem is not None:
        raise ImpossibleValueError(problem[0], message_zh=problem[1], where="value")
    return value


@dataclass(frozen=True, slots=True)
class _Checked:
    key: str
    org_unit: str
    period: Period
    value: float
    comment: str
    signed: bool  # the indicator may be negative: no jump check

    @property
    def period_id(self) -> str:
        return self.period.id


def _check(look: _Lookups, key: str, org_unit: str, period: str, value: object, comment: str) -> _Checked:
    code = look.keys.resolve(key)
    ind = look.indicators.get(code)
    return _Checked(
        code,
        look.org_unit(org_unit),
        _period(period, look.schedule, look.today),
        _possible(ind, parse_number(value)),
        str(comment or "").strip(),
        ind is not None and ind.signed,
    )


Series = dict[str, float]  # period id → current value, for one key and org unit


def _series(uow: UnitOfWork, key: str, org_unit: str) -> Series:
    return {r.value.period_id: r.value.value for r in uow.values.query(keys=[key], org_units=[org_unit])}


@lru_cache(maxsize=65536)
def _stored_period(period_id: str) -> Period:
    """A stored period id, parsed once: an imported series compares each value with all before it."""
    return parse_period(period_id)


class _History:
    """One series' values by period type, in period order, so that the earlier values of a period
    are found by bisection: a file of thousands of values is checked in one pass, not one per value."""

    def __init__(self, series: Series) -> None:
        by_type: dict[object, list[tuple[Period, float]]] = {}
        for pid, v in series.items():
            p = _stored_period(pid)
            by_type.setdefault(p.type, []).append((p, v))
        self.items = {t: sorted(values) for t, values in by_type.items()}
        self.starts = {t: [p.start for p, _ in values] for t, values in self.items.items()}

    def before(self, period: Period) -> list[Earlier]:
        """The latest ``HISTORY_WINDOW`` values of earlier periods of the same type, oldest first."""
        items = self.items.get(period.type, [])
        k = bisect.bisect_left(self.starts.get(period.type, []), period.start)
        return [Earlier(p.label, v) for p, v in items[max(0, k - HISTORY_WINDOW) : k]]


def _save(
    uow: UnitOfWork, user: User, c: _Checked, source: ValueSource, at: dt.datetime, *, history: _History, confirm: bool
) -> SavedValue:
    """Save ``c`` as the next version; a suspicious value raises UnconfirmedValueError unless ``confirm``."""
    latest = uow.values.latest(c.key, c.org_unit, c.period_id)
    bounds = uow.indicators.bounds(c.key)
    if latest is not None and latest.value.value == c.value and latest.value.comment == c.comment:
        return SavedValue(latest.value, latest.outlier, bounds, changed=False)
    found = tuple(concerns(c.value, history.before(c.period), bounds, signed=c.signed))
    if found and not confirm:
        raise UnconfirmedValueError(
            f"{c.key} {c.org_unit} {c.period_id} = {c.value:g} looks wrong: "
            + "; ".join(x.message for x in found)
            + "; nothing was saved — confirm it to save it "
            '(--confirm on the command line, "confirm": true in the API)',
            message_zh=f"{c.period.label}数值 {c.value:g} 可疑："
            + "；".join(x.message_zh for x in found)
            + "。未保存；核实无误后请确认保存（命令行加 --confirm）",
            reasons=[x.message_zh for x in found],
            where="value",
        )
    value = DataValue(
        c.key,
        c.org_unit,
        c.period_id,
        c.value,
        source,
        user.username,
        (latest.value.version + 1) if latest else 1,
        at,
        c.comment,
    )
    uow.values.add(value, outlier=bool(found))
    return SavedValue(value, bool(found), bounds, changed=True, concerns=found)


def _schedule(uow: UnitOfWork, plan_ref: str | int | None) -> ReportingSchedule | None:
    return None if plan_ref is None else require_schedule(uow, find_plan(uow, plan_ref).id)


def _today(at: dt.datetime) -> dt.date:
    """The office's calendar day at ``at`` (a naive time is taken as office time)."""
    return (clock.aware(clock.to_utc(at)) or at).date()


def enter_value(
    uow: UnitOfWork,
    user: User,
    key: str,
    org_unit: str,
    period_id: str,
    value: object,
    *,
    comment: str = "",
    plan_ref: str | int | None = None,
    confirm: bool = False,
    now: dt.datetime | None = None,
) -> SavedValue:
    """Enter one value; with ``plan_ref`` the period must fall within that plan's schedule.

    A suspicious value (see ``domain/value_checks.py``) is saved, and flagged, only with ``confirm``;
    an impossible one or one for a period not yet ended never is.
    """
    at = now or clock.now()

    def attempt() -> SavedValue:
        with uow:
            checked = _check(
                _Lookups(uow, user, _schedule(uow, plan_ref), _today(at)), key, org_unit, period_id, value, comment
            )
            saved = _save(
                uow,
                user,
                checked,
                ValueSource.ENTERED,
                at,
                history=_History(_series(uow, checked.key, checked.org_unit)),
                confirm=confirm,
            )
            if saved.changed:
                after: object = saved.value
                if saved.concerns:
                    after = {"value": saved.value, "confirmed": [x.message_zh for x in saved.concerns]}
                uow.audit.record(
                    user.username,
                    "value.enter",
                    "data_value",
                    f"{checked.key}/{checked.org_unit}/{checked.period_id}",
                    after=after,
                    at=at,
                )
                uow.commit()
        return saved

    return retrying(attempt)


def _header(cells: Sequence[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = str(cell or "").strip().lower()
        for field, names in COLUMNS.items():
            if name in names and field not in found:
                found[field] = index
    return found


def import_values(
    uow: UnitOfWork, user: User, path: Path, *, plan_ref: str | int | None = None, now: dt.datetime | None = None
) -> list[SavedValue]:
    """Import every row of a sheet, or none: columns key, org_unit, period, value[, comment]."""
    if not (user.can_review or user.role is Role.INSTITUTION_REPORTER):
        raise PermissionDeniedError(
            f"{user.username} ({user.role.value}) may not import values",
            message_zh=f"用户 {user.username}（{ROLE_LABELS[user.role]}）无权导入指标数据",
            where="user",
        )
    try:
        sheet = read_table(path, limits=IMPORT_LIMITS)
    except TableFileError as exc:
        raise invalid_input(exc) from None
    if not sheet.header:
        raise ImportFileError(path.name, [RowError(1, "-", "the file is empty", "文件为空")])
    header = _header(sheet.header)
    missing = [f for f in ("key", "org_unit", "period", "value") if f not in header]
    if missing:
        raise ImportFileError(
            path.name,
            [
                RowError(1, f, f"missing column {f} ({'/'.join(COLUMNS[f])})", f"缺少列 {'/'.join(COLUMNS[f])}")
                for f in missing
            ],
        )
    if len(sheet.rows) > MAX_IMPORT_ROWS:
        raise ImportFileError(
            path.name, [RowError(1, "-", f"more than {MAX_IMPORT_ROWS} rows", f"超过 {MAX_IMPORT_ROWS} 行")]
        )
    at = now or clock.now()
    errors: list[RowError] = []
    checked: list[_Checked] = []
    seen: dict[tuple[str, str, str], int] = {}
    with uow:
        look = _Lookups(uow, user, _schedule(uow, plan_ref), _today(at))
        for number, row in ((r.number, r.cells) for r in sheet.rows):

            def cell(field: str, row: tuple[object, ...] = row) -> object:
                i = header.get(field)
                return row[i] if i is not None and i < len(row) else ""

            try:
                c = _check(
                    look,
                    str(cell("key")),
                    str(cell("org_unit")),
                    str(cell("period")),
                    cell("value"),
                    str(cell("comment") or ""),
                )
            except YigaiError as exc:
                errors.append(RowError(number, exc.where or "-", str(exc.args[0]), exc.message_zh))
                continue
            ident = (c.key, c.org_unit, c.period_id)
            if ident in seen:
                errors.append(
                    RowError(
                        number,
                        "key",
                        f"same key, org unit and period as row {seen[ident]}",
                        f"与第{seen[ident]}行的指标、机构、报告期相同",
                    )
                )
                continue
            seen[ident] = number
            checked.append(c)
        if errors:
            raise ImportFileError(path.name, errors)
        # Each row is compared with the stored values overlaid with the file's own: a series
        # imported in one file is checked period after period.
        series: dict[tuple[str, str], Series] = {}
        for c in checked:
            if (c.key, c.org_unit) not in series:
                series[(c.key, c.org_unit)] = _series(uow, c.key, c.org_unit)
            series[(c.key, c.org_unit)][c.period_id] = c.value
        histories = {ident: _History(values) for ident, values in series.items()}
        saved = [
            _save(uow, user, c, ValueSource.IMPORTED, at, history=histories[(c.key, c.org_unit)], confirm=True)
            for c in checked
        ]
        changed = [s for s in saved if s.changed]
        if changed:
            uow.audit.record(
                user.username,
                "value.import",
                "data_value",
                path.name,
                at=at,
                after={
                    "rows": len(checked),
                    "changed": len(changed),
                    "keys": sorted({s.value.key for s in changed}),
                    "outliers": sum(s.outlier for s in changed),
                },
            )
            uow.commit()
    return saved


def list_values(
    uow: UnitOfWork,
    *,
    key: str | None = None,
    org_unit: str | None = None,
    period_id: str | None = None,
    history: bool = False,
) -> list[ValueRecord]:
    """Current values (every version with ``history``), filtered by indicator, org unit, period."""
    with uow:
        keys = None if key is None else [resolve_key(uow, key)]
        return uow.values.query(
            keys=keys,
            org_units=None if org_unit is None else [org_unit],
            period_ids=None if period_id is None else [parse_period(period_id).id],
            all_versions=history,
        )


def set_bounds(
    uow: UnitOfWork,
    user: User,
    key: str,
    minimum: float | None,
    maximum: float | None,
    *,
    now: dt.datetime | None = None,
) -> OutlierBounds:
    """Set the min-max range outside which an entered value is flagged."""
    require_admin(user, "set outlier bounds", "设置异常值范围")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise InvalidInputError(
            f"minimum {minimum} is above maximum {maximum}", message_zh="下限大于上限", where="minimum"
        )
    with uow:
        code = resolve_key(uow, key)
        before = uow.indicators.bounds(code)
        bounds = OutlierBounds(code, minimum, maximum)
        uow.indicators.set_bounds(bounds)
        uow.audit.record(user.username, "bounds.set", "outlier_bounds", code, before=before, after=bounds, at=now)
        uow.commit()
    return bounds


def values_for(uow: UnitOfWork, codes: Sequence[str], *, history: bool = False) -> list[ValueRecord]:
    """The current values (every version with ``history``) of the given indicator codes, as stored."""
    with uow:
        return uow.values.query(keys=list(codes), all_versions=history)
