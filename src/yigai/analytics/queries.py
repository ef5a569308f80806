"""SQL the engine runs, built from the catalogue: one grouped scan per source (every measure of the
source fused into it), and the plain per-measure statements ``yigai explain`` shows and runs.
"""

from __future__ import annotations

import datetime as dt
import re

from yigai.analytics.catalogue import Level, Measure, Source, SourceKind

_AS_OF = re.compile(r"(?<![:\w]):as_of\b")
AS_OF_COLUMN = "d.as_of"


def month_key(day: str) -> str:
    """yyyymm as an integer: portable across DuckDB, PostgreSQL and Spark."""
    return f"EXTRACT(YEAR FROM {day}) * 100 + EXTRACT(MONTH FROM {day})"


def _on_as_of_column(sql: str) -> str:
    return _AS_OF.sub(AS_OF_COLUMN, sql)


def _aggregates(m: Measure, i: int, *, batched: bool) -> list[str]:
    cond = _on_as_of_column(m.where) if batched else m.where
    if m.distinct:
        col = f"CASE WHEN {cond} THEN {m.distinct} END" if cond else m.distinct
        expr = f"COUNT(DISTINCT {col})"
        return [f"{expr} AS v{i}", f"{expr} AS n{i}"]
    if cond:
        return [f"SUM(CASE WHEN {cond} THEN {m.value} ELSE 0 END) AS v{i}",
                f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS n{i}"]
    return [f"SUM({m.value}) AS v{i}", f"COUNT(*) AS n{i}"]


def _as_of_cte(dates: list[dt.date]) -> str:
    rows = " UNION ALL ".join(f"SELECT CAST('{d.isoformat()}' AS DATE) AS as_of" for d in dates)
    return f"WITH as_of_dates AS ({rows})"


def fused_sql(source: Source, measures: list[Measure], as_of_dates: list[dt.date] | None = None) -> str:
    """One grouped statement for all ``measures`` of ``source``.

    Flow: rows (unit, month yyyymm, v0, n0, v1, n1, …) for events between :start_date and :end_date.
    Stock: rows (unit, as_of, v0, n0, …) for every date of ``as_of_dates`` (a cross join, so the
    source is read once for all month ends).
    """
    aggs = ", ".join(a for i, m in enumerate(measures) for a in _aggregates(m, i, batched=True))
    if source.kind is SourceKind.FLOW:
        where = f"{source.day} >= :start_date AND {source.day} <= :end_date"
        if source.where:
            where += f" AND ({source.where})"
        mk = month_key(source.day)
        return (f"SELECT {source.unit} AS unit, {mk} AS month, {aggs} FROM {source.from_} "
                f"WHERE {where} GROUP BY {source.unit}, {mk}")
    if not as_of_dates:
        raise ValueError("a stock source needs as-of dates")
    where = f" WHERE {_on_as_of_column(source.where)}" if source.where else ""
    return (f"{_as_of_cte(as_of_dates)} SELECT {source.unit} AS unit, {AS_OF_COLUMN} AS as_of, {aggs} "
            f"FROM {source.from_} CROSS JOIN as_of_dates d{where} GROUP BY {source.unit}, {AS_OF_COLUMN}")


def unit_filter(source: Source, level: Level) -> str:
    """Condition keeping the records of one org unit (:org_unit) at ``level``."""
    if level is Level.INSTITUTION:
        return f"{source.unit} = :org_unit"
    if level is Level.INSTITUTION_TYPE:
        return f"{source.unit} IN (SELECT institution_id FROM institutions WHERE type = :org_unit)"
    if source.attribution.value == "town":
        if level is Level.TOWN:
            return f"{source.unit} = :org_unit"
        return f"{source.unit} IN (SELECT town_code FROM towns WHERE district_code = :org_unit)"
    if level is Level.TOWN:
        return f"{source.unit} IN (SELECT institution_id FROM institutions WHERE town_code = :org_unit)"
    return (f"{source.unit} IN (SELECT i2.institution_id FROM institutions i2 JOIN towns t2 "
            f"ON t2.town_code = i2.town_code WHERE t2.district_code = :org_unit)")


def measure_sql(m: Measure, level: Level) -> str:
    """A plain statement for one measure, one org unit, one period: value and record count.

    Parameters: :org_unit and, for a flow, :start_date and :end_date; for a stock, :as_of.
    """
    s = m.source
    conds = [unit_filter(s, level)]
    if s.kind is SourceKind.FLOW:
        conds.append(f"{s.day} >= :start_date AND {s.day} <= :end_date")
    if s.where:
        conds.append(f"({s.where})")
    if m.where:
        conds.append(f"({m.where})")
    if m.distinct:
        select = f"COUNT(DISTINCT {m.distinct}) AS value, COUNT(DISTINCT {m.distinct}) AS records"
    else:
        select = f"COALESCE(SUM({m.value}), 0) AS value, COUNT(*) AS records"
    return f"SELECT {select} FROM {s.from_} WHERE " + " AND ".join(conds)
