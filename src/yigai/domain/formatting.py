"""Numbers, percentages and dates as an office writes them: one set of helpers for every layer.

The evaluation's sentences, the bulletin (Word, Excel, HTML), the web pages and the command
line print 85.7%, 60%, 1,234.5 and 2024年3月1日 alike because they all format here.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

_T = TypeVar("_T")

NONE_TEXT = "—"
_DIGITS = "零一二三四五六七八九"


def fmt_rate(rate: float | None) -> str:
    """A 0-1 fraction as a percentage: 0.8571 → "85.7%"."""
    return NONE_TEXT if rate is None else f"{rate * 100:.1f}%"


def fmt_percent(percent: float | None) -> str:
    """A 0-100 percent complete: 60 → "60%"."""
    return NONE_TEXT if percent is None else f"{percent:.4g}%"


def fmt_number(value: float | None, unit: str = "") -> str:
    """Thousands separated, at most two decimals, no trailing zeros: 1234.50 → "1,234.5"."""
    if value is None:
        return NONE_TEXT
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def fmt_date(day: dt.date | None) -> str:
    """2024年3月1日 (— for none)."""
    return NONE_TEXT if day is None else f"{day.year}年{day.month}月{day.day}日"


def percent_text(p: float) -> str:
    """A percent without its sign, in a sentence: 60 → "60", 62.5 → "62.5"."""
    return f"{p:.0f}" if float(p).is_integer() else f"{p:.1f}"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 17 → 十七, 20 → 二十, 35 → 三十五 (as in （十七）)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


# Cells starting with these are formulas (or DDE) to Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def runs_as_formula(value: object) -> bool:
    """Whether a spreadsheet would evaluate this cell text (the one rule every export applies)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def escape_formula(value: _T) -> _T | str:
    """Prefix text that a spreadsheet would evaluate with an apostrophe (CSV and plain XLSX cells)."""
    if runs_as_formula(value):
        return "'" + str(value)
    return value
