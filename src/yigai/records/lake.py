"""The record lake: the record tables as Parquet, one folder per table, event tables partitioned
by month (hive-style), with ``manifest.json`` saying what is there and where it came from.

This is what a province keeps on HDFS or object storage, and what Spark reads::

    DIR/manifest.json
    DIR/towns/part-0.parquet                               snapshot tables: one folder of files
    DIR/outpatient_visits/month=2023-01/part-0.parquet     event tables: a folder per month of `period`

The manifest lists every table's kind, rows and months and, for an export of the record store,
every load the store ledgered (file, sha256, rows, what it replaced). A lake is written into a
hidden staging folder and moved into place only when complete: a failed export leaves DIR as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yigai import __version__
from yigai.domain.errors import YigaiError
from yigai.records.schema import Table, TableKind, record_tables

MANIFEST = "manifest.json"
FORMAT = "yigai-record-lake"
FORMAT_VERSION = 1
PARTITION = "month"  # hive partition key of event tables: month=YYYY-MM
STAGING = ".lake-partial"


class LakeError(YigaiError):
    message_zh = "记录湖（Parquet）不可用"


@dataclass(frozen=True, slots=True)
class LakeSummary:
    out: Path
    rows: dict[str, int]
    months: dict[str, list[str]]  # event table → months (YYYY-MM) written
    files: int
    bytes: int


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def is_uri(location: str | Path) -> bool:
    """``hdfs://…``, ``s3a://…``, ``file:///…``: a location only the engine (Spark) can list."""
    return "://" in str(location)


def table_location(lake: str | Path, name: str) -> str:
    return f"{str(lake).rstrip('/')}/{name}"


def partitioned(t: Table) -> bool:
    return t.kind is TableKind.EVENTS and bool(t.period)


def prepare(out: Path, overwrite: bool) -> Path:
    """Check ``out`` may receive a lake and return a fresh staging folder inside it."""
    if out.exists() and not out.is_dir():
        raise LakeError(
            f"{out} is a file, not a folder", message_zh=f"输出路径是文件而不是文件夹：{out}", where=str(out)
        )
    existing = [n for n in (MANIFEST, *record_tables()) if (out / n).exists()]
    if existing and not overwrite:
        raise LakeError(
            f"{out} already holds {', '.join(existing)}; use --overwrite to replace them",
            message_zh=f"输出文件夹中已有记录湖文件（{'、'.join(existing)}），如需替换请加 --overwrite",
            where=str(out),
        )
    out.mkdir(parents=True, exist_ok=True)
    staging = out / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def publish(staging: Path, out: Path, manifest: dict[str, Any]) -> None:
    """Move the staged table folders into ``out`` (replacing old ones), then the manifest last."""
    (staging / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    for name in record_tables():
        if (staging / name).exists():
            shutil.rmtree(out / name, ignore_errors=True)
            os.replace(staging / name, out / name)
    os.replace(staging / MANIFEST, out / MANIFEST)
    shutil.rmtree(staging, ignore_errors=True)


def table_manifest(t: Table, rows: int, months: dict[str, int]) -> dict[str, Any]:
    return {
        "kind": str(t.kind),
        "rows": rows,
        "partitioned_by": PARTITION if partitioned(t) else None,
        "period_column": t.period if partitioned(t) else None,
        "months": dict(sorted(months.items())),
        "columns": [{"name": c.name, "type": str(c.type)} for c in t.columns],
    }


def manifest(tables: dict[str, dict[str, Any]], source: dict[str, Any], loads: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "yigai_version": __version__,
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": source,
        "tables": tables,
        "loads": loads,
    }


def export_lake(conn: Any, out: Path, *, source: str = "", overwrite: bool = False) -> LakeSummary:
    """Write the record store behind DuckDB connection ``conn`` to the lake ``out``.

    DuckDB writes the Parquet itself (``COPY … PARTITION_BY``), in parallel and without the rows
    passing through Python; the ledger of loads goes into the manifest.
    """
    staging = prepare(out, overwrite)
    try:
        tables: dict[str, dict[str, Any]] = {}
        for name, t in record_tables().items():
            folder = staging / name
            folder.mkdir()
            cols = ", ".join(t.names)
            months: dict[str, int] = {}
            if partitioned(t):
                months = {
                    str(m): int(n)
                    for m, n in conn.execute(
                        f"SELECT strftime({t.period}, '%Y-%m') AS m, count(*) FROM {name} GROUP BY m"
                    ).fetchall()
                }
            if months:
                conn.execute(
                    f"COPY (SELECT {cols}, strftime({t.period}, '%Y-%m') AS {PARTITION} FROM {name}) "
                    f"TO '{_sql_path(folder)}' (FORMAT parquet, COMPRESSION zstd, "
                    f"PARTITION_BY ({PARTITION}), FILENAME_PATTERN 'part-{{i}}', OVERWRITE_OR_IGNORE true)"
                )
            else:  # snapshots, and an empty event table (its schema, no partitions)
                conn.execute(
                    f"COPY (SELECT {cols} FROM {name}) TO '{_sql_path(folder / 'part-0.parquet')}' "
                    f"(FORMAT parquet, COMPRESSION zstd)"
                )
            count = conn.execute(f"SELECT count(*) FROM {name}").fetchone()
            tables[name] = table_manifest(t, int(count[0]) if count else 0, months)
        ledger = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'loads'").fetchone()
        loads = (
            [
                _load_dict(r)
                for r in conn.execute(
                    "SELECT load_id, table_name, replaced, period_start, period_end, file_name, sha256, row_count, "
                    "set_aside, loaded_at FROM loads ORDER BY load_id"
                ).fetchall()
            ]
            if ledger and ledger[0]
            else []
        )
        publish(staging, out, manifest(tables, {"kind": "record store", "path": source}, loads))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary(out)


def _sql_path(p: Path) -> str:
    return p.as_posix().replace("'", "''")


def _load_dict(r: tuple[Any, ...]) -> dict[str, Any]:
    keys = (
        "load_id",
        "table",
        "replaced",
        "period_start",
        "period_end",
        "file",
        "sha256",
        "rows",
        "set_aside",
        "loaded_at",
    )
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in zip(keys, r, strict=True)}


