"""``yigai explain``: how one number was made — the plain SQL for each measure behind it, run for
that org unit and period, with the record counts, next to the engine's own result for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

from yigai.analytics.catalogue import Indicator, Level, Measure, Rule, SourceKind
from yigai.analytics.dialect import execute
from yigai.analytics.engine import ComputationError, OrgStructure, Result, compare_period, compute
from yigai.analytics.queries import measure_sql
from yigai.domain.periods import Period, parse_period


@dataclass(frozen=True, slots=True)
class Term:
    """One measure of a numerator or denominator, for one period."""

    part: str  # numerator | denominator
    period_id: str
    measure: str
    meaning: str
    sql: str
    params: dict[str, object]
    value: float
    records: int


@dataclass(frozen=True, slots=True)
class Explanation:
    indicator: Indicator
    level: Level
    org_unit: str
    org_unit_name: str
    period_id: str
    terms: list[Term]
    result: Result  # what the engine computed for the same org unit and period


def find_level(org: OrgStructure, code: str) -> Level:
    """The level of an org-unit code in the record store (institution, town, district, institution type)."""
    for level, codes in (
        (Level.INSTITUTION, org.institutions),
        (Level.TOWN, org.towns),
        (Level.DISTRICT, org.town_district),
        (Level.INSTITUTION_TYPE, org.inst_type),
    ):
        if code in codes:
            return level
    raise ComputationError(
        f"no institution, town, district or institution type {code!r} in the record store",
        message_zh=f"记录库中没有机构、街道（乡镇）、区或机构类别 {code}",
        where="--orgunit",
    )


def _params(m: Measure, org_unit: str, p: Period) -> dict[str, object]:
    if m.source.kind is SourceKind.FLOW:
        return {"org_unit": org_unit, "start_date": p.start, "end_date": p.end}
    return {"org_unit": org_unit, "as_of": p.end}


def explain(con: object, ind: Indicator, org_unit: str, period_id: str, level: Level | None = None) -> Explanation:
    org = OrgStructure.read(con)
    lvl = level or find_level(org, org_unit)
    if lvl not in ind.levels:
        raise ComputationError(
            f"{ind.code} is not computed at the {lvl.value} level (levels: {', '.join(v.value for v in ind.levels)})",
            message_zh=f"{ind.code} 不按“{lvl.value}”层级计算",
            where="--orgunit",
        )
    p = parse_period(period_id)
    periods = [p] + ([compare_period(p, ind.compare)] if ind.compare else [])
    terms: list[Term] = []
    for q in periods:
        for part, measures in (("numerator", ind.numerator), ("denominator", ind.denominator)):
            for m in measures:
                sql = measure_sql(m, lvl)
                params = _params(m, org_unit, q)
                ((value, records),) = execute(con, sql, params)
                terms.append(Term(part, q.id, m.name, m.meaning, sql, params, float(value or 0), int(records or 0)))
    comp = compute(con, [ind], [p.id], [lvl])
    match = [r for r in comp.results if r.org_unit == org_unit]
    if not match:
        raise ComputationError(
            f"{ind.code} has no result for {org_unit} in {p.id}",
            message_zh=f"{ind.code} 在 {p.id} 没有 {org_unit} 的结果",
            where="--orgunit",
        )
    return Explanation(ind, lvl, org_unit, org.name(lvl, org_unit), p.id, terms, match[0])


def recomputed(e: Explanation) -> tuple[float, float | None, float | None]:
    """(numerator, denominator, value) from the explained statements alone, to set beside the engine's."""
    ind, p = e.indicator, e.period_id

    def total(part: str, period_id: str) -> float:
        return sum(t.value for t in e.terms if t.part == part and t.period_id == period_id)

    num = total("numerator", p)
    if ind.aggregation is Rule.SUM:
        return num, None, num * ind.factor
    den = total("denominator", p)
    if ind.aggregation is Rule.RATIO_OF_SUMS:
        return num, den, (num / den * ind.factor) if den else None
    assert ind.compare is not None  # a growth indicator names its comparison (the catalogue refuses one without)
    prev = compare_period(parse_period(p), ind.compare).id
    cur = num / den if ind.denominator and den else (num if not ind.denominator else None)
    pnum, pden = total("numerator", prev), total("denominator", prev)
    old = pnum / pden if ind.denominator and pden else (pnum if not ind.denominator else None)
    value = (cur / old - 1) * ind.factor if cur is not None and old else None
    return (cur or 0.0), old, value
