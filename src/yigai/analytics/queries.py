"""SQL the engine runs, built from the catalogue: one grouped scan per source (every measure of the
source fused into it), and the plain per-measure statements ``yigai explain`` shows and runs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from yigai.analytics.catalogue import Level, Measure, Source, SourceKind

_AS_OF = re.compile(r"(?<![:\w]):as_of\b")
AS_OF_COLUMN = "d.as_of"
# Summed values are made exact: each record's value becomes a whole number of SCALE-ths (ROUND, then
# BIGINT), the engine adds integers — exact on DuckDB, PostgreSQL and Spark in any order and on any
# number of threads or executors — and one division by SCALE per group turns the sum back into
# yuan (or beds, days …). So a partial sum, and the input hash made of it, cannot depend on the
# order in which a parallel engine adds the records. 1/10000 holds money in 分 and quantities exactly;
# integer sums, not DECIMAL, because Spark adds wide decimals in BigDecimal, several times slower.
SCALE = 10_000


def month_start(day: str) -> str:
    """The first day of the event's month (DATE_TRUNC renders for PostgreSQL and Spark)."""
    return f"DATE_TRUNC('MONTH', {day})"


def exact_sum(value: str, cond: str = "") -> str:
    """SUM of ``value`` (over the records meeting ``cond``), exact; ``1`` counts records."""
    if value.strip() == "1":
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)" if cond else "COUNT(*)"
    term = f"CAST(ROUND(({value}) * {SCALE}) AS BIGINT)"
    if cond:
        term = f"CASE WHEN {cond} THEN {term} ELSE 0 END"
    return f"SUM({term}) / {SCALE}.0"


def _on_as_of_column(sql: str) -> str:
    return _AS_OF.sub(AS_OF_COLUMN, sql)


def _as_of_cte(dates: list[dt.date]) -> str:
    rows = " UNION ALL ".join(f"SELECT CAST('{d.isoformat()}' AS DATE) AS as_of" for d in dates)
    return f"WITH as_of_dates AS ({rows})"


@dataclass(frozen=True, slots=True)
class Fused:
    """A fused statement and where each measure's value and record count are in its rows
    (column positions after the first two, unit and month or as-of date)."""

    sql: str
    layout: tuple[tuple[int, int], ...]


def fused(source: Source, measures: list[Measure], as_of_dates: list[dt.date] | None = None) -> Fused:
    """One grouped statement for all ``measures`` of ``source``.

    Flow: rows (unit, month start, a0, a1, …) for events between :start_date and :end_date.
    Stock: rows (unit, as_of, a0, …) for every date of ``as_of_dates``. A source that reads the
    dates itself gets them as a CTE (``as_of_dates``, exposed as ``d``); any other is read once per
    date with the date written in (UNION ALL), so that date arithmetic such as
    ``:as_of - INTERVAL '65' YEAR`` is folded to a constant instead of evaluated on every row of
    a cross join — half the time for the residents.
    Identical aggregates (every measure's COUNT(*), a count's record count) are computed once.
    """
    exprs: dict[str, int] = {}

    def col(expr: str) -> int:
        return exprs.setdefault(expr, len(exprs))

    layout = []
    for m in measures:
        cond = m.where
        layout.append((col(exact_sum(m.value, cond)), col(exact_sum("1", cond))))
    aggs = ", ".join(f"{e} AS a{i}" for e, i in exprs.items())
    if source.kind is SourceKind.FLOW:
        where = f"{source.day} >= :start_date AND {source.day} <= :end_date"
        if source.where:
            where += f" AND ({source.where})"
        mk = month_start(source.day)
        sql = (
            f"SELECT {source.unit} AS unit, {mk} AS month, {aggs} FROM {source.from_} "
            f"WHERE {where} GROUP BY {source.unit}, {mk}"
        )
        return Fused(sql, tuple(layout))
    if not as_of_dates:
        raise ValueError("a stock source needs as-of dates")
    where = f" WHERE {source.where}" if source.where else ""
    if reads_dates(source):
        sql = _on_as_of_column(
            f"{_as_of_cte(as_of_dates)} SELECT {source.unit} AS unit, {AS_OF_COLUMN} AS as_of, "
            f"{aggs} FROM {source.from_}{where} GROUP BY {source.unit}, {AS_OF_COLUMN}"
        )
        return Fused(sql, tuple(layout))
    branch = f"SELECT {source.unit} AS unit, :as_of AS as_of, {aggs} FROM {source.from_}{where} GROUP BY {source.unit}"
    sql = " UNION ALL ".join(_AS_OF.sub(f"CAST('{d.isoformat()}' AS DATE)", branch) for d in as_of_dates)
    return Fused(sql, tuple(layout))


def reads_dates(source: Source) -> bool:
    """Whether a stock source's FROM reads ``as_of_dates`` itself (and exposes them as ``d``)."""
    return re.search(r"\bas_of_dates\b", source.from_) is not None


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
    return (
        f"{source.unit} IN (SELECT i2.institution_id FROM institutions i2 JOIN towns t2 "
        f"ON t2.town_code = i2.town_code WHERE t2.district_code = :org_unit)"
    )


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
    cte = "WITH as_of_dates AS (SELECT CAST(:as_of AS DATE) AS as_of) " if reads_dates(s) else ""
    return (
        f"{cte}SELECT COALESCE({exact_sum(m.value)}, 0) AS value, COUNT(*) AS records FROM {s.from_} WHERE "
        + " AND ".join(conds)
    )
