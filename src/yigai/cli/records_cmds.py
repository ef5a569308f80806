"""``yigai records load`` and ``yigai records status``: operational records into the record store.

The store is the DuckDB file next to the main database (``<data dir>/records.duckdb``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from yigai.cli.common import FormatOpt, OutputFormat, info
from yigai.cli.edge import EXIT_BAD_INPUT, EdgeGroup, stderr, stdout
from yigai.cli.render import print_json
from yigai.records.schema import record_tables  # the table names, in the help text
from yigai.settings import Settings

if TYPE_CHECKING:  # the loader and the store bring DuckDB and Arrow: imported by the commands that use them
    from rich.table import Table

    from yigai.records.loader import LoadResult
    from yigai.records.store import LoadEntry
    from yigai.records.validate import FileReport

records_app = typer.Typer(
    cls=EdgeGroup,
    no_args_is_help=True,
    help=(
        "业务记录 operational records (residents, institutions, staff, visits, discharges, contracts, referrals, "
        "drug purchases) in the record store next to the database; see docs/records.md.\n\n"
        "Example: yigai records load ./records/2023 --period 2023 && yigai records status"
    ),
)


def _file_dict(f: FileReport) -> dict[str, Any]:
    return {
        "file": f.file,
        "table": f.table,
        "rows": f.rows,
        "loaded": f.loaded,
        "set_aside": f.set_aside,
        "replaced": f.replaced,
        "sha256": f.sha256,
        "errors": f.errors,
        "warnings": f.warnings,
        "counts": [
            {"kind": str(k), "column": c, "severity": str(f.severities[(k, c)]), "count": n}
            for (k, c), n in f.counts.items()
        ],
        "problems": [
            {
                "row": p.row,
                "column": p.column,
                "severity": str(p.severity),
                "kind": str(p.kind),
                "message": p.message,
                "message_zh": p.message_zh,
            }
            for p in f.listed
        ],
        "unlisted": f.unlisted,
    }


def _load_tables(result: LoadResult) -> list[Table]:
    from rich.table import Table

    files = Table(title="载入 load" + ("" if result.saved else " — 未保存 nothing saved"))
    for col in (
        "文件 file",
        "表 table",
        "行 rows",
        "载入 loaded",
        "搁置 set aside",
        "替换 replaced",
        "错误 errors",
        "警告 warnings",
    ):
        files.add_column(col, justify="right" if col[0] in "行载搁错警" else "left")
    for f in result.files:
        files.add_row(
            escape(f.file),
            f.table,
            f"{f.rows:,}",
            f"{f.loaded:,}",
            f"{f.set_aside:,}",
            escape(f.replaced),
            f"{f.errors:,}",
            f"{f.warnings:,}",
        )
    out = [files]
    listed = [(f, p) for f in result.files for p in f.listed]
    if listed:
        problems = Table(title="问题 problems")
        for col in ("文件 file", "行 row", "列 column", "", "说明 message"):
            problems.add_column(col)
        for f, p in listed:
            mark = "错误 error" if p.severity == "error" else "警告 warning"
            problems.add_row(
                escape(f.file), str(p.row), escape(p.column), mark, escape(f"{p.message_zh} / {p.message}")
            )
        out.append(problems)
    return out


@records_app.command("load")
def records_load(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Record files (.csv UTF-8 or GB18030, .parquet, .xlsx first sheet) or folders of them; a file "
            "name starts with its table name, e.g. outpatient_visits-2023-01.parquet.",
            show_default=False,
        ),
    ],
    table_name: Annotated[
        str | None,
        typer.Option(
            "--table", "-t", help=f"Load every file into this table ({', '.join(record_tables())}).", show_default=False
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            "-p",
            help="Event files replace this whole period (2023, 2023Q1, 202301); dates outside it "
            "are errors. Default: a period in the file name, else the months the file "
            "covers.",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Any error: save nothing.")] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Validate and load record files in one transaction; list every problem by file, row and column.

    Snapshot tables (towns, residents, institutions, staff, contracts) replace the records with the same
    key; event tables (visits, discharges, referrals, drug purchases) replace exactly the months a file
    covers. Bad records are set aside and listed while the rest load (exit code 2); with --strict any
    error saves nothing. After a load the indicator catalogue's partials (each measure per unit and
    month) are made again from the records, so that computing reads them instead of scanning.

    Example: yigai records load ./records/2023 --period 2023 --strict

    Example: yigai records load outpatient_visits-2023-01.parquet   (replaces January 2023 only)
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from yigai.analytics import materialised
    from yigai.records.loader import load_records, resolve
    from yigai.records.store import open_store
    from yigai.records.validate import StrictLoadError

    settings = Settings.from_env()
    resolve(paths, table_name, period)  # bad paths, table or period: refused before the store is created
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with open_store(settings.analytics_path) as store, Progress(*columns, console=stderr(), transient=True) as progress:
        bar = progress.add_task("载入 loading", total=None)

        def tick(what: str, done: int, total: int) -> None:
            progress.update(bar, description=f"载入 loading {what}", completed=done, total=total or None)

        result = load_records(store, paths, table_name=table_name, period=period, strict=strict, progress=tick)
        if result.saved:  # the catalogue's partials follow the records (yigai.analytics.materialised)
            progress.update(bar, description="汇总 materialising the indicator partials", total=None)
            materialised.refresh(store.conn)
    if fmt is OutputFormat.JSON:
        print_json(
            {
                "saved": result.saved,
                "strict": result.strict,
                "files": [_file_dict(f) for f in result.files],
                "skipped": [str(p) for p in result.skipped],
            }
        )
    else:
        for t in _load_tables(result):
            stdout().print(t)
    for p in result.skipped:
        info(f"跳过 skipped {p.name}: 文件名不以表名开头 the name does not start with a table name")
    for f in result.files:
        if f.unlisted:
            info(
                f"{f.file}: 另有 {f.unlisted:,} 个问题未列出 / {f.unlisted:,} more problem(s) not listed "
                f"(共 {f.errors:,} 个错误 errors, {f.warnings:,} 个警告 warnings)"
            )
    if not result.saved:
        raise StrictLoadError(
            f"{result.errors:,} error(s) in {sum(bool(f.errors) for f in result.files)} file(s); "
            "nothing was saved (--strict)",
            message_zh=f"共 {result.errors:,} 个错误，未保存任何数据（严格模式）",
        )
    info(
        f"已载入 loaded {result.loaded:,} 条记录 records; 搁置 set aside {result.set_aside:,}; "
        f"错误 errors {result.errors:,}"
    )
    if result.errors:
        raise typer.Exit(EXIT_BAD_INPUT)


def _loads_dict(e: LoadEntry) -> dict[str, Any]:
    return {
        "load_id": e.load_id,
        "table": e.table_name,
        "replaced": e.replaced,
        "file": e.file_name,
        "sha256": e.sha256,
        "rows": e.row_count,
        "set_aside": e.set_aside,
        "loaded_at": e.loaded_at.isoformat(),
    }


@records_app.command("status")
def records_status(
    last: Annotated[int, typer.Option("--last", min=0, help="How many of the latest loads to list.")] = 10,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """The record tables: kind, rows, the months event tables hold, and the latest loads.

    Example: yigai records status --format json
    """
    from rich.table import Table

    from yigai.records.store import month_ranges, open_store

    settings = Settings.from_env()
    with open_store(settings.analytics_path, read_only=True) as store:
        counts = store.counts()
        periods = {name: store.periods(name) for name in record_tables()}
        loads = store.loads(last)
    if fmt is OutputFormat.JSON:
        print_json(
            {
                "store": str(settings.analytics_path),
                "tables": [
                    {"table": n, "kind": str(t.kind), "rows": counts[n], "periods": periods[n]}
                    for n, t in record_tables().items()
                ],
                "loads": [_loads_dict(e) for e in loads],
            }
        )
        return
    tables = Table(title=f"记录库 record store — {escape(str(settings.analytics_path))}")
    for col in ("表 table", "含义 meaning", "类型 kind", "行 rows", "月份 months"):
        tables.add_column(col, justify="right" if col.startswith("行") else "left")
    for n, t in record_tables().items():
        tables.add_row(n, t.meaning, str(t.kind), f"{counts[n]:,}", month_ranges(periods[n]))
    stdout().print(tables)
    if loads:
        recent = Table(title="最近载入 latest loads")
        for col in ("#", "表 table", "文件 file", "替换 replaced", "行 rows", "搁置 set aside", "时间 at"):
            recent.add_column(col)
        for e in loads:
            recent.add_row(
                str(e.load_id),
                e.table_name,
                escape(e.file_name),
                escape(e.replaced),
                f"{e.row_count:,}",
                f"{e.set_aside:,}",
                e.loaded_at.isoformat(sep=" "),
            )
        stdout().print(recent)


@records_app.command("export")
def records_export(
    parquet: Annotated[
        Path,
        typer.Option(
            "--parquet",
            help="Folder of the record lake: one folder per table, event tables by month "
            "(table/month=YYYY-MM/part-0.parquet), and manifest.json.",
            show_default=False,
        ),
    ],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a lake already in the folder.")] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Write the record store as a Parquet record lake, for Spark (yigai compute --engine spark --lake DIR).

    The manifest lists each table's rows and months and every load the store ledgered. The lake is
    written to a staging folder and moved into place when complete.

    Example: yigai records export --parquet /data/lake && yigai compute -p 2023 --engine spark --lake /data/lake
    """
    from rich.table import Table

    from yigai.records.lake import export_lake
    from yigai.records.store import open_store

    settings = Settings.from_env()
    with open_store(settings.analytics_path, read_only=True) as store:
        result = export_lake(store.conn, parquet, source=str(settings.analytics_path), overwrite=overwrite)
    if fmt is OutputFormat.JSON:
        print_json(
            {
                "lake": str(result.out),
                "rows": result.rows,
                "months": result.months,
                "files": result.files,
                "bytes": result.bytes,
            }
        )
        return
    tables = Table(title=f"记录湖 record lake — {escape(str(result.out))}")
    for col in ("表 table", "行 rows", "月份 months"):
        tables.add_column(col, justify="right" if col.startswith("行") else "left")
    for name, rows in result.rows.items():
        months = result.months.get(name, [])
        tables.add_row(name, f"{rows:,}", f"{months[0]}–{months[-1]} ({len(months)})" if months else "")
    stdout().print(tables)
    info(f"已写入 written {result.files:,} 个文件 files, {result.bytes / 2**20:,.1f} MiB: {result.out}")


def register(app: typer.Typer) -> None:
    app.add_typer(records_app, name="records")
