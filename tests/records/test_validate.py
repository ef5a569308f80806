"""The value parsers (run by DuckDB, as in a load) and the report's counting."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yigai.records.validate import (
    FALSE_TOKENS,
    TRUE_TOKENS,
    WHITESPACE,
    FileReport,
    Kind,
    Severity,
    boolean_sql,
    date_sql,
    decimal_sql,
    integer_sql,
    problem,
)

_CONN = duckdb.connect()


def _eval(sql_of, text: str | None) -> object:  # type: ignore[no-untyped-def]
    row = _CONN.execute(f"SELECT {sql_of('CAST($v AS VARCHAR)')}", {"v": text}).fetchone()
    assert row is not None
    return row[0]


_DATE_SHAPES = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: d.strftime("%Y.%m.%d"),
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f" {d.isoformat()} 00:00:00",
    lambda d: f"{d.isoformat()}T08:30",
]


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)), st.sampled_from(_DATE_SHAPES))
def test_every_accepted_date_shape_parses_to_the_same_day(day: dt.date, shape) -> None:  # type: ignore[no-untyped-def]
    assert _eval(date_sql, shape(day)) == day


@pytest.mark.parametrize("text", ["2023-02-30", "2023-13-01", "31/01/2023", "2023-01-05x", "yesterday", "", "  "])
def test_impossible_or_foreign_dates_do_not_parse(text: str) -> None:
    assert _eval(date_sql, text) is None


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_numbers_parse_plain_with_thousands_separators_and_a_zero_fraction(n: int) -> None:
    assert _eval(integer_sql, str(n)) == n
    assert _eval(integer_sql, f"{n:,}") == n
    assert _eval(integer_sql, f" {n}.0 ") == n
    assert _eval(decimal_sql, f"{n:,}") == float(n)


@settings(max_examples=150, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_decimals_round_trip_through_their_text(x: float) -> None:
    assert _eval(decimal_sql, repr(x)) == x


@pytest.mark.parametrize("text", ["12.5", "1e3", "abc", "0x10", "1_000", "", "12,34"])
def test_integers_refuse_fractions_and_foreign_notations(text: str) -> None:
    assert _eval(integer_sql, text) is None


@pytest.mark.parametrize("text", ["inf", "nan", "-Infinity", "1,2,3", "12元", "", "1_000", "--1"])
def test_decimals_refuse_non_finite_and_foreign_text(text: str) -> None:
    assert _eval(decimal_sql, text) is None


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([(t, True) for t in TRUE_TOKENS] + [(t, False) for t in FALSE_TOKENS]),
    st.booleans(),
    st.sampled_from(["", " ", "\t", "\u3000"]),
)
def test_boolean_tokens_in_any_case_with_spaces(token: tuple[str, bool], upper: bool, pad: str) -> None:
    text, value = token
    assert _eval(boolean_sql, pad + (text.upper() if upper else text) + pad) is value


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=6))
def test_any_other_text_is_not_a_boolean(text: str) -> None:
    expected = {**{t: True for t in TRUE_TOKENS}, **{t: False for t in FALSE_TOKENS}}.get(
        text.strip(WHITESPACE).lower()
    )
    assert _eval(boolean_sql, text) is expected


def test_the_accepted_boolean_spellings_are_the_documented_ones() -> None:
    assert set(TRUE_TOKENS) == {"true", "1", "是", "y"} and set(FALSE_TOKENS) == {"false", "0", "否", "n"}


def test_a_report_counts_errors_and_warnings_apart_and_knows_how_many_are_unlisted() -> None:
    report = FileReport("visits.csv", "outpatient_visits")
    report.add(problem("visits.csv", 1, "extra", Kind.UNKNOWN_COLUMN, severity=Severity.WARNING))
    report.add(
        problem("visits.csv", 7, "visit_date", Kind.TYPE, value="x", detail="a date", detail_zh="日期"), count=40
    )
    assert (report.errors, report.warnings, len(report.listed), report.unlisted) == (40, 1, 2, 39)
    assert str(report.listed[1]) == "visits.csv, row 7, visit_date: “x”不是日期 / 'x' is not a date"
