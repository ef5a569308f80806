"""The record tables' schema, read from ``data/records/tables.yaml``: one contract for loaders,
the synthetic district and the indicator catalogue.

Pure: reading the shipped file is the only I/O, done once; everything else derives DDL and Arrow
schemas from the dataclasses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import yaml

from yigai.data import data_path

if TYPE_CHECKING:
    import pyarrow as pa

SCHEMA_FILE = "records/tables.yaml"


class ColumnType(StrEnum):
    STRING = "string"
    DATE = "date"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"


class TableKind(StrEnum):
    SNAPSHOT = "snapshot"  # current state: a reload replaces records by key
    EVENTS = "events"  # dated events: a reload replaces the months (or period) a file covers


_DUCKDB = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.DATE: "DATE",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.DECIMAL: "DOUBLE",
    ColumnType.BOOLEAN: "BOOLEAN",
}
_ARROW = {
    ColumnType.STRING: "string",
    ColumnType.DATE: "date32",
    ColumnType.INTEGER: "int64",
    ColumnType.DECIMAL: "float64",
    ColumnType.BOOLEAN: "bool_",
}  # pyarrow factories, called on use


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    meaning: str
    required: bool = True
    values: dict[str, str] = field(default_factory=dict)  # allowed code → Chinese meaning
    minimum: float | None = None
    references: tuple[str, str] | None = None  # (table, column)
    codes: str | None = None  # "icd10" / "icd9": 医保版 code shape (yigai.domain.codes), lists split by ;

    @property
    def duckdb_type(self) -> str:
        return _DUCKDB[self.type]

    @property
    def arrow_type(self) -> pa.DataType:
        import pyarrow as pa  # only readers and writers of Arrow need it; the CLI lists tables without it

        return getattr(pa, _ARROW[self.type])()


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    meaning: str
    kind: TableKind
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    period: str | None = None  # the date column that places an event in a period

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def total_parts(self) -> tuple[str, ...]:
        """The cost parts ``total_cost`` must equal the sum of ("等于下列各分项之和"): the run of
        ``*_cost`` columns right after it. Empty for a table without ``total_cost``."""
        names = self.names
        if "total_cost" not in names:
            return ()
        parts: list[str] = []
        for name in names[names.index("total_cost") + 1 :]:
            if not name.endswith("_cost"):
                break
            parts.append(name)
        return tuple(parts)

    def arrow_schema(self) -> pa.Schema:
        import pyarrow as pa

        return pa.schema([pa.field(c.name, c.arrow_type, nullable=not c.required) for c in self.columns])

    def ddl(self, *, primary_key: bool = True) -> str:
        """CREATE TABLE for DuckDB (and PostgreSQL: the types are common to both).

        ``primary_key=False`` leaves the key unindexed: the record store checks key uniqueness while
        validating a load, and an index over millions of visits costs memory and load time.
        """
        cols = [f"{c.name} {c.duckdb_type}{' NOT NULL' if c.required else ''}" for c in self.columns]
        if primary_key:
            cols.append(f"PRIMARY KEY ({', '.join(self.key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  " + ",\n  ".join(cols) + "\n)"


def _reference(ref: str) -> tuple[str, str]:
    table, dot, column = ref.partition(".")
    if not dot:
        raise ValueError(f"references must name table.column: {ref!r}")
    return table, column


def _column(raw: dict[str, Any]) -> Column:
    ref = raw.get("references")
    return Column(
        name=str(raw["name"]),
        type=ColumnType(raw["type"]),
        meaning=str(raw.get("meaning", "")),
        required=bool(raw.get("required", True)),
        values={str(k): str(v) for k, v in (raw.get("values") or {}).items()},
        minimum=None if raw.get("min") is None else float(raw["min"]),
        references=_reference(str(ref)) if ref else None,
        codes=str(raw["codes"]) if raw.get("codes") else None,
    )


def parse_tables(data: dict[str, Any]) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for name, raw in (data.get("tables") or {}).items():
        tables[name] = Table(
            name=name,
            meaning=str(raw.get("meaning", "")),
            kind=TableKind(raw["kind"]),
            key=tuple(raw["key"]),
            columns=tuple(_column(c) for c in raw["columns"]),
            period=raw.get("period"),
        )
    return tables


@functools.cache
def record_tables() -> dict[str, Table]:
    """The shipped record tables, in dependency order (referenced tables first)."""
    path = data_path(SCHEMA_FILE)
    return parse_tables(yaml.safe_load(path.read_text(encoding="utf-8")))


def table(name: str) -> Table:
    try:
        return record_tables()[name]
    except KeyError:
        raise KeyError(f"no record table {name!r}; tables: {', '.join(record_tables())}") from None
