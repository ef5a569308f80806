"""One SQL text, several engines: catalogue SQL is written in DuckDB's dialect and rendered with
SQLGlot for PostgreSQL and Spark; every statement the engine runs goes through :func:`execute`,
so the same computation can run over a psycopg connection.

Parameters are written ``:name`` (SQLGlot's portable placeholder); DuckDB receives ``$name``,
PostgreSQL ``%(name)s``, an :class:`SqlEngine` (Spark: ``yigai.analytics.spark``) ``:name``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import duckdb
import sqlglot

from yigai.domain.errors import YigaiError

DIALECTS = ("duckdb", "postgres", "spark")
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class DialectError(YigaiError):
    message_zh = "SQL 无法转换为目标数据库方言"


@runtime_checkable
class SqlEngine(Protocol):
    """The seam for engines other than a DB-API connection: rows of one statement rendered in
    ``dialect``, with named ``:name`` parameters bound by the engine itself."""

    dialect: str

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]: ...


def render(sql: str, dialect: str) -> str:
    """The catalogue's SQL (DuckDB dialect) in ``dialect`` (duckdb, postgres, spark)."""
    if dialect not in DIALECTS:
        raise DialectError(
            f"unknown dialect {dialect!r}; one of {', '.join(DIALECTS)}",
            message_zh=f"未知方言 {dialect}",
            where="dialect",
        )
    if dialect == "duckdb":
        return sql
    try:
        return sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)[0]
    except sqlglot.errors.SqlglotError as exc:
        raise DialectError(
            f"cannot render for {dialect}: {exc}", message_zh=f"无法转换为 {dialect}：{exc}", where="sql"
        ) from exc


def parameters(sql: str) -> list[str]:
    """The ``:name`` parameters a statement uses, in order of first use."""
    seen: dict[str, None] = {}
    for name in _PARAM.findall(sql):
        seen.setdefault(name, None)
    return list(seen)


def execute(con: Any, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one statement and return its rows: the engine's only door to a database."""
    used = {k: (params or {})[k] for k in parameters(sql)}
    if isinstance(con, duckdb.DuckDBPyConnection):
        return con.execute(_PARAM.sub(r"$\1", sql), used or None).fetchall()
    if isinstance(con, SqlEngine):
        return con.rows(render(sql, con.dialect), used)
    with con.cursor() as cur:  # a DB-API connection to PostgreSQL (psycopg)
        cur.execute(render(sql, "postgres"), used)
        return list(cur.fetchall())
