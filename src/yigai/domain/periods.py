"""Reporting periods: DHIS2-style ids inside (``2023`` ``2023S1`` ``2023Q4`` ``202312``), Chinese outside.

``parse_period`` is the one reader of a period wherever one is typed (command line,
forms, API, spreadsheet cells): it takes the ids and the ways people write periods
(2026年第4季度, 2026年四季度, 2026年下半年, 2026年12月, 2026年, 2026-12, full-width
digits). ``Period.label`` is how a period is shown to people, and reads back.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from yigai.domain.errors import YigaiError


class PeriodError(YigaiError):
    message_zh = "报告期格式错误"


class PeriodType(StrEnum):
    YEARLY = "yearly"
    SIX_MONTHLY = "six_monthly"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"


_MONTHS = {PeriodType.YEARLY: 12, PeriodType.SIX_MONTHLY: 6, PeriodType.QUARTERLY: 3, PeriodType.MONTHLY: 1}
_ID_RE = re.compile(r"^(?P<y>\d{4})(?:(?P<s>S[12])|(?P<q>Q[1-4])|(?P<m>0[1-9]|1[0-2]))?$")
_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
_N = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
# The ways people write a period, after NFKC, without spaces, upper case. Each names the year ``y`` and
# at most one of ``h`` (1 or 2, or 上/下), ``q`` (quarter) and ``m`` (month).
_WRITTEN = tuple(
    re.compile(p)
    for p in (
        r"^(?P<y>\d{4})(?:年|年度|年全年|全年)$",
        r"^(?P<y>\d{4})年?度?[-/]?(?:(?P<h>[上下])半年度?|[SH](?P<hn>[12]))$",
        r"^(?P<y>\d{4})年?度?[-/]?(?:第?(?P<q>" + _N + r")季度?|Q(?P<qn>\d))$",
        r"^(?P<y>\d{4})(?:年(?P<m>" + _N + r")月份?|[-/.](?P<mn>\d{1,2})月?)$",
    )
)
_FORMS_ZH = "2026年第4季度、2026年四季度、2026年上半年、2026年12月、2026年，或 2026Q4、2026S2、202612"
_FORMS_EN = "2026Q4, 2026S2, 202612, 2026, or as written in Chinese: 2026年第4季度, 2026年下半年, 2026年12月"
_LABEL = {
    PeriodType.YEARLY: "{y}年",
    PeriodType.SIX_MONTHLY: "{y}年{half}",
    PeriodType.QUARTERLY: "{y}年第{n}季度",
    PeriodType.MONTHLY: "{y}年{n}月",
}


@dataclass(frozen=True, slots=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    type: PeriodType
    id: str

    @property
    def label(self) -> str:
        """Chinese label: 2023年第四季度 → "2023年第4季度"."""
        n = (self.start.month - 1) // _MONTHS[self.type] + 1
        return _LABEL[self.type].format(y=self.start.year, n=n, half="上半年" if n == 1 else "下半年")

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def ended_by(self, day: dt.date) -> bool:
        """Over on ``day``: its last day is behind (a quarter ending 31 December has ended on 1 January)."""
        return self.end < day

    def next(self) -> Period:
        return period_containing(self.type, self.end + dt.timedelta(days=1))

    def previous(self) -> Period:
        return period_containing(self.type, self.start - dt.timedelta(days=1))


def _make(ptype: PeriodType, year: int, first_month: int) -> Period:
    last_month = first_month + _MONTHS[ptype] - 1
    start = dt.date(year, first_month, 1)
    end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    index = (first_month - 1) // _MONTHS[ptype] + 1
    pid = {
        PeriodType.YEARLY: f"{year}",
        PeriodType.SIX_MONTHLY: f"{year}S{index}",
        PeriodType.QUARTERLY: f"{year}Q{index}",
        PeriodType.MONTHLY: f"{year}{first_month:02d}",
    }[ptype]
    return Period(start, end, ptype, pid)


def parse_period(pid: str) -> Period:
    """``"2023Q4"``, ``"2023年第四季度"`` … → Period; raises PeriodError naming the bad text.

    Memoised: evaluation parses the same few dozen ids thousands of times per request.
    """
    if not isinstance(pid, str):
        raise PeriodError(f"not a period: {pid!r}", message_zh=f"报告期格式错误：{pid}", where="period")
    return _parse_period(pid)


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _CN_DIGITS[text]


def _bad(pid: str) -> PeriodError:
    return PeriodError(
        f"not a period: {pid!r} (write {_FORMS_EN})",
        message_zh=f"报告期格式错误：「{pid}」（可写作 {_FORMS_ZH}）",
        where="period",
    )


@functools.lru_cache(maxsize=8192)
def _parse_period(pid: str) -> Period:
    m = _ID_RE.match(pid.strip())
    if m:
        year = int(m.group("y"))
        if m.group("s"):
            return _make(PeriodType.SIX_MONTHLY, year, 1 if m.group("s") == "S1" else 7)
        if m.group("q"):
            return _make(PeriodType.QUARTERLY, year, 3 * (int(m.group("q")[1]) - 1) + 1)
        if m.group("m"):
            return _make(PeriodType.MONTHLY, year, int(m.group("m")))
        return _make(PeriodType.YEARLY, year, 1)
    return _parse_written(pid)


def _parse_written(pid: str) -> Period:
    """The ways people write periods (see ``_WRITTEN``)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", pid)).upper()
    for pattern in _WRITTEN:
        m = pattern.match(text)
        if not m:
            continue
        year, parts = int(m.group("y")), m.groupdict()
        if parts.get("h") or parts.get("hn"):
            half = 1 if parts.get("h") == "上" or parts.get("hn") == "1" else 2
            return _make(PeriodType.SIX_MONTHLY, year, 1 if half == 1 else 7)
        if parts.get("q") or parts.get("qn"):
            quarter = _number(parts.get("q") or parts["qn"])
            if not 1 <= quarter <= 4:
                break
            return _make(PeriodType.QUARTERLY, year, 3 * (quarter - 1) + 1)
        if parts.get("m") or parts.get("mn"):
            month = _number(parts.get("m") or parts["mn"])
            if not 1 <= month <= 12:
                break
            return _make(PeriodType.MONTHLY, year, month)
        return _make(PeriodType.YEARLY, year, 1)
    raise _bad(pid)


