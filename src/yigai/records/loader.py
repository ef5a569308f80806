"""Loading record files (CSV, Parquet, XLSX) into the record store.

A file's table is named by its file name (``outpatient_visits-2023-01.parquet`` → outpatient_visits,
period 202301) or given. Files are loaded snapshots first (towns, residents, institutions, staff,
contracts), then events, so that references resolve against what the same load brings, and all of
a command's files commit in one transaction.

Semantics: a snapshot file replaces the stored records with the same key (upsert); an event file
replaces exactly the months it covers, or the whole period given (``--period``, or a period in the
file name), and nothing else. Bad records are reported (file, row, column) and set aside while the
rest load; with ``strict`` any error leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from yigai import clock, tabular
from yigai.domain.periods import Period, PeriodError, parse_period
from yigai.records.schema import Table, TableKind, record_tables, table
from yigai.records.store import LoadEntry, RecordStore, month_ranges
from yigai.records.validate import (
    LISTED_PER_CHECK,
    FileReport,
    Kind,
    RecordFileError,
    Scope,
    Severity,
    bad_row_sql,
    parsed_sql,
    present_sql,
    problem,
    quote,
    run_checks,
    sql_literal,
    table_checks,
)

SUFFIXES = (".csv", ".parquet", ".xlsx")
# A spreadsheet export of records (large tables come as CSV or Parquet): checked before it is unpacked.
XLSX_LIMITS = tabular.Limits(max_file_bytes=200 * 1024 * 1024, max_uncompressed_bytes=2 * 1024 * 1024 * 1024)
_SEPARATORS = "-_. "

Progress = Callable[[str, int, int], None]  # (what is being done, steps done, steps in all)
_STEPS_PER_FILE = 3  # read, check, save


@dataclass(frozen=True, slots=True)
class FileTarget:
    """A file and the table (and, for events, the period) it loads into."""

    path: Path
    table: str
    period: Period | None = None


@dataclass(slots=True)
class LoadResult:
    files: list[FileReport] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # files in a folder that name no table
    saved: bool = False
    strict: bool = False

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def set_aside(self) -> int:
        return sum(f.set_aside for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)


# --- which table, which period ----------------------------------------------------------------------


def table_for(path: Path) -> str | None:
    """The table a file name starts with (the longest match, followed by the end or a separator)."""
    stem = path.stem.lower()
    for name in sorted(record_tables(), key=len, reverse=True):
        if stem == name or (stem.startswith(name) and stem[len(name)] in _SEPARATORS):
            return name
    return None


def period_from_name(path: Path, name: str) -> Period | None:
    """A period written after the table name: ``-2023-01`` → 202301, ``_2023Q1``, ``_2023``; else None."""
    rest = path.stem[len(name) :].strip(_SEPARATORS)
    compact = re.sub(r"[-_. ]", "", rest).upper()
    if not compact:
        return None
    try:
        return parse_period(compact)
    except PeriodError:
        return None


def resolve(
    paths: Iterable[Path], table_name: str | None = None, period: str | None = None
) -> tuple[list[FileTarget], list[Path]]:
    """The files to load, in dependency order, and the files of a folder that name no table."""
    if table_name is not None and table_name not in record_tables():
        raise RecordFileError(
            f"no record table {table_name!r}; tables: {', '.join(record_tables())}",
            message_zh=f"没有记录表 {table_name}",
            where="--table",
        )
    given = parse_period(period) if period else None
    files: list[Path] = []
    skipped: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for child in sorted(p.iterdir()):
                if child.is_file() and child.suffix.lower() in SUFFIXES and (table_name or table_for(child)):
                    files.append(child)
                elif child.is_file():
                    skipped.append(child)
        elif p.is_file():
            if p.suffix.lower() not in SUFFIXES:
                raise RecordFileError(
                    f"{p.name}: not a .csv, .parquet or .xlsx file",
                    message_zh=f"{p.name}：不是 .csv、.parquet 或 .xlsx 文件",
                    where=str(p),
                )
            if not (table_name or table_for(p)):
                raise RecordFileError(
                    f"{p.name}: the file name does not start with a table name ({', '.join(record_tables())}); "
                    "rename it or give --table",
                    message_zh=f"{p.name}：文件名不以表名开头；请改名或使用 --table",
                    where=str(p),
                )
            files.append(p)
        else:
            raise RecordFileError(f"no such file or folder: {p}", message_zh=f"文件或目录不存在：{p}", where=str(p))
    order = list(record_tables())
    targets: list[FileTarget] = []
    for f in files:
        name = table_name or table_for(f)
        assert name is not None
        per = given or period_from_name(f, name) if table(name).kind is TableKind.EVENTS else None
        targets.append(FileTarget(f, name, per))
    # Snapshots first (schema order: referenced tables come first), then events; stable, so the files of
    # one table keep their name order.
    targets.sort(key=lambda t: (table(t.table).kind is TableKind.EVENTS, order.index(t.table)))
    return targets, skipped


# --- reading a file into a staged relation ------------------------------------------------------------


def sha256_of(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _unique(names: Sequence[str]) -> list[str]:
    """Header names made unique: a blank one ``column3``, a repeated one ``name (2)`` (an unknown column)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, raw in enumerate(names):
        n = raw or f"column{i + 1}"
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def _xlsx_arrow(path: Path) -> pa.Table:
    """The workbook's first sheet as text columns (as a CSV export would hold them) and ``_row``."""
    sheet = tabular.read_table(path, limits=XLSX_LIMITS, suffixes=tabular.XLSX_SUFFIXES)
    names = _unique(sheet.header)
    columns = [
        [None if r.cells[i] is None else tabular.cell_text(r.cells[i]) for r in sheet.rows] for i in range(len(names))
    ]
    return pa.table(
        {
            "_row": pa.array([r.number for r in sheet.rows], pa.int64()),
            **{n: pa.array(c, pa.string()) for n, c in zip(names, columns, strict=True)},
        }
    )


