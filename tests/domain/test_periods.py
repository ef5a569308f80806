from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigai.domain.periods import (
    Period,
    PeriodError,
    PeriodType,
    parse_period,
    period_containing,
    period_label,
    periods_between,
    span_label,
)


def test_ids_of_every_type() -> None:
    assert parse_period("2023").end == dt.date(2023, 12, 31)
    assert (parse_period("2023S2").start, parse_period("2023S2").end) == (dt.date(2023, 7, 1), dt.date(2023, 12, 31))
    assert (parse_period("2023Q1").start, parse_period("2023Q1").end) == (dt.date(2023, 1, 1), dt.date(2023, 3, 31))
    assert parse_period("202402").end == dt.date(2024, 2, 29)
    assert parse_period("2023Q4").label == "2023年第4季度"


def test_range_of_quarters() -> None:
    ids = [p.id for p in periods_between("2021Q3", "2023Q4")]
    assert ids[0] == "2021Q3" and ids[-1] == "2023Q4" and len(ids) == 10


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "2023Q5",
        "2023M1",
        "23Q1",
        "2023S3",
        "202313",
        "abc",
        "2023年第5季度",
        "2023年五季度",
        "2023年13月",
        "2023年十三月",
        "2023年0月",
        "2023-13",
        "二〇二三年",
        "2023年中半年",
        "2023Q4季度",
        "第4季度",
        "2023年第4季度2",
    ],
)
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


@pytest.mark.parametrize(
    ("written", "pid"),
    [
        ("2026Q4", "2026Q4"),
        ("2026年第4季度", "2026Q4"),
        ("2026年四季度", "2026Q4"),
        ("2026年第四季度", "2026Q4"),
        ("2026年4季度", "2026Q4"),
        ("2026年第1季", "2026Q1"),
        ("2026年Q4", "2026Q4"),
        ("2026-Q4", "2026Q4"),
        ("2026q4", "2026Q4"),
        ("２０２６年第４季度", "2026Q4"),
        (" 2026 年 第 4 季度 ", "2026Q4"),
        ("2026年上半年", "2026S1"),
        ("2026年下半年", "2026S2"),
        ("2026S2", "2026S2"),
        ("2026H1", "2026S1"),
        ("2026年度下半年", "2026S2"),
        ("2026年12月", "202612"),
        ("2026年1月", "202601"),
        ("2026年01月", "202601"),
        ("2026年十二月", "202612"),
        ("2026年三月份", "202603"),
        ("2026-12", "202612"),
        ("2026.3", "202603"),
        ("202612", "202612"),
        ("2026年", "2026"),
        ("2026年度", "2026"),
        ("2026全年", "2026"),
        ("2026", "2026"),
    ],
)
def test_periods_as_people_write_them(written: str, pid: str) -> None:
    assert parse_period(written).id == pid


def test_the_refusal_says_how_to_write_a_period() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("2026年第5季度")
    assert "2026年第4季度" in caught.value.message_zh and "2026年上半年" in caught.value.message_zh
    assert caught.value.where == "period" and "2026Q4" in str(caught.value)


_CN = {
    1: "一",
    2: "二",
    3: "三",
    4: "四",
    5: "五",
    6: "六",
    7: "七",
    8: "八",
    9: "九",
    10: "十",
    11: "十一",
    12: "十二",
}
_periods = st.builds(
    period_containing,
    st.sampled_from(list(PeriodType)),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
)


def _spellings(p: Period) -> list[str]:
    """Other ways a person writes ``p``: Chinese numerals, without 第, full-width digits, spaces."""
    y = p.start.year
    n = (p.start.month - 1) // {
        PeriodType.YEARLY: 12,
        PeriodType.SIX_MONTHLY: 6,
        PeriodType.QUARTERLY: 3,
        PeriodType.MONTHLY: 1,
    }[p.type] + 1
    forms = {
        PeriodType.YEARLY: [f"{y}年度", f"{y}"],
        PeriodType.SIX_MONTHLY: [f"{y}年{'上' if n == 1 else '下'}半年度", f"{y}H{n}"],
        PeriodType.QUARTERLY: [f"{y}年第{_CN[n]}季度", f"{y}年{_CN[n]}季度", f"{y}年{n}季度", f"{y}-Q{n}"],
        PeriodType.MONTHLY: [f"{y}年{_CN[n]}月", f"{y}年{n:02d}月", f"{y}-{n}"],
    }[p.type]
    full_width = p.label.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return [*forms, full_width, " ".join(p.label)]


@given(_periods)
def test_label_and_id_read_back(p: Period) -> None:
    assert parse_period(p.label) == p
    assert parse_period(p.id) == p
    assert period_label(p.id) == p.label


@given(_periods)
def test_every_spelling_reads_as_the_same_period(p: Period) -> None:
    for spelling in _spellings(p):
        assert parse_period(spelling) == p, spelling


@given(st.text(max_size=12))
def test_any_text_is_a_period_or_a_period_error(text: str) -> None:
    try:
        p = parse_period(text)
    except PeriodError:
        return
    assert parse_period(p.label) == p


def test_labels_for_people() -> None:
    assert [parse_period(p).label for p in ("2026", "2026S1", "2026S2", "2026Q4", "202612")] == [
        "2026年",
        "2026年上半年",
        "2026年下半年",
        "2026年第4季度",
        "2026年12月",
    ]
    assert span_label("2026S2", "2027S2") == "2026年下半年至2027年下半年"
    assert period_label("not a period") == "not a period"