def period_label(pid: str) -> str:
    """How a stored period id is shown to people: ``2026S2`` → 2026年下半年 (unreadable text as it is)."""
    try:
        return parse_period(pid).label
    except PeriodError:
        return pid


def span_label(first: str, last: str) -> str:
    """A schedule's span for people: 2021年第3季度至2023年第4季度."""
    return f"{period_label(first)}至{period_label(last)}"


def period_containing(ptype: PeriodType, day: dt.date) -> Period:
    months = _MONTHS[ptype]
    first = ((day.month - 1) // months) * months + 1
    return _make(ptype, day.year, first)


def periods_between(first: str | Period, last: str | Period) -> list[Period]:
    """Every period from ``first`` to ``last`` inclusive (same type)."""
    a = parse_period(first) if isinstance(first, str) else first
    b = parse_period(last) if isinstance(last, str) else last
    if a.type is not b.type:
        raise PeriodError(
            f"{a.id} and {b.id} are periods of different types",
            message_zh=f"{a.id} 与 {b.id} 的报告期类型不同",
            where="period",
        )
    if b.start < a.start:
        raise PeriodError(
            f"{b.id} is before {a.id}", message_zh=f"结束报告期 {b.id} 早于开始报告期 {a.id}", where="period"
        )
    out = [a]
    while out[-1].id != b.id:
        out.append(out[-1].next())
    return out
