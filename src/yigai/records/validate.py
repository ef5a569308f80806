"""Checking a staged record file against its table: every problem named by file, row and column.

The checks are SQL conditions over a staged file (``_row`` plus the file's columns), run by DuckDB
so that a file of millions of visits is checked in a few passes: one aggregate query counts every
kind of problem exactly, then a few rows of each kind are fetched for the report. The value
parsers are SQL expressions too (``date_sql``, ``decimal_sql`` …) so that what is checked is what
is stored.

Rows are 1-based with the header as row 1 for CSV and XLSX, the record number for Parquet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import duckdb

from yigai.domain.codes import ICD9_PATTERN, ICD10_PATTERN
from yigai.domain.errors import DocumentError
from yigai.records.schema import Column, ColumnType, Table, TableKind

LISTED_PER_CHECK = 20  # listed problems per kind of problem and column, per file; counts are always exact
LISTED_PER_FILE = 200  # and at most this many per file in all
TOTAL_TOLERANCE = 0.01  # yuan: total_cost may differ from the sum of its parts by this much (rounding)

WHITESPACE = " \t\r\n\u00a0\u3000"  # trimmed around every value: spaces, tabs, no-break and full-width spaces
TRUE_TOKENS = ("true", "1", "是", "y")
FALSE_TOKENS = ("false", "0", "否", "n")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
_INTEGER_RE = r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.0*)?"
_DECIMAL_RE = r"[+-]?((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_TIME_SUFFIX_RE = r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$"  # Excel exports write dates as "2023-01-05 00:00:00"

# The date-order rules: (earlier column, later column) per table; the later may not be before the earlier.
DATE_ORDER: dict[str, tuple[str, str]] = {
    "inpatient_discharges": ("admission_date", "discharge_date"),
    "family_doctor_contracts": ("start_date", "end_date"),
    "staff": ("start_date", "end_date"),
    "institutions": ("open_date", "close_date"),
}
# The stay-length rule: (days column, admission, discharge) per table. 住院天数 is discharge − admission;
# a same-day stay may be written 0 or 1 (both conventions are in use).
STAY_LENGTH: dict[str, tuple[str, str, str]] = {
    "inpatient_discharges": ("los", "admission_date", "discharge_date"),
}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Kind(StrEnum):
    """The kinds of problem, each with its English and Chinese message (``MESSAGES``)."""

    UNREADABLE = "unreadable"
    MISSING_COLUMN = "missing_column"
    MISSING_OPTIONAL_COLUMN = "missing_optional_column"
    UNKNOWN_COLUMN = "unknown_column"
    REQUIRED = "required"
    TYPE = "type"
    CODE = "code"
    MINIMUM = "minimum"
    REFERENCE = "reference"
    PERIOD = "period"
    DUPLICATE = "duplicate"
    STORED_DUPLICATE = "stored_duplicate"
    TOTAL = "total"
    DATE_ORDER = "date_order"
    STAY_LENGTH = "stay_length"


_TYPE_EN = {
    ColumnType.DATE: "a date (2023-01-31)",
    ColumnType.INTEGER: "a whole number",
    ColumnType.DECIMAL: "a number",
    ColumnType.BOOLEAN: "true/false, 1/0, 是/否 or Y/N",
    ColumnType.STRING: "text",
}
_TYPE_ZH = {
    ColumnType.DATE: "日期（如 2023-01-31）",
    ColumnType.INTEGER: "整数",
    ColumnType.DECIMAL: "数值",
    ColumnType.BOOLEAN: "是/否（true/false、1/0、Y/N）",
    ColumnType.STRING: "文本",
}

# kind → (English, Chinese); {value} is the offending value, {detail} what was expected.
MESSAGES: dict[Kind, tuple[str, str]] = {
    Kind.UNREADABLE: ("cannot read the file: {detail}", "无法读取文件：{detail_zh}"),
    Kind.MISSING_COLUMN: ("missing column (required); the file is set aside", "缺少必填列，整个文件未载入"),
    Kind.MISSING_OPTIONAL_COLUMN: ("missing column (optional); loaded as empty", "缺少可选列，按空值载入"),
    Kind.UNKNOWN_COLUMN: ("unknown column, ignored", "未知列，已忽略"),
    Kind.REQUIRED: ("required value is empty", "必填项为空"),
    Kind.TYPE: ("{value!r} is not {detail}", "“{value}”不是{detail_zh}"),
    Kind.CODE: ("{value!r} is not an allowed code ({detail})", "“{value}”不是允许的代码（{detail}）"),
    Kind.MINIMUM: ("{value} is below the minimum {detail}", "{value} 小于最小值 {detail}"),
    Kind.REFERENCE: ("{value!r} is not a known {detail}", "“{value}”在{detail_zh}中不存在"),
    Kind.PERIOD: ("{value} is outside the period {detail}", "{value} 不在报告期 {detail} 内"),
    Kind.DUPLICATE: (
        "duplicate key {value!r} (first at row {detail})",
        "重复的键“{value}”（首次出现于第 {detail} 行）",
    ),
    Kind.STORED_DUPLICATE: (
        "key {value!r} is already stored (another period or an earlier file of this load)",
        "键“{value}”已存在（其他报告期或本次载入的其他文件）",
    ),
    Kind.TOTAL: (
        "total {value} differs from the sum of its parts {detail}",
        "总费用 {value} 与各分项之和 {detail} 不等",
    ),
    Kind.DATE_ORDER: ("{value} is before {detail}", "{value} 早于{detail_zh}"),
    Kind.STAY_LENGTH: (
        "{value} days does not match the dates ({detail} days from admission to discharge)",
        "住院天数 {value} 与出入院日期不符（入院至出院 {detail_zh} 天）",
    ),
}


class RecordError(DocumentError):
    """Record files that cannot be loaded as given (the CLI exits 2: bad input)."""

    message_zh = "记录文件有误"


class RecordFileError(RecordError):
    """A record file cannot be loaded at all (unknown table, unreadable, bad arguments)."""

    message_zh = "无法载入记录文件"


class StrictLoadError(RecordError):
    """``--strict`` and the load found errors: nothing was saved."""

    message_zh = "记录有误，未保存任何数据（严格模式）"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    row: int
    column: str
    message: str
    message_zh: str
    severity: Severity = Severity.ERROR
    kind: Kind = Kind.TYPE

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, {self.column}: {self.message_zh} / {self.message}"


@dataclass(slots=True)
class FileReport:
    """What happened to one file: rows read, loaded and set aside, every problem counted, some listed."""

    file: str
    table: str
    rows: int = 0
    loaded: int = 0
    set_aside: int = 0
    replaced: str = ""
    sha256: str = ""
    counts: dict[tuple[Kind, str], int] = field(default_factory=dict)  # (kind, column) → exact count
    severities: dict[tuple[Kind, str], Severity] = field(default_factory=dict)
    listed: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(n for k, n in self.counts.items() if self.severities[k] is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(n for k, n in self.counts.items() if self.severities[k] is Severity.WARNING)

    @property
    def unlisted(self) -> int:
        return self.errors + self.warnings - len(self.listed)

    def add(self, problem: Problem, count: int = 1) -> None:
        """Count a file-level problem (one listed, ``count`` counted)."""
        key = (problem.kind, problem.column)
        self.counts[key] = self.counts.get(key, 0) + count
        self.severities[key] = problem.severity
        self.listed.append(problem)


def problem(
    file: str,
    row: int,
    column: str,
    kind: Kind,
    *,
    value: object = "",
    detail: object = "",
    detail_zh: object = None,
    severity: Severity = Severity.ERROR,
) -> Problem:
    en, zh = MESSAGES[kind]
    dzh = detail if detail_zh is None else detail_zh
    return Problem(
        file,
        row,
        column,
        en.format(value=value, detail=detail),
        zh.format(value=value, detail=detail, detail_zh=dzh),
        severity,
        kind,
    )


# --- value parsers (SQL over a VARCHAR expression) -------------------------------------------------


def sql_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def trim_sql(expr: str) -> str:
    return f"trim({expr}, {sql_literal(WHITESPACE)})"


def text_sql(expr: str) -> str:
    """Trimmed text, NULL when empty."""
    return f"NULLIF({trim_sql(expr)}, '')"


def date_sql(expr: str) -> str:
    """A DATE from ISO, slashed, compact, dotted or 年月日 text (a trailing time is ignored); NULL otherwise."""
    fmts = "[" + ", ".join(sql_literal(f) for f in DATE_FORMATS) + "]"
    stripped = f"regexp_replace({trim_sql(expr)}, {sql_literal(_TIME_SUFFIX_RE)}, '')"
    return f"CAST(try_strptime({stripped}, {fmts}) AS DATE)"


def integer_sql(expr: str) -> str:
    """A BIGINT from "12", "1,200" or "12.0"; NULL for "12.5" and anything else."""
    t = trim_sql(expr)
    return (
        f"(CASE WHEN regexp_full_match({t}, {sql_literal(_INTEGER_RE)}) "
        f"THEN TRY_CAST(regexp_replace(replace({t}, ',', ''), '\\.0*$', '') AS BIGINT) END)"
    )


def decimal_sql(expr: str) -> str:
    """A DOUBLE from "12.5", "1,234.50", "-3", "1e3"; NULL for anything else (no inf or nan)."""
    t = trim_sql(expr)
    return f"(CASE WHEN regexp_full_match({t}, {sql_literal(_DECIMAL_RE)}) THEN TRY_CAST(replace({t}, ',', '') AS DOUBLE) END)"


def boolean_sql(expr: str) -> str:
    """true/false, 1/0, 是/否, Y/N (any case); NULL otherwise."""
    t = f"lower({trim_sql(expr)})"
    yes = ", ".join(sql_literal(v) for v in TRUE_TOKENS)
    no = ", ".join(sql_literal(v) for v in FALSE_TOKENS)
    return f"(CASE WHEN {t} IN ({yes}) THEN true WHEN {t} IN ({no}) THEN false END)"


_PARSERS = {
    ColumnType.STRING: text_sql,
    ColumnType.DATE: date_sql,
    ColumnType.INTEGER: integer_sql,
    ColumnType.DECIMAL: decimal_sql,
    ColumnType.BOOLEAN: boolean_sql,
}

# Source types a column takes as they are (Parquet): no text parsing needed.
_NATIVE = {
    ColumnType.STRING: ("VARCHAR",),
    ColumnType.DATE: ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE"),
    ColumnType.INTEGER: ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"),
    ColumnType.DECIMAL: (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "HUGEINT",
        "FLOAT",
        "DOUBLE",
    ),
    ColumnType.BOOLEAN: ("BOOLEAN",),
}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def parsed_sql(column: Column, source: str, source_type: str, trim: bool = True) -> str:
    """The typed value of a column from its source column (text parsed, native types cast).

    ``trim=False`` takes text columns as they are (Parquet: trimming fifteen million values costs
    more than the rest of a load's checks together); empty text is still no value.
    """
    src = quote(source)
    native = source_type in _NATIVE[column.type] or (
        column.type is ColumnType.DECIMAL and source_type.startswith("DECIMAL")
    )
    if native:
        if column.type is ColumnType.STRING:
            return text_sql(src) if trim else f"NULLIF({src}, '')"
        if column.type is ColumnType.DECIMAL:
            return f"(CASE WHEN isfinite(CAST({src} AS DOUBLE)) THEN CAST({src} AS DOUBLE) END)"
        return f"CAST({src} AS {column.duckdb_type})"
    return _PARSERS[column.type](f"CAST({src} AS VARCHAR)")


def present_sql(source: str, source_type: str = "VARCHAR", trim: bool = True) -> str:
    """Whether the source holds a value (not NULL, not empty or, with ``trim``, blank text)."""
    if source_type != "VARCHAR":
        return f"({quote(source)} IS NOT NULL)"
    if not trim:
        return f"(NULLIF({quote(source)}, '') IS NOT NULL)"
    return f"({text_sql(quote(source))} IS NOT NULL)"


# --- the checks ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    """One kind of problem on one column: a SQL condition over the typed view, and how to show it."""

    kind: Kind
    column: str
    condition: str  # true for a bad row
    value: str  # SQL: the value shown in the message
    detail: str = ""  # static detail, or "" when ``detail_sql`` gives it per row
    detail_zh: str | None = None
    detail_sql: str | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    """What a file's rows must fit: the period (event tables) and the earlier state to compare with."""

    period_start: str | None = None  # ISO date
    period_end: str | None = None
    period_id: str = ""
    has_duplicates: bool = False  # the staged file repeats a key (``_dups`` exists)
    stored_keys: str | None = None  # a relation of keys a new row may not repeat


def table_checks(tbl: Table, scope: Scope, references: Mapping[str, str]) -> list[Check]:
    """Every check for a table over the typed view ``_typed`` (columns as in the table, ``c__present``).

    ``references`` maps a referenced table name to the relation holding its stored keys.
    """
    checks: list[Check] = []
    for c in tbl.columns:
        col = quote(c.name)
        present = quote(f"{c.name}__present")
        raw = quote(f"{c.name}__raw")
        if c.required:
            checks.append(Check(Kind.REQUIRED, c.name, f"NOT {present}", "''"))
        if c.type is not ColumnType.STRING:
            checks.append(
                Check(Kind.TYPE, c.name, f"{present} AND {col} IS NULL", raw, _TYPE_EN[c.type], _TYPE_ZH[c.type])
            )
        if c.values:
            allowed = ", ".join(sql_literal(v) for v in c.values)
            checks.append(
                Check(
                    Kind.CODE,
                    c.name,
                    f"{col} NOT IN ({allowed})",
                    raw,
                    ", ".join(c.values),
                    "、".join(f"{k}={v}" for k, v in c.values.items()),
                )
            )
        if c.codes:
            one = {"icd10": ICD10_PATTERN, "icd9": ICD9_PATTERN}[c.codes]
            shape = sql_literal(f"\\s*({one})(\\s*[;；]\\s*({one}))*\\s*[;；]?\\s*")
            what = {
                "icd10": ("医保版 ICD-10, e.g. K35.800x001", "医保版ICD-10编码，如 K35.800x001"),
                "icd9": ("医保版 ICD-9-CM-3, e.g. 51.2300", "医保版ICD-9-CM-3编码，如 51.2300"),
            }[c.codes]
            checks.append(Check(Kind.CODE, c.name, f"{present} AND NOT regexp_full_match({col}, {shape})", raw, *what))
        if c.minimum is not None:
            checks.append(Check(Kind.MINIMUM, c.name, f"{col} < {c.minimum!r}", col, f"{c.minimum:g}"))
        if c.references:
            target, target_col = c.references
            rel = references[target]
            checks.append(
                Check(
                    Kind.REFERENCE,
                    c.name,
                    f"{col} NOT IN (SELECT {quote(target_col)} FROM {rel} WHERE {quote(target_col)} IS NOT NULL)",
                    raw,
                    f"{target}.{target_col}",
                    f"{target}（{target_col}）",
                )
            )
    if tbl.kind is TableKind.EVENTS and tbl.period and scope.period_start:
        col = quote(tbl.period)
        checks.append(
            Check(
                Kind.PERIOD,
                tbl.period,
                f"({col} < DATE '{scope.period_start}' OR {col} > DATE '{scope.period_end}')",
                f"CAST({col} AS VARCHAR)",
                scope.period_id,
            )
        )
    key = " || '|' || ".join(f"CAST({quote(k)} AS VARCHAR)" for k in tbl.key)
    if scope.has_duplicates:
        checks.append(
            Check(
                Kind.DUPLICATE, ", ".join(tbl.key), "_row > _dup_first", key, detail_sql="CAST(_dup_first AS VARCHAR)"
            )
        )
    if scope.stored_keys:
        keys = ", ".join(quote(k) for k in tbl.key)
        checks.append(
            Check(
                Kind.STORED_DUPLICATE, ", ".join(tbl.key), f"({keys}) IN (SELECT {keys} FROM {scope.stored_keys})", key
            )
        )
    parts = tbl.total_parts()
    if parts:
        total = " + ".join(quote(p) for p in parts)
        checks.append(
            Check(
                Kind.TOTAL,
                "total_cost",
                f"abs(total_cost - ({total})) > {TOTAL_TOLERANCE + 1e-9!r}",
                "total_cost",
                detail_sql=f"CAST(round({total}, 2) AS VARCHAR)",
            )
        )
    order = DATE_ORDER.get(tbl.name)
    if order and all(n in tbl.names for n in order):
        earlier, later = order
        checks.append(
            Check(
                Kind.DATE_ORDER,
                later,
                f"{quote(later)} < {quote(earlier)}",
                f"CAST({quote(later)} AS VARCHAR)",
                detail_sql=f"'{earlier} ' || CAST({quote(earlier)} AS VARCHAR)",
                detail_zh=None,
            )
        )
    stay = STAY_LENGTH.get(tbl.name)
    if stay and all(n in tbl.names for n in stay):
        days, admitted, discharged = (quote(n) for n in stay)
        span = f"date_diff('day', {admitted}, {discharged})"
        checks.append(
            Check(
                Kind.STAY_LENGTH,
                stay[0],
                f"{discharged} >= {admitted} AND {days} <> {span} AND NOT ({span} = 0 AND {days} = 1)",
                f"CAST({days} AS VARCHAR)",
                detail_sql=f"CAST({span} AS VARCHAR)",
                detail_zh=None,
            )
        )
    return checks


def bad_row_sql(checks: Sequence[Check]) -> str:
    """True for a row with any error (NULL-safe)."""
    if not checks:
        return "false"
    return "(" + " OR ".join(f"coalesce({c.condition}, false)" for c in checks) + ")"


def run_checks(
    conn: duckdb.DuckDBPyConnection,
    relation: str,
    checks: Sequence[Check],
    report: FileReport,
    listed_per_check: int = LISTED_PER_CHECK,
) -> list[Check]:
    """Count every check's problems exactly (one pass) and list a few of each; returns the checks that failed.

    The bad rows are those any failed check flags: ``bad_row_sql`` of the returned checks.
    """
    counts = [f"count(*) FILTER (WHERE coalesce({c.condition}, false))" for c in checks]
    row = conn.execute(f"SELECT count(*){''.join(', ' + x for x in counts)} FROM {relation}").fetchone()
    assert row is not None
    report.rows = int(row[0])
    failed: list[Check] = []
    for check, n in zip(checks, row[1:], strict=True):
        if not n:
            continue
        failed.append(check)
        key = (check.kind, check.column)
        report.counts[key] = report.counts.get(key, 0) + int(n)
        report.severities[key] = Severity.ERROR
        detail = check.detail_sql or "NULL"
        listed = conn.execute(
            f"SELECT _row, CAST({check.value} AS VARCHAR), {detail} FROM {relation} "
            f"WHERE coalesce({check.condition}, false) ORDER BY _row LIMIT {int(listed_per_check)}"
        ).fetchall()
        for r, value, row_detail in listed:
            d = check.detail if row_detail is None else row_detail
            dzh = check.detail_zh if row_detail is None else row_detail
            report.listed.append(
                problem(report.file, int(r), check.column, check.kind, value=value or "", detail=d, detail_zh=dzh)
            )
    report.listed.sort(key=lambda p: (p.row, p.column))
    del report.listed[max(LISTED_PER_FILE, listed_per_check) :]
    return failed