def read_manifest(lake: Path) -> dict[str, Any]:
    path = lake / MANIFEST
    if not path.is_file():
        raise LakeError(
            f"{lake} is not a record lake: it has no {MANIFEST} (write one with yigai records export "
            f"--parquet {lake}, or yigai synth --lake)",
            message_zh=f"{lake} 不是记录湖：缺少 {MANIFEST}（可用 yigai records export --parquet 生成）",
            where=str(path),
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LakeError(f"cannot read {path}: {exc}", message_zh=f"无法读取记录湖清单 {path}", where=str(path)) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LakeError(
            f"{path} is not a record-lake manifest (format {FORMAT!r})",
            message_zh=f"{path} 不是记录湖清单",
            where=str(path),
        )
    return data


def check_lake(lake: Path) -> dict[str, Any]:
    """The manifest of a local lake, after checking every record table has its folder with Parquet in it."""
    data = read_manifest(lake)
    missing = [n for n in record_tables() if not any((lake / n).rglob("*.parquet"))]
    if missing:
        names = "、".join(f"{n}（{record_tables()[n].meaning}）" for n in missing)
        raise LakeError(
            f"the record lake {lake} has no Parquet for table(s) {', '.join(missing)}; every record "
            f"table is needed (export again with yigai records export --parquet)",
            message_zh=f"记录湖 {lake} 缺少记录表：{names}；计算需要全部记录表",
            where=table_location(lake, missing[0]),
        )
    return data


def summary(lake: Path) -> LakeSummary:
    data = read_manifest(lake)
    files = list(lake.rglob("*.parquet"))
    tables = {n: data["tables"][n] for n in record_tables() if n in data["tables"]}  # schema order
    return LakeSummary(
        out=lake,
        rows={n: int(t["rows"]) for n, t in tables.items()},
        months={n: list(t["months"]) for n, t in tables.items() if t["partitioned_by"]},
        files=len(files),
        bytes=sum(f.stat().st_size for f in files),
    )