def stage(conn: duckdb.DuckDBPyConnection, path: Path, workdir: Path, name: str) -> dict[str, str]:
    """Make the relation ``name`` (``_row`` and the file's columns) for a file; returns its columns and types.

    Done before the load's transaction: a file DuckDB cannot read would otherwise abort it.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            conn.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT file_row_number + 1 AS _row, * "
                f"EXCLUDE (file_row_number) FROM read_parquet({_path_lit(path)}, file_row_number = true)"
            )
            conn.execute(f"SELECT count(*) FROM {name}").fetchone()  # the footer is read: a damaged file fails here
        elif suffix == ".xlsx":
            conn.register("_xlsx", _xlsx_arrow(path))
            conn.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _xlsx")
            conn.unregister("_xlsx")
        else:
            source, fmt = tabular.utf8_csv(path, workdir)
            names, delimiter = _unique(tabular.csv_header(source, fmt)), fmt.delimiter
            columns = "{" + ", ".join(f"{sql_literal(n)}: 'VARCHAR'" for n in names) + "}"
            # The header is read here, not sniffed: a ragged row is an error, not a reason to guess again.
            conn.execute(
                f"CREATE OR REPLACE TEMP TABLE {name}_csv AS SELECT * FROM read_csv("
                f"{_path_lit(source)}, header = false, skip = 1, delim = {sql_literal(delimiter)}, quote = '\"', "
                f"escape = '\"', columns = {columns}, auto_detect = false)"
            )
            # The staged table keeps the file's order in its row ids, which are contiguous: the first is the
            # line after the header (row 2).
            first = conn.execute(f"SELECT coalesce(min(rowid), 0) FROM {name}_csv").fetchone()
            offset = 2 - (int(first[0]) if first else 0)
            conn.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT rowid + ({offset}) AS _row, * FROM {name}_csv")
        described = conn.execute(f"DESCRIBE SELECT * FROM {name}").fetchall()
    except duckdb.Error as exc:
        unstage(conn, name)
        raise RecordFileError(_short(exc), message_zh=f"{path.name}：无法读取文件", where=str(path)) from None
    except tabular.TableFileError as exc:
        unstage(conn, name)
        raise RecordFileError(str(exc), message_zh=exc.message_zh, where=exc.where) from None
    return {str(r[0]): str(r[1]) for r in described if r[0] != "_row"}


def _short(exc: duckdb.Error) -> str:
    """DuckDB's message without its list of reader options: "CSV Error on Line: 3 / Original Line: …"."""
    lines = []
    for line in str(exc).splitlines():
        if not line.strip() or line.startswith("Possible fixes"):
            break
        lines.append(line.strip())
    return re.sub(r"^[A-Za-z ]+ Error: ", "", " / ".join(lines))


