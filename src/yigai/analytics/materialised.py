"""Materialised partials: the catalogue's grouped scans, run once when records are loaded and kept
in the record store, so that a computation reads some 100,000 small rows instead of scanning tens
of millions of records (and joining visits to contracts, residents to month ends) every time.

The record store stays the source of truth. The rows kept here are exactly what the engine's own
fused statement (:func:`yigai.analytics.queries.fused`) returns for a source — unit × month for a
flow, over every month the store holds; unit × month end for a stock, from January of the year
before the first event to the end of the last event's year — one row per measure, unit and day.
They carry a stamp of the load ledger (the last load and every record table's row count) and a
fingerprint of each measure's definition. The engine takes a measure's rows only while both still
match and every month end it needs is there; otherwise it scans, so a value and its input hash are
the same either way. ``yigai records load`` refreshes them after a load. Records change by loading
them: an ``UPDATE`` by hand that keeps every table's row count is not seen by the stamp (a checksum
of the records would cost the scan this module saves).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from yigai.analytics.catalogue import Catalogue, Measure, Source, SourceKind, load_catalogue, measures_by_source
from yigai.analytics.dialect import parameters
from yigai.analytics.queries import fused
from yigai.records.schema import TableKind, record_tables

PARTIALS = "catalogue_partials"  # measure_key, unit, day, value, records
MEASURES = "catalogue_partials_measures"  # measure_key, stamp, first_as_of, last_as_of (stocks)
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")  # as dialect.execute renders them for DuckDB
FLOW_SPAN = (dt.date(1, 1, 1), dt.date(9999, 12, 31))  # a flow's partials cover every month held

_DDL = (
    f"CREATE TABLE IF NOT EXISTS {PARTIALS} (measure_key VARCHAR NOT NULL, unit VARCHAR, day DATE NOT NULL, "
    "value DOUBLE NOT NULL, records BIGINT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {MEASURES} (measure_key VARCHAR NOT NULL, stamp VARCHAR NOT NULL, "
    "first_as_of DATE, last_as_of DATE)",
)


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What a refresh kept: measures, partial rows, and the month ends stocks were evaluated at."""

    measures: int
    rows: int
    as_of: tuple[dt.date, ...]


def measure_key(m: Measure) -> str:
    """A fingerprint of everything a measure's partials depend on: its source and its own SQL."""
    s = m.source
    text = "\x1f".join((s.kind.value, s.from_, s.unit, s.attribution.value, s.day, s.where, m.value, m.where))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def stamp(con: duckdb.DuckDBPyConnection) -> str:
    """The state of the records: the last load and each record table's row count (one statement)."""
    names = list(record_tables())
    counts = ", ".join(f"(SELECT count(*) FROM {name})" for name in names)
    row = con.execute(f"SELECT (SELECT coalesce(max(load_id), 0) FROM loads), {counts}").fetchone()
    assert row is not None
    return f"load {row[0]}; " + ", ".join(f"{name}={n}" for name, n in zip(names, row[1:], strict=True))


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month end from ``first``'s month to ``last``'s month."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        out.append(nxt - dt.timedelta(days=1))
        y, m = nxt.year, nxt.month
    return out


def _event_span(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date] | None:
    spans = [
        con.execute(f"SELECT min({t.period}), max({t.period}) FROM {t.name}").fetchone()
        for t in record_tables().values()
        if t.kind is TableKind.EVENTS and t.period
    ]
    firsts = [s[0] for s in spans if s and s[0] is not None]
    lasts = [s[1] for s in spans if s and s[1] is not None]
    return (min(firsts), max(lasts)) if firsts else None


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> None:
    used = {k: params[k] for k in parameters(sql)}
    rendered = _PARAM.sub(r"$\1", sql)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _fused AS {rendered}", used or None)


