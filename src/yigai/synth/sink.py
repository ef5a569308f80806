"""Parquet output: one file per record table (or a record lake, :class:`LakeOutput`), written in fixed-size row groups as chunks arrive.

Rows are buffered only up to one row group, and the groups have a fixed size whatever the chunks
were, so memory stays bounded and the same rows always give the same bytes. Files are written
into a hidden folder next to the destination and moved into place only when everything is
written: a failed run leaves the destination as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yigai.records import lake
from yigai.records.schema import record_tables
from yigai.synth.errors import SynthError

ROW_GROUP = 262_144
MANIFEST = "manifest.json"
# every option that changes the bytes, set explicitly
WRITER_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "store_schema": True,
    "write_page_index": False,
}


class TableSink:
    """Appends Arrow chunks of one table to its Parquet file in row groups of ``row_group`` rows."""

    def __init__(self, path: Path, schema: pa.Schema, row_group: int) -> None:
        self.schema = schema
        self.row_group = row_group
        self.rows = 0
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._writer = pq.ParquetWriter(path, schema, **WRITER_OPTIONS)

    def write(self, chunk: pa.Table) -> None:
        if chunk.schema != self.schema:
            raise ValueError(f"chunk schema differs from the table's: {chunk.schema} vs {self.schema}")
        self._pending.append(chunk)
        self._pending_rows += chunk.num_rows
        self.rows += chunk.num_rows
        if self._pending_rows >= self.row_group:
            data = pa.concat_tables(self._pending)
            full = (data.num_rows // self.row_group) * self.row_group
            self._writer.write_table(data.slice(0, full), row_group_size=self.row_group)
            rest = data.slice(full)
            self._pending = [rest.combine_chunks()] if rest.num_rows else []
            self._pending_rows = rest.num_rows

    def close(self) -> None:
        if self._pending_rows:
            self._writer.write_table(pa.concat_tables(self._pending), row_group_size=self.row_group)
        self._pending = []
        self._writer.close()


class Output:
    """All the table sinks of one run, written to a staging folder and published on success."""

    def __init__(self, out: Path, row_group: int = ROW_GROUP, overwrite: bool = False) -> None:
        self.out = out
        names = [*(f"{t}.parquet" for t in record_tables()), MANIFEST]
        if out.exists() and not out.is_dir():
            raise SynthError(f"{out} is a file, not a folder", message_zh="输出路径是文件而不是文件夹", where=str(out))
        existing = [n for n in names if (out / n).exists()]
        if existing and not overwrite:
            raise SynthError(
                f"{out} already holds {', '.join(existing)}; use --overwrite to replace them",
                message_zh="输出文件夹中已有模拟数据文件，如需替换请加 --overwrite",
                where=str(out),
            )
        out.mkdir(parents=True, exist_ok=True)
        self.staging = out / ".synth-partial"
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        self.sinks = {
            name: TableSink(self.staging / f"{name}.parquet", t.arrow_schema(), row_group)
            for name, t in record_tables().items()
        }

    def write(self, name: str, chunk: pa.Table) -> None:
        if chunk.num_rows:
            self.sinks[name].write(chunk)

    def rows(self) -> dict[str, int]:
        return {name: s.rows for name, s in self.sinks.items()}

    def publish(self, manifest: str) -> None:
        for s in self.sinks.values():
            s.close()
        (self.staging / MANIFEST).write_text(manifest, encoding="utf-8")
        for name in [*(f"{t}.parquet" for t in self.sinks), MANIFEST]:
            os.replace(self.staging / name, self.out / name)
        self.staging.rmdir()

    def __enter__(self) -> Output:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            for s in self.sinks.values():
                with contextlib.suppress(Exception):  # cleaning up after the real error, which propagates
                    s.close()
            shutil.rmtree(self.staging, ignore_errors=True)


class LakeOutput:
    """The same run written as a record lake (``yigai.records.lake``): a folder per table, event
    tables split by month into ``month=YYYY-MM`` folders, the generator's manifest inside the lake's.

    The generator emits months in order (a discharge may fall in the next month), so a table keeps
    its latest ``OPEN_MONTHS`` months' files open; a chunk for a month already closed (rare) goes to
    a further part file. Memory stays bounded by tables × open months × one row group.
    """

    OPEN_MONTHS = 3

    def __init__(self, out: Path, row_group: int = ROW_GROUP, overwrite: bool = False) -> None:
        self.out = out
        self.row_group = row_group
        try:
            self.staging = lake.prepare(out, overwrite)
        except lake.LakeError as exc:
            raise SynthError(str(exc), message_zh=exc.message_zh, where=exc.where) from None
        self.tables = record_tables()
        self._open: dict[str, dict[str, TableSink]] = {name: {} for name in self.tables}  # table → month → sink
        self._parts: dict[tuple[str, str], int] = {}
        self._rows: dict[str, int] = dict.fromkeys(self.tables, 0)
        self._months: dict[str, dict[str, int]] = {name: {} for name in self.tables}

    def _sink(self, name: str, month: str) -> TableSink:
        sinks = self._open[name]
        if month in sinks:
            return sinks[month]
        part = self._parts.get((name, month), 0)
        self._parts[(name, month)] = part + 1
        folder = self.staging / name / (f"{lake.PARTITION}={month}" if month else "")
        folder.mkdir(parents=True, exist_ok=True)
        sinks[month] = TableSink(folder / f"part-{part}.parquet", self.tables[name].arrow_schema(), self.row_group)
        while len(sinks) > self.OPEN_MONTHS:
            sinks.pop(min(sinks)).close()
        return sinks[month]

    def _close(self) -> None:
        for sinks in self._open.values():
            while sinks:
                sinks.popitem()[1].close()

    def write(self, name: str, chunk: pa.Table) -> None:
        if not chunk.num_rows:
            return
        t = self.tables[name]
        self._rows[name] += chunk.num_rows
        if not lake.partitioned(t):
            self._sink(name, "").write(chunk)
            return
        keys = pc.strftime(chunk.column(t.period), format="%Y-%m")
        for month in sorted(pc.unique(keys).to_pylist()):
            part = chunk.filter(pc.equal(keys, month))
            self._months[name][month] = self._months[name].get(month, 0) + part.num_rows
            self._sink(name, month).write(part)

    def rows(self) -> dict[str, int]:
        return dict(self._rows)

    def publish(self, manifest: str) -> None:
        self._close()
        for name, t in self.tables.items():  # an empty table still gets its schema
            if not (self.staging / name).exists():
                (self.staging / name).mkdir()
                pq.write_table(t.arrow_schema().empty_table(), self.staging / name / "part-0.parquet", **WRITER_OPTIONS)
        tables = {name: lake.table_manifest(t, self._rows[name], self._months[name]) for name, t in self.tables.items()}
        lake.publish(self.staging, self.out, lake.manifest(tables, {"kind": "synth", **json.loads(manifest)}, []))

    def __enter__(self) -> LakeOutput:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            with contextlib.suppress(Exception):  # cleaning up after the real error, which propagates
                self._close()
            shutil.rmtree(self.staging, ignore_errors=True)
