"""Does an indicator value make sense? Impossible values are refused; suspicious ones need a person's word.

Impossible: what the indicator's unit cannot take. A rate (%, ‰, 1/10万) is at most its whole
(100 %, 1000 ‰, 100000 per 10万) and no value is below zero, unless the indicator's definition
allows it (``IndicatorDef.over_100``, ``IndicatorDef.signed``: growth rates, 编制利用率).

Suspicious (held until confirmed, then saved and flagged), in the spirit of DHIS2's min-max
outlier detection:

* a jump: at least ``JUMP_FACTOR`` times, or at most 1/``JUMP_FACTOR`` of, the latest earlier
  value of the same indicator, org unit and period type (not for signed indicators: the ratio
  of two growth rates says nothing);
* outside the min-max range the office set for the indicator (``OutlierBounds``);
* outside the range its own history gives: mean ± ``HISTORY_SD`` standard deviations of at
  least ``HISTORY_MIN`` earlier values (the margin at least ``HISTORY_FLOOR`` of the mean, so a
  flat series does not flag every small change).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from yigai.domain.indicators import IndicatorDef, OutlierBounds

WHOLE = {"%": 100.0, "‰": 1000.0, "1/10万": 100000.0}
JUMP_FACTOR = 10.0
HISTORY_MIN = 4
HISTORY_WINDOW = 24  # the latest earlier values a new one is compared with (two years of months)
HISTORY_SD = 3.0
HISTORY_FLOOR = 0.1


@dataclass(frozen=True, slots=True)
class Earlier:
    """A value of an earlier period, as the checks compare against it."""

    label: str  # the period as people read it: 2026年第3季度
    value: float


@dataclass(frozen=True, slots=True)
class Concern:
    """Why a value looks wrong, in both languages."""

    kind: str  # "jump", "bounds" or "history"
    message: str
    message_zh: str


def fmt(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else f"{x:.6g}"


def unit_range(ind: IndicatorDef) -> tuple[float | None, float | None]:
    """The lowest and highest value the indicator can take at all (None: no limit)."""
    low = None if ind.signed else 0.0
    high = None if ind.over_100 else WHOLE.get(ind.unit.strip())
    return low, high


def impossible(ind: IndicatorDef, value: float) -> tuple[str, str] | None:
    """(English, Chinese) saying why ``value`` cannot be a value of ``ind``; None when it can."""
    low, high = unit_range(ind)
    unit = ind.unit.strip()
    if high is not None and value > high:
        return (
            f"{fmt(value)} {unit} is over {fmt(high)} {unit}, which {ind.name} cannot exceed "
            f"(if it legitimately can, set over_100: true in the indicator catalogue)",
            f"{ind.name}的数值 {fmt(value)}{unit} 超过 {fmt(high)}{unit}，按其单位不可能出现"
            f"（若该指标确可超过 {fmt(high)}{unit}，请在指标目录中设置 over_100: true）",
        )
    if low is not None and value < low:
        return (
            f"{fmt(value)} is below zero, which {ind.name} cannot be "
            f"(if it legitimately can, set signed: true in the indicator catalogue)",
            f"{ind.name}的数值 {fmt(value)} 小于 0，按其定义不可能出现（若该指标确可为负，请在指标目录中设置 signed: true）",
        )
    return None


def concerns(
    value: float, earlier: Sequence[Earlier], bounds: OutlierBounds | None, *, signed: bool = False
) -> list[Concern]:
    """Every reason ``value`` looks wrong, given the earlier values (oldest first) and the office's bounds."""
    found: list[Concern] = []
    if earlier and not signed:
        last = earlier[-1]
        ratio = value / last.value if last.value else None
        if ratio is not None and (ratio >= JUMP_FACTOR or ratio <= 1 / JUMP_FACTOR):
            times = f"{fmt(round(ratio, 1))} 倍" if ratio >= 1 else f"{fmt(round(ratio * 100, 1))}%"
            found.append(
                Concern(
                    "jump",
                    f"{fmt(value)} is {ratio:.3g} times the value of {last.label} ({fmt(last.value)})",
                    f"{fmt(value)} 是{last.label}数值（{fmt(last.value)}）的 {times}，变化异常",
                )
            )
    if bounds is not None:
        below = bounds.minimum is not None and value < bounds.minimum
        above = bounds.maximum is not None and value > bounds.maximum
        if below or above:
            span = (
                f"{fmt(bounds.minimum) if bounds.minimum is not None else '—'}–"
                f"{fmt(bounds.maximum) if bounds.maximum is not None else '—'}"
            )
            found.append(
                Concern(
                    "bounds", f"{fmt(value)} is outside the expected range {span}", f"{fmt(value)} 超出合理范围 {span}"
                )
            )
    history = [e.value for e in earlier]
    if len(history) >= HISTORY_MIN:
        mean = statistics.fmean(history)
        margin = max(HISTORY_SD * statistics.pstdev(history), HISTORY_FLOOR * abs(mean))
        low, high = mean - margin, mean + margin
        if not low <= value <= high:
            found.append(
                Concern(
                    "history",
                    f"{fmt(value)} is outside {fmt(round(low, 2))}–{fmt(round(high, 2))}, the range of the "
                    f"{len(history)} earlier values",
                    f"{fmt(value)} 超出以往 {len(history)} 期数值推算的范围 {fmt(round(low, 2))}–{fmt(round(high, 2))}",
                )
            )
    return found
