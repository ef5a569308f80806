"""The record store: one DuckDB file next to the main database (``Settings.analytics_path``).

Tables are created from the shared schema (``Table.ddl``) without a PRIMARY KEY: an index over
fifteen million visits costs memory and minutes of load time, so key uniqueness is enforced when a
load is validated (``yigai.records.validate``) instead. Every load is recorded in ``loads``.

The indicator computation and the benchmark open the store read-only and query the tables by
their schema names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from yigai.domain.errors import NotFoundError, YigaiError
from yigai.records.schema import TableKind, record_tables, table

DEFAULT_MEMORY_LIMIT = "2GB"  # bounded memory; DuckDB spills to the temp folder beyond it

LOADS_DDL = """CREATE TABLE IF NOT EXISTS loads (
  load_id BIGINT NOT NULL,
  table_name VARCHAR NOT NULL,
  replaced VARCHAR NOT NULL,
  period_start DATE,
  period_end DATE,
  file_name VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  row_count BIGINT NOT NULL,
  set_aside BIGINT NOT NULL,
  loaded_at TIMESTAMP NOT NULL
)"""


class StoreBusyError(YigaiError):
    """Another process (a load, the web server) holds the record store."""

    message_zh = "记录库正被其他进程使用，请稍后再试"


@dataclass(frozen=True, slots=True)
class LoadEntry:
    """One file loaded into one table: what it replaced and how many rows it brought."""

    load_id: int
    table_name: str
    replaced: str
    period_start: dt.date | None
    period_end: dt.date | None
    file_name: str
    sha256: str
    row_count: int
    set_aside: int
    loaded_at: dt.datetime


def month_ranges(months: list[str]) -> str:
    """["202301", "202302", "202305"] → "202301–202302, 202305" (period ids of months, sorted)."""
    spans: list[list[str]] = []
    for m in months:
        y, mo = int(m[:4]), int(m[4:])
        if spans:
            py, pm = int(spans[-1][-1][:4]), int(spans[-1][-1][4:])
            if (y, mo) == (py + (pm == 12), pm % 12 + 1):
                spans[-1].append(m)
                continue
        spans.append([m])
    return ", ".join(s[0] if len(s) == 1 else f"{s[0]}–{s[-1]}" for s in spans)


class RecordStore:
    """A DuckDB connection onto the record tables, with the bookkeeping the loaders and status need."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.conn = conn
        self.path = path
        self.read_only = read_only

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create_tables(self) -> None:
        for t in record_tables().values():
            self.conn.execute(t.ddl(primary_key=False))
        self.conn.execute(LOADS_DDL)

    def counts(self) -> dict[str, int]:
        """Rows per record table, in schema order."""
        out: dict[str, int] = {}
        for name in record_tables():
            row = self.conn.execute(f"SELECT count(*) FROM {name}").fetchone()
            out[name] = int(row[0]) if row else 0
        return out

    def periods(self, name: str) -> list[str]:
        """The months (period ids such as ``202301``) an event table holds records for; [] for snapshots."""
        t = table(name)
        if t.kind is not TableKind.EVENTS or not t.period:
            return []
        rows = self.conn.execute(f"SELECT DISTINCT strftime({t.period}, '%Y%m') AS m FROM {name} ORDER BY m").fetchall()
        return [str(r[0]) for r in rows]

    def next_load_id(self) -> int:
        row = self.conn.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()
        return int(row[0]) if row else 1

    def record_load(self, entry: LoadEntry) -> None:
        self.conn.execute(
            "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                entry.load_id,
                entry.table_name,
                entry.replaced,
                entry.period_start,
                entry.period_end,
                entry.file_name,
                entry.sha256,
                entry.row_count,
                entry.set_aside,
                entry.loaded_at,
            ],
        )

    def loads(self, limit: int = 20) -> list[LoadEntry]:
        """The latest loads, newest first."""
        rows = self.conn.execute("SELECT * FROM loads ORDER BY load_id DESC LIMIT ?", [limit]).fetchall()
        return [LoadEntry(*r) for r in rows]


def open_store(path: Path, read_only: bool = False, *, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> RecordStore:
    """Open (and, unless read-only, create) the record store at ``path``.

    Read-only needs an existing store: ``yigai records load`` creates it.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise NotFoundError(
            f"no record store at {path}; load records first (yigai records load DIR)",
            message_zh=f"记录库不存在：{path}；请先载入记录（yigai records load 目录）",
            where=str(path),
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": memory_limit}
    if not read_only:
        config["temp_directory"] = str(path.with_name(path.name + ".tmp"))
    try:
        conn = duckdb.connect(str(path), read_only=read_only, config=config)
    except (duckdb.IOException, duckdb.ConnectionException) as exc:
        if "lock" not in str(exc).lower() and "different configuration" not in str(exc).lower():
            raise
        raise StoreBusyError(
            f"the record store {path} is in use by another process or connection; try again when it is done ({exc})",
            where=str(path),
        ) from None
    conn.execute("SET enable_progress_bar = false")  # the CLI draws its own
    store = RecordStore(conn, path, read_only)
    if not read_only:
        store.create_tables()
    return store