def _error_line(message: str) -> int:
    """The file line an error names (``on Line: 3``), else 1: the header."""
    m = re.search(r"on Line: (\d+)", message)
    return int(m.group(1)) if m else 1


def _path_lit(path: Path) -> str:
    return sql_literal(str(path))


def _drop(conn: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Drop temporary views or tables by name (a wrong-kind DROP would abort the open transaction)."""
    for n in names:
        bare = n.strip('"')
        kinds = conn.execute(
            "SELECT 'VIEW' FROM duckdb_views() WHERE temporary AND view_name = $n UNION ALL "
            "SELECT 'TABLE' FROM duckdb_tables() WHERE temporary AND table_name = $n",
            {"n": bare},
        ).fetchall()
        for (kind,) in kinds:
            conn.execute(f"DROP {kind} {quote(bare)}")


def unstage(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    _drop(conn, name, f"{name}_csv")


# --- loading ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _CommandState:
    """What earlier files of the same command did: months replaced, snapshot keys written."""

    replaced_months: dict[str, set[dt.date]] = field(default_factory=dict)
    snapshot_keys: set[str] = field(default_factory=set)  # tables with a _keys_<table> temp table


def load_records(
    store: RecordStore,
    paths: Sequence[Path],
    *,
    table_name: str | None = None,
    period: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    listed_per_check: int = LISTED_PER_CHECK,
) -> LoadResult:
    """Validate and load files in one transaction; see the module docstring for the semantics."""
    targets, skipped = resolve(paths, table_name, period)
    result = LoadResult(skipped=skipped, strict=strict)
    total = len(targets) * _STEPS_PER_FILE
    tick = progress or (lambda _what, _done, _total: None)
    conn = store.conn
    state = _CommandState()
    now = clock.now().replace(tzinfo=None)  # office time (Beijing), as every time shown to people
    staged: list[tuple[FileTarget, FileReport, dict[str, str] | None]] = []
    with tempfile.TemporaryDirectory(prefix="yigai-records-") as tmp:
        try:
            for i, target in enumerate(targets):
                report = FileReport(file=target.path.name, table=target.table)
                result.files.append(report)
                tick(f"{target.path.name}: reading", i * _STEPS_PER_FILE, total)
                report.sha256 = sha256_of(target.path)
                try:
                    staged.append((target, report, stage(conn, target.path, Path(tmp), f"_src{i}")))
                except RecordFileError as exc:
                    report.add(
                        problem(
                            report.file,
                            _error_line(str(exc)),
                            "",
                            Kind.UNREADABLE,
                            detail=str(exc),
                            detail_zh=exc.message_zh,
                        )
                    )
                    staged.append((target, report, None))
            _load_staged(store, staged, state, now, listed_per_check, lambda what, k: tick(what, k, total))
            if strict and result.errors:
                conn.execute("ROLLBACK")
                for report in result.files:
                    report.loaded = 0
                return result
            conn.execute("COMMIT")
        finally:
            for i in range(len(staged)):
                unstage(conn, f"_src{i}")
    tick("done", total, total)
    result.saved = True
    return result


def _load_staged(
    store: RecordStore,
    staged: Sequence[tuple[FileTarget, FileReport, dict[str, str] | None]],
    state: _CommandState,
    now: dt.datetime,
    listed_per_check: int,
    tick: Callable[[str, int], None],
) -> None:
    """Check and save every staged file in one transaction, left open for the caller to end."""
    conn = store.conn
    load_id = store.next_load_id()
    conn.execute("BEGIN TRANSACTION")
    try:
        for i, (target, report, columns) in enumerate(staged):
            if columns is None:
                continue
            step = i * _STEPS_PER_FILE

            def file_tick(what: str, k: int, _t: int, s: int = step, f: str = target.path.name) -> None:
                tick(f"{f}: {what}", s + k)

            entry = _load_file(store, target, report, columns, f"_src{i}", state, listed_per_check, file_tick)
            _drop(conn, "_checked", "_bad", "_stored", "_dups", "_typed")
            if entry is not None:
                store.record_load(LoadEntry(load_id + i, *entry, loaded_at=now))
        for name in state.snapshot_keys:
            _drop(conn, quote("_keys_" + name))
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _load_file(
    store: RecordStore,
    target: FileTarget,
    report: FileReport,
    columns: dict[str, str],
    source: str,
    state: _CommandState,
    listed_per_check: int,
    tick: Progress,
) -> tuple[str, str, dt.date | None, dt.date | None, str, str, int, int] | None:
    """Check and save one staged file; returns the ``loads`` entry fields (after load_id), or None."""
    conn = store.conn
    tbl = table(target.table)
    by_name = {c.strip().lower(): c for c in columns}
    for extra in sorted(set(by_name) - set(tbl.names)):
        report.add(problem(report.file, 1, by_name[extra], Kind.UNKNOWN_COLUMN, severity=Severity.WARNING))
    missing = [c for c in tbl.columns if c.name not in by_name]
    for c in missing:
        kind = Kind.MISSING_COLUMN if c.required else Kind.MISSING_OPTIONAL_COLUMN
        report.add(problem(report.file, 1, c.name, kind, severity=Severity.ERROR if c.required else Severity.WARNING))
    if any(c.required for c in missing):
        row = conn.execute(f"SELECT count(*) FROM {source}").fetchone()
        report.rows = report.set_aside = int(row[0]) if row else 0
        return None
    _typed_view(conn, tbl, by_name, columns, source, trim=target.path.suffix.lower() != ".parquet")
    tick("checking", 1, 0)
    scope, replaced, months = _replace_scope(conn, tbl, target, state)
    keys = ", ".join(quote(k) for k in tbl.key)
    conn.execute(
        f"CREATE TEMP TABLE _dups AS SELECT {keys}, min(_row) AS _dup_first FROM _typed "
        f"WHERE {' AND '.join(f'{quote(k)} IS NOT NULL' for k in tbl.key)} "
        f"GROUP BY {keys} HAVING count(*) > 1"
    )
    dup_row = conn.execute("SELECT count(*) FROM _dups").fetchone()
    has_dups = bool(dup_row and dup_row[0])
    if has_dups:
        conn.execute(f"CREATE TEMP VIEW _checked AS SELECT * FROM _typed LEFT JOIN _dups USING ({keys})")
    else:
        conn.execute("CREATE TEMP VIEW _checked AS SELECT * FROM _typed")
    earlier = (
        tbl.name
        if tbl.kind is TableKind.EVENTS
        else (quote("_keys_" + tbl.name) if tbl.name in state.snapshot_keys else None)
    )
    stored = None
    n_earlier = _count(conn, earlier) if earlier else 0
    if earlier and n_earlier:
        # The file's keys that are already stored, hashing the smaller side: a month's reload does not
        # hash a year of stored keys, nor a year's load a few stored ones.
        small, large = (earlier, "_typed") if n_earlier <= _count(conn, "_typed") else ("_typed", earlier)
        conn.execute(
            f"CREATE TEMP TABLE _stored AS SELECT DISTINCT {keys} FROM {large} "
            f"WHERE ({keys}) IN (SELECT {keys} FROM {small})"
        )
        stored = "_stored"
    scope = Scope(scope.period_start, scope.period_end, scope.period_id, has_dups, stored)
    references = {t: t for t in record_tables()}
    checks = table_checks(tbl, scope, references)
    failed = run_checks(conn, "_checked", checks, report, listed_per_check)
    names = ", ".join(quote(n) for n in tbl.names)
    tick("saving", 2, 0)
    bad = 0
    if failed:  # the bad rows' numbers, found once by the checks that failed, rather than every check again
        conn.execute(f"CREATE OR REPLACE TEMP TABLE _bad AS SELECT _row FROM _checked WHERE {bad_row_sql(failed)}")
        bad = _count(conn, "_bad")
        good = "SELECT * FROM _typed WHERE _row NOT IN (SELECT _row FROM _bad)"
    else:
        good = "SELECT * FROM _typed"
    if tbl.kind is TableKind.SNAPSHOT:
        conn.execute(f"CREATE OR REPLACE TEMP TABLE _good AS SELECT {names} FROM ({good})")
        conn.execute(f"DELETE FROM {tbl.name} WHERE ({keys}) IN (SELECT {keys} FROM _good)")
        conn.execute(f"INSERT INTO {tbl.name} ({names}) SELECT {names} FROM _good")
        key_table = quote("_keys_" + tbl.name)
        if tbl.name not in state.snapshot_keys:
            conn.execute(f"CREATE TEMP TABLE {key_table} AS SELECT {keys} FROM _good")
            state.snapshot_keys.add(tbl.name)
        else:
            conn.execute(f"INSERT INTO {key_table} SELECT {keys} FROM _good")
        key_text = " || '|' || ".join(f"CAST({quote(k)} AS VARCHAR)" for k in tbl.key)
        row = conn.execute(f"SELECT count(*), min({key_text}), max({key_text}) FROM _good").fetchone()
        conn.execute("DROP TABLE _good")
        n, low, high = (int(row[0]), row[1], row[2]) if row else (0, None, None)
        replaced = f"{n:,} keys" + (f" ({low} – {high})" if n else "")
    else:
        conn.execute(f"INSERT INTO {tbl.name} ({names}) SELECT {names} FROM ({good})")
    report.set_aside = bad
    report.loaded = report.rows - bad
    report.replaced = replaced
    start = min(months) if months else None
    end = _month_end(max(months)) if months else None
    return (tbl.name, replaced, start, end, report.file, report.sha256, report.loaded, bad)


def _count(conn: duckdb.DuckDBPyConnection, relation: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM {relation}").fetchone()
    return int(row[0]) if row else 0


def _typed_view(
    conn: duckdb.DuckDBPyConnection,
    tbl: Table,
    by_name: dict[str, str],
    types: dict[str, str],
    relation: str,
    trim: bool,
) -> None:
    """``_typed``: ``_row``, each column parsed, whether it held a value, and its text as given.

    ``trim``: text cells are trimmed (CSV, XLSX); Parquet text is taken as it is.
    """
    parts = ["_row"]
    for c in tbl.columns:
        source = by_name.get(c.name)
        if source is None:
            parts += [
                f"CAST(NULL AS {c.duckdb_type}) AS {quote(c.name)}",
                f"false AS {quote(c.name + '__present')}",
                f"CAST(NULL AS VARCHAR) AS {quote(c.name + '__raw')}",
            ]
            continue
        parts += [
            f"{parsed_sql(c, source, types[source], trim)} AS {quote(c.name)}",
            f"{present_sql(source, types[source], trim)} AS {quote(c.name + '__present')}",
            f"CAST({quote(source)} AS VARCHAR) AS {quote(c.name + '__raw')}",
        ]
    conn.execute(f"CREATE OR REPLACE TEMP VIEW _typed AS SELECT {', '.join(parts)} FROM {relation}")


def _month_end(month: dt.date) -> dt.date:
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out = [dt.date(start.year, start.month, 1)]
    while _month_end(out[-1]) < end:
        out.append(_month_end(out[-1]) + dt.timedelta(days=1))
    return out


def _replace_scope(
    conn: duckdb.DuckDBPyConnection, tbl: Table, target: FileTarget, state: _CommandState
) -> tuple[Scope, str, list[dt.date]]:
    """For an event file: delete the stored months it replaces (once per command); the check scope."""
    if tbl.kind is not TableKind.EVENTS or not tbl.period:
        return Scope(), "", []
    col = quote(tbl.period)
    if target.period is not None:
        per = target.period
        months = _months(per.start, per.end)
        scope = Scope(per.start.isoformat(), per.end.isoformat(), per.id)
        replaced = per.id
    else:
        rows = conn.execute(
            f"SELECT DISTINCT CAST(date_trunc('month', {col}) AS DATE) AS m FROM _typed "
            f"WHERE {col} IS NOT NULL ORDER BY m"
        ).fetchall()
        months = [r[0] for r in rows]
        scope = Scope()
        replaced = month_ranges([m.strftime("%Y%m") for m in months]) or "nothing"
    done = state.replaced_months.setdefault(tbl.name, set())
    fresh = [m for m in months if m not in done]
    if fresh:
        listed = ", ".join(f"DATE '{m.isoformat()}'" for m in fresh)
        conn.execute(f"DELETE FROM {tbl.name} WHERE CAST(date_trunc('month', {col}) AS DATE) IN ({listed})")
        done.update(fresh)
    return scope, replaced, months
