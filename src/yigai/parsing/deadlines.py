"""Deadlines: explicit 完成时间 phrases and dates mentioned in running text."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from yigai.domain.plan import Deadline, DeadlineKind

FIVE_YEAR_PLANS = {"十一五": 2010, "十二五": 2015, "十三五": 2020, "十四五": 2025, "十五五": 2030}

_KIND_PATTERNS: list[tuple[DeadlineKind, re.Pattern[str]]] = [
    (DeadlineKind.CONTINUOUS, re.compile(r"持续(?:实施|推进|开展)|长期(?:坚持|实施|推进)|常态化")),
    (DeadlineKind.BY_SCHEDULE, re.compile(r"按(?:照)?序时进度")),
    (DeadlineKind.BY_SUPERIORS, re.compile(r"按(?:照)?(?:国家|省|市|上级)[^。]{0,12}?(?:部署|要求|安排|规定)")),
    (DeadlineKind.ADJUST_AS_NEEDED, re.compile(r"适时(?:调整|推进|开展)|根据需要")),
]

_DATE_RE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*(?:"
    r"(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*日|(?P<mend>底|末))?"
    r"|(?P<half>上半年|下半年)"
    r"|(?:第)?(?P<quarter>[一二三四1-4])\s*季度"
    r"|(?P<yend>底|末|年底|年末)"
    r")?"
)
_PLAN_END_RE = re.compile(r"[“\"]?(十[一二三四五]五)[”\"]?(?:期末|末|时期末|期间)")

_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True, slots=True)
class DateMention:
    date: dt.date
    raw: str
    start: int
    end: int
    year_only: bool


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_TITLE_RE = re.compile(r"《[^《》]{0,80}》")


def find_dates(text: str) -> list[DateMention]:
    """Every date or period end mentioned in ``text`` (normalised), in order."""
    found: list[DateMention] = []
    titles = [t.span() for t in _TITLE_RE.finditer(text)] if "《" in text else []
    for m in _DATE_RE.finditer(text):
        year = int(m.group("year"))
        # A year followed by 〔…〕 or 号 is a document number, not a date.
        if m.start() > 0 and text[m.start() - 1] in "〔[":
            continue
        if any(a < m.start() < b for a, b in titles):
            continue  # 《2025年…工作要点》 names a document
        year_only = False
        try:
            if m.group("month"):
                month = int(m.group("month"))
                if not 1 <= month <= 12:
                    continue
                if m.group("day"):
                    date = dt.date(year, month, int(m.group("day")))
                else:
                    date = _month_end(year, month)
            elif m.group("half"):
                date = dt.date(year, 6, 30) if m.group("half") == "上半年" else dt.date(year, 12, 31)
            elif m.group("quarter"):
                date = _month_end(year, 3 * _QUARTER[m.group("quarter")])
            else:
                date = dt.date(year, 12, 31)
                year_only = not m.group("yend")
        except ValueError:
            continue
        if year_only and text[m.end() : m.end() + 1] in "-—~至到" and re.match(r"[-—~至到]\d{4}", text[m.end() :]):
            continue  # the first year of a range such as 2020-2030年
        found.append(DateMention(date, m.group(0), m.start(), m.end(), year_only))
    for m in _PLAN_END_RE.finditer(text):
        plan_end = FIVE_YEAR_PLANS.get(m.group(1))
        if plan_end:
            found.append(DateMention(dt.date(plan_end, 12, 31), m.group(0), m.start(), m.end(), False))
    found.sort(key=lambda d: d.start)
    return found


def parse_deadline(text: str) -> Deadline:
    """An explicit 完成时间 cell or phrase → Deadline (raw text kept)."""
    raw = re.sub(r"\s+", "", text)
    if not raw:
        return Deadline(DeadlineKind.UNSPECIFIED)
    dates = find_dates(raw)
    if dates:
        latest = max(dates, key=lambda d: d.date)
        return Deadline(DeadlineKind.DATE, latest.date, raw)
    for kind, rx in _KIND_PATTERNS:
        if rx.search(raw):
            return Deadline(kind, None, raw)
    return Deadline(DeadlineKind.UNSPECIFIED, None, raw)


def deadline_kind_in(text: str) -> tuple[DeadlineKind, re.Match[str]] | None:
    """A non-date deadline phrase in running text (持续推进 …), if any.

    常态化 is left out here: in prose it qualifies a noun (常态化、制度化建设) rather than
    stating a timetable; in a 完成时间 cell it does mean continuous.
    """
    for kind, rx in _KIND_PATTERNS:
        for m in rx.finditer(text):
            if m.group(0) != "常态化":
                return kind, m
    return None