def refresh(con: duckdb.DuckDBPyConnection, catalogue: Catalogue | None = None) -> Refreshed:
    """Run every source's fused statement over the whole store and keep its rows (in one transaction)."""
    cat = catalogue or load_catalogue()
    span = _event_span(con)
    as_of = month_ends(dt.date(span[0].year - 1, 1, 1), dt.date(span[1].year, 12, 31)) if span else []
    con.execute("BEGIN TRANSACTION")
    try:
        for ddl in _DDL:
            con.execute(ddl)
        con.execute(f"DELETE FROM {PARTIALS}")
        con.execute(f"DELETE FROM {MEASURES}")
        current = stamp(con)
        seen: set[str] = set()
        for measures in measures_by_source(cat.indicators.values()).values():
            source = measures[0].source
            flow = source.kind is SourceKind.FLOW
            if not flow and not as_of:
                continue
            statement = fused(source, measures, None if flow else as_of)
            _run(con, statement.sql, {"start_date": FLOW_SPAN[0], "end_date": FLOW_SPAN[1]})
            keys = [measure_key(m) for m in measures]
            new = {key: pos for key, pos in zip(keys, statement.layout, strict=True) if key not in seen}
            seen.update(new)
            if not new:
                continue
            parts = " UNION ALL ".join(
                f"SELECT '{key}', CAST(unit AS VARCHAR), CAST({'month' if flow else 'as_of'} AS DATE), "
                f"CAST(coalesce(a{v}, 0) AS DOUBLE), CAST(coalesce(a{r}, 0) AS BIGINT) FROM _fused"
                for key, (v, r) in new.items()
            )
            con.execute(f"INSERT INTO {PARTIALS} {parts}")
            con.executemany(
                f"INSERT INTO {MEASURES} VALUES (?, ?, ?, ?)",
                [[key, current, None if flow else as_of[0], None if flow else as_of[-1]] for key in new],
            )
        con.execute("DROP TABLE IF EXISTS _fused")
        rows = con.execute(f"SELECT count(*) FROM {PARTIALS}").fetchone()[0]  # type: ignore[index]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return Refreshed(measures=len(seen), rows=int(rows), as_of=tuple(as_of))


@dataclass(frozen=True, slots=True)
class Kept:
    """Rows shaped as a fused statement's (unit, day, aggregates …), ``layout`` as in :class:`queries.Fused`."""

    sql: str
    layout: tuple[tuple[int, int], ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Reader:
    """The measures whose partials match the records now (key → first and last month end kept)."""

    con: duckdb.DuckDBPyConnection
    kept: dict[str, tuple[dt.date | None, dt.date | None]]

    def rows(
        self, source: Source, measures: Sequence[Measure], start: dt.date, end: dt.date, as_of: Sequence[dt.date]
    ) -> Kept | None:
        """The rows the fused statement for ``measures`` would return (each measure's value and record
        count per unit and day), read from the partials; None when one of them is not kept or a
        month end asked for is outside those kept."""
        keys = [measure_key(m) for m in measures]
        flow = source.kind is SourceKind.FLOW
        for key in keys:
            if key not in self.kept:
                return None
            first, last = self.kept[key]
            if not flow and any(first is None or last is None or not first <= d <= last for d in as_of):
                return None
        cols = ", ".join(
            f"sum(value) FILTER (WHERE measure_key = '{k}') AS v{i}, "
            f"sum(records) FILTER (WHERE measure_key = '{k}') AS r{i}"
            for i, k in enumerate(keys)
        )
        listed = ", ".join(f"'{k}'" for k in dict.fromkeys(keys))  # hex digests: safe to write in
        where = "day >= $start AND day <= $end" if flow else "list_contains($as_of, day)"
        sql = f"SELECT unit, day, {cols} FROM {PARTIALS} WHERE measure_key IN ({listed}) AND {where} GROUP BY unit, day"
        params: dict[str, Any] = {"start": start, "end": end} if flow else {"as_of": list(as_of)}
        layout = tuple((2 * i, 2 * i + 1) for i in range(len(keys)))
        return Kept(sql, layout, self.con.execute(sql, params).fetchall())


def reader(con: object) -> Reader | None:
    """A reader of the partials kept in the record store ``con``, if any are up to date with its records."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return None
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [MEASURES]
    ).fetchone()
    if not found or not found[0]:
        return None
    current = stamp(con)
    kept = {
        r[0]: (r[1], r[2])
        for r in con.execute(
            f"SELECT measure_key, first_as_of, last_as_of FROM {MEASURES} WHERE stamp = ?", [current]
        ).fetchall()
    }
    return Reader(con, kept) if kept else None
