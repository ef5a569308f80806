"""Indicator pages: the catalogue with what is known of each, and one indicator's series, targets and values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from yigai.domain.indicators import Direction, IndicatorDef, OutlierBounds
from yigai.domain.orgunits import OrgUnit, OrgUnitLevel
from yigai.domain.periods import parse_period
from yigai.domain.users import Role, User
from yigai.evaluation.results import TargetEvaluation
from yigai.reports.bulletin_data import target_text
from yigai.services.evaluate import evaluated
from yigai.services.indicators import get_indicator, list_indicators
from yigai.services.orgunits import list_orgunits
from yigai.services.plans import list_plans
from yigai.services.schedules import plan_schedules
from yigai.services.targets import confirmed_links
from yigai.services.values import values_for
from yigai.storage.indicator_repository import ValueRecord
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork
from yigai.web.viewmodels.charts import trend_chart
from yigai.web.viewmodels.common import today

DIRECTION_LABELS = {
    Direction.HIGHER_IS_BETTER: "越高越好",
    Direction.LOWER_IS_BETTER: "越低越好",
    Direction.NEUTRAL: "以达到目标值为宜",
}
MAX_PERIOD_COLUMNS = 8


@dataclass(slots=True)
class IndicatorRow:
    indicator: IndicatorDef
    units: int  # org units with a value
    latest_period: str
    linked_plans: int

    @property
    def direction(self) -> str:
        return DIRECTION_LABELS[self.indicator.direction]


def indicator_list(uow: UnitOfWork) -> list[IndicatorRow]:
    indicators = list_indicators(uow)
    values = values_for(uow, [i.code for i in indicators])
    links = [link for _, link in confirmed_links(uow)]
    units: dict[str, set[str]] = {}
    latest: dict[str, str] = {}
    for rec in values:
        v = rec.value
        units.setdefault(v.key, set()).add(v.org_unit)
        end = parse_period(v.period_id).end
        if v.key not in latest or end > parse_period(latest[v.key]).end:
            latest[v.key] = v.period_id
    plans: dict[str, set[int]] = {}
    for link in links:
        plans.setdefault(link.indicator_code, set()).add(link.plan_id)
    return [
        IndicatorRow(
            i,
            len(units.get(i.code, ())),
            parse_period(latest[i.code]).label if i.code in latest else "—",
            len(plans.get(i.code, ())),
        )
        for i in indicators
    ]


@dataclass(slots=True)
class LinkedTarget:
    plan: PlanSummary
    index: int
    metric: str
    text: str
    evaluation: TargetEvaluation | None
    chart_id: str
    chart: dict[str, Any] | None


@dataclass(slots=True)
class ValueTable:
    periods: list[str]  # ids, oldest first
    labels: list[str]
    rows: list[tuple[OrgUnit, list[ValueRecord | None]]]


@dataclass(slots=True)
class IndicatorPage:
    indicator: IndicatorDef
    bounds: OutlierBounds | None
    at: dt.date
    targets: list[LinkedTarget]
    table: ValueTable
    history: list[ValueRecord]  # every version, newest first (the last 50)
    entry_units: list[OrgUnit]  # where this user may enter values; empty: no entry form
    plans: list[PlanSummary]  # plans with a schedule, for "period within the plan's schedule"
    extra_chart: dict[str, Any] | None = None  # the series of the busiest org unit, when no target is linked
    units: dict[str, OrgUnit] = field(default_factory=dict)

    @property
    def direction(self) -> str:
        return DIRECTION_LABELS[self.indicator.direction]


def entry_units(user: User, units: list[OrgUnit]) -> list[OrgUnit]:
    """The org units a user may enter values for: all (office), its own and those below (institution)."""
    if user.role is Role.OFFICE_ADMIN:
        return units
    if user.role is not Role.INSTITUTION_REPORTER:
        return []
    by_code = {u.code: u for u in units}

    def in_scope(u: OrgUnit) -> bool:
        code: str | None = u.code
        seen: set[str] = set()
        while code and code not in seen:
            if code in user.org_units:
                return True
            seen.add(code)
            code = by_code[code].parent_code if code in by_code else None
        return False

    return [u for u in units if in_scope(u)]


def _table(records: list[ValueRecord], units: dict[str, OrgUnit]) -> ValueTable:
    ends = {r.value.period_id: parse_period(r.value.period_id).end for r in records}
    periods = sorted(ends, key=lambda p: (ends[p], -len(p)))[-MAX_PERIOD_COLUMNS:]
    cells: dict[str, dict[str, ValueRecord]] = {}
    for r in records:
        cells.setdefault(r.value.org_unit, {})[r.value.period_id] = r
    order = list(units)
    rows = [
        (units[c] if c in units else OrgUnit(c, c, OrgUnitLevel.INSTITUTION), [cells[c].get(p) for p in periods])
        for c in sorted(cells, key=lambda c: order.index(c) if c in order else len(order))
    ]
    return ValueTable(periods, [parse_period(p).label for p in periods], rows)


def _series_chart(ind: IndicatorDef, unit: OrgUnit, records: list[ValueRecord]) -> dict[str, Any]:
    points = sorted(((parse_period(r.value.period_id), r.value.value) for r in records), key=lambda p: p[0].end)
    return {
        "kind": "trend",
        "title": f"{ind.name}（{unit.name}）",
        "unit": ind.unit,
        "target": None,
        "targetHigh": None,
        "targetText": "",
        "due": None,
        "observed": [[p.end.isoformat(), v, p.label] for p, v in points],
        "path": [],
        "projection": [],
        "sentence": "",
    }


def indicator_page(uow: UnitOfWork, user: User, code: str, at: dt.date | None = None) -> IndicatorPage:
    day = at or today()
    ind, bounds = get_indicator(uow, code)
    current = values_for(uow, [code])
    history = values_for(uow, [code], history=True)
    summaries = list_plans(uow)
    schedules = plan_schedules(uow, [p.id for p in summaries])
    scheduled = [p for p in summaries if p.id in schedules]
    linked = [(p, link.target_index) for p, link in confirmed_links(uow, code)]
    all_units = list_orgunits(uow)
    units = {u.code: u for u in all_units}
    scheduled_ids = {p.id for p in scheduled}
    targets: list[LinkedTarget] = []
    cache: dict[int, Any] = {}
    for plan, index in linked:
        chart_id = f"chart-target-{plan.id}-{index}"
        if plan.id not in scheduled_ids:
            targets.append(LinkedTarget(plan, index, "", "", None, chart_id, None))
            continue
        if plan.id not in cache:
            cache[plan.id] = evaluated(uow, plan.id, day)
        inp, ev = cache[plan.id]
        t_in = next((t for t in inp.targets if t.index == index), None)
        t_ev = next((t for t in ev.targets if t.index == index), None)
        if t_in is None or t_ev is None:
            continue
        plan_end = max((p.end for p in inp.periods), default=None)
        draft_target = inp.draft.targets[index]
        targets.append(
            LinkedTarget(
                plan,
                index,
                t_in.metric,
                target_text(draft_target),
                t_ev,
                chart_id,
                trend_chart(t_in, t_ev, day, plan_end),
            )
        )
    extra = None
    if not any(t.chart for t in targets) and current:
        busiest = max(
            {r.value.org_unit for r in current}, key=lambda c: sum(1 for r in current if r.value.org_unit == c)
        )
        extra = _series_chart(
            ind,
            units.get(busiest) or OrgUnit(busiest, busiest, OrgUnitLevel.INSTITUTION),
            [r for r in current if r.value.org_unit == busiest],
        )
    return IndicatorPage(
        ind,
        bounds,
        day,
        targets,
        _table(current, units),
        sorted(history, key=lambda r: r.value.saved_at or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)[:50],
        entry_units(user, all_units),
        scheduled,
        extra,
        units,
    )
