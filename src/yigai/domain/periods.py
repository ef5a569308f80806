"""Reporting periods with DHIS2-style ids: ``2023`` ``2023S1`` ``2023Q4`` ``202312``."""

from __future__ import annotations

import calendar
import functools
import datetime as dt
import re
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
_LABEL = {PeriodType.YEARLY: "{y}年", PeriodType.SIX_MONTHLY: "{y}年{half}", PeriodType.QUARTERLY: "{y}年第{n}季度",
          PeriodType.MONTHLY: "{y}年{n}月"}


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
    """``"2023Q4"`` → Period; raises PeriodError naming the bad id.

    Memoised: evaluation parses the same few dozen ids thousands of times per request.
    """
    if not isinstance(pid, str):
        raise PeriodError(f"not a period id: {pid!r}", message_zh=f"报告期格式错误：{pid}", where="period")
    return _parse_period(pid)


@functools.lru_cache(maxsize=8192)
def _parse_period(pid: str) -> Period:
    m = _ID_RE.match(pid.strip())
    if not m:
        raise PeriodError(
            f"not a period id: {pid!r} (expected 2023, 2023S1, 2023Q4 or 202312)",
            message_zh=f"报告期格式错误：{pid}（应为 2023、2023S1、2023Q4 或 202312）",
            where="period",
        )
    year = int(m.group("y"))
    if m.group("s"):
        return _make(PeriodType.SIX_MONTHLY, year, 1 if m.group("s") == "S1" else 7)
    if m.group("q"):
        return _make(PeriodType.QUARTERLY, year, 3 * (int(m.group("q")[1]) - 1) + 1)
    if m.group("m"):
        return _make(PeriodType.MONTHLY, year, int(m.group("m")))
    return _make(PeriodType.YEARLY, year, 1)


def period_containing(ptype: PeriodType, day: dt.date) -> Period:
    months = _MONTHS[ptype]
    first = ((day.month - 1) // months) * months + 1
    return _make(ptype, day.year, first)


def periods_between(first: str | Period, last: str | Period) -> list[Period]:
    """Every period from ``first`` to ``last`` inclusive (same type)."""
    a = parse_period(first) if isinstance(first, str) else first
    b = parse_period(last) if isinstance(last, str) else last
    if a.type is not b.type:
        raise PeriodError(f"{a.id} and {b.id} are periods of different types",
                          message_zh=f"{a.id} 与 {b.id} 的报告期类型不同", where="period")
    if b.start < a.start:
        raise PeriodError(f"{b.id} is before {a.id}", message_zh=f"结束报告期 {b.id} 早于开始报告期 {a.id}", where="period")
    out = [a]
    while out[-1].id != b.id:
        out.append(out[-1].next())
    return out
