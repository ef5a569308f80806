from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigai.domain.periods import PeriodError, PeriodType, parse_period, period_containing, periods_between


def test_ids_of_every_type() -> None:
    assert parse_period("2023").end == dt.date(2023, 12, 31)
    assert (parse_period("2023S2").start, parse_period("2023S2").end) == (dt.date(2023, 7, 1), dt.date(2023, 12, 31))
    assert (parse_period("2023Q1").start, parse_period("2023Q1").end) == (dt.date(2023, 1, 1), dt.date(2023, 3, 31))
    assert parse_period("202402").end == dt.date(2024, 2, 29)
    assert parse_period("2023Q4").label == "2023年第4季度"


def test_range_of_quarters() -> None:
    ids = [p.id for p in periods_between("2021Q3", "2023Q4")]
    assert ids[0] == "2021Q3" and ids[-1] == "2023Q4" and len(ids) == 10


@pytest.mark.parametrize("bad", ["", "2023Q5", "2023M1", "23Q1", "2023S3", "202313", "abc"])
def test_bad_ids_are_refused(bad: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_mixed_types_and_reversed_ranges_are_refused() -> None:
    with pytest.raises(PeriodError):
        periods_between("2023Q1", "2023")
    with pytest.raises(PeriodError):
        periods_between("2023Q4", "2023Q1")


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)), st.sampled_from(list(PeriodType)))
def test_period_containing_round_trips(day: dt.date, ptype: PeriodType) -> None:
    p = period_containing(ptype, day)
    assert p.contains(day)
    assert parse_period(p.id) == p
    assert p.next().start == p.end + dt.timedelta(days=1)
    assert p.next().previous() == p
