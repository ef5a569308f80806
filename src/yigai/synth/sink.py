"""Parquet output: one file per record table, written in fixed-size row groups as chunks arrive.

Rows are buffered only up to one row group, and the groups have a fixed size whatever the chunks
were, so memory stays bounded and the same rows always give the same bytes. Files are written
into a hidden folder next to the destination and moved into place only when everything is
written: a failed run leaves the destination as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq

from yigai.records.schema import record_tables
from yigai.synth.errors import SynthError

ROW_GROUP = 262_144
MANIFEST = "manifest.json"
# every option that changes the bytes, set explicitly
WRITER_OPTIONS = {"compression": "zstd", "compression_level": 3, "use_dictionary": True, "write_statistics": True,
                  "version": "2.6", "data_page_version": "1.0", "store_schema": True, "write_page_index": False}


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
            raise SynthError(f"{out} already holds {', '.join(existing)}; use --overwrite to replace them",
                             message_zh="输出文件夹中已有模拟数据文件，如需替换请加 --overwrite", where=str(out))
        out.mkdir(parents=True, exist_ok=True)
        self.staging = out / ".synth-partial"
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        self.sinks = {name: TableSink(self.staging / f"{name}.parquet", t.arrow_schema(), row_group)
                      for name, t in record_tables().items()}

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
