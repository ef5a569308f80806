"""Where a target's indicator should be by now, where it is, and where its trend leads.

* ``expected_at``: the straight path from the baseline to the target, read at a date; the
  office's "序时进度" for an indicator.
* ``path_position``: whether the latest value is at or beyond that path in the direction the
  target wants.
* ``project``: an ordinary-least-squares line through the series, read at the due date, and
  the plain sentence leaders read ("按当前趋势，2025年预计达到71.3%，目标≥80%，存在未达标风险").
  Fewer than three points give no projection: two points always fit a line exactly, which
  says nothing about a trend.
"""

from __future__ import annotations

import calendar
import datetime as dt

from yigai.domain.indicators import Direction
from yigai.domain.plan import Comparator
from yigai.evaluation.attainment import DEFAULT_TOLERANCE, attainment, effective_comparator
from yigai.evaluation.results import Observation, PathPosition, Projection

MIN_POINTS = 3

SENTENCE = "按当前趋势，{when}预计达到{value}，目标{target}，{verdict}"
SENTENCE_NO_TARGET = "按当前趋势，{when}预计达到{value}"
VERDICT_MET = "预计可达标"
VERDICT_NOT_MET = "存在未达标风险"
SENTENCE_DUE_PASSED = "完成时限{when}已到，最新值{value}（{period}），目标{target}，{verdict}"
VERDICT_REACHED = "已达标"
VERDICT_MISSED = "未达标"
NOT_ENOUGH_DATA = "数据不足（仅{n}个数据点），无法预测"
NO_DATA = "数据不足（无数据点），无法预测"
SAME_DATE = "数据不足（数据点均在同一时间），无法预测"
WHEN_YEAR = "{y}年"
WHEN_MONTH = "{y}年{m}月"
APPROX_SUFFIX = "左右"
RANGE_SEPARATOR = "～"
RATIO_PREFIX = "1∶"  # "1:x" targets such as 医护比 1∶2 (full-width colon, as printed)

# Units whose targets are counts: an integer target (10家, 2个) is projected as an integer.
COUNT_UNITS = frozenset({"张", "人", "名", "家", "个", "所", "项", "次", "床", "台", "辆", "人次", "万人次", "例"})
# Units rendered as a suffix with the leading "1" dropped ("12/10万").
_PER_UNITS = {"1/10万": "/10万", "1/万": "/万", "1/千": "/千"}


def fractional_year(day: dt.date) -> float:
    """A date as a year with fraction, counted to the end of the day: 2023-12-31 → 2024.0.

    Counting to the end of the day makes yearly period ends fall on whole numbers, so a
    yearly series has a slope in units per year exactly.
    """
    days = 366 if calendar.isleap(day.year) else 365
    return day.year + day.timetuple().tm_yday / days


def expected_at(
    baseline: float | None, baseline_date: dt.date | None, target: float | None, due: dt.date | None, at: dt.date
) -> float | None:
    """The value on the straight path baseline → target at ``at``, clamped to the segment."""
    if baseline is None or baseline_date is None or target is None or due is None:
        return None
    if due <= baseline_date:
        return target if at >= due else baseline
    share = (at - baseline_date).days / (due - baseline_date).days
    share = min(1.0, max(0.0, share))
    return baseline + (target - baseline) * share


def path_position(
    baseline: float | None,
    baseline_date: dt.date | None,
    target: float | None,
    due: dt.date | None,
    at: dt.date,
    actual: float | None,
    direction: Direction,
) -> PathPosition:
    """Is ``actual`` (observed at ``at``) at or beyond the expected value in the target's direction?

    A neutral indicator is judged by the direction of travel from baseline to target; when
    there is no travel the actual must equal the expected value (to 1e-9 relative).
    """
    expected = expected_at(baseline, baseline_date, target, due, at)
    if expected is None or actual is None:
        return PathPosition(expected=expected, actual=actual, ahead=None)
    eps = 1e-9 * max(1.0, abs(expected))
    sign = {Direction.HIGHER_IS_BETTER: 1.0, Direction.LOWER_IS_BETTER: -1.0}.get(direction)
    if sign is None:
        travel = (target or 0.0) - (baseline or 0.0)
        sign = 1.0 if travel > 0 else -1.0 if travel < 0 else 0.0
    if sign == 0.0:
        return PathPosition(expected=expected, actual=actual, ahead=abs(actual - expected) <= eps)
    return PathPosition(expected=expected, actual=actual, ahead=sign * (actual - expected) >= -eps)


def ols(xs: list[float], ys: list[float]) -> tuple[float, float] | None:
    """Intercept and slope of the least-squares line, or None when all x are equal."""
    n = len(xs)
    mx = sum(xs) / n
    my = sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx <= 1e-12:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return my - slope * mx, slope


# ------------------------------------------------------------------ rendering


def trim(x: float, decimals: int = 4) -> str:
    """Shortest rendering up to ``decimals``: 80.0 → "80", 7.480 → "7.48"."""
    text = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_unit(number: str, unit: str) -> str:
    """A number with its unit as Chinese documents print it: 80%, 7.48张, 12/10万, 1∶2."""
    if unit == "1:x":
        return f"{RATIO_PREFIX}{number}"
    return f"{number}{_PER_UNITS.get(unit, unit)}"


def target_text(
    comparator: Comparator | None,
    target: float | None,
    high: float | None,
    unit: str,
    direction: Direction = Direction.NEUTRAL,
) -> str:
    """``≥80%``, ``≤12/10万``, ``70%左右``, ``4～5名``, ``1个``, ``1∶2左右``."""
    if target is None:
        return ""
    comp = effective_comparator(comparator, direction)
    if comp is Comparator.RANGE and high is not None:
        if unit == "1:x":
            return f"{RATIO_PREFIX}{trim(target)}{RANGE_SEPARATOR}{trim(high)}"
        return f"{trim(target)}{RANGE_SEPARATOR}{with_unit(trim(high), unit)}"
    value = with_unit(trim(target), unit)
    if comp is Comparator.GE:
        return f"≥{value}"
    if comp is Comparator.LE:
        return f"≤{value}"
    if comp is Comparator.APPROX:
        return f"{value}{APPROX_SUFFIX}"
    return value


def _decimals(target: float | None, high: float | None, unit: str, observed: list[float]) -> int:
    """One decimal; none for counts (integer target and integer data in a count unit: 10家);
    two when the target itself has two (7.48张)."""
    values = [v for v in (target, high) if v is not None]
    if values and unit in COUNT_UNITS and all(float(v).is_integer() for v in values + observed):
        return 0
    if any(abs(v * 10 - round(v * 10)) > 1e-9 for v in values):
        return 2
    return 1


def when_text(due: dt.date) -> str:
    """A due date as leaders say it: year ends are "2025年", others "2023年6月"."""
    if (due.month, due.day) == (12, 31):
        return WHEN_YEAR.format(y=due.year)
    return WHEN_MONTH.format(y=due.year, m=due.month)


def due_passed_sentence(
    latest: Observation,
    due: dt.date,
    *,
    comparator: Comparator | None,
    target: float | None,
    high: float | None,
    unit: str,
    direction: Direction,
    tolerance: float = DEFAULT_TOLERANCE,
) -> str:
    """Once data for the due date is in, the statement is the outcome, not a forecast."""
    met = attainment(comparator, target, high, latest.value, direction, tolerance).met
    value = with_unit(f"{latest.value:.{_decimals(target, high, unit, [latest.value])}f}", unit)
    return SENTENCE_DUE_PASSED.format(
        when=when_text(due),
        value=value,
        period=latest.period.label,
        target=target_text(comparator, target, high, unit, direction),
        verdict=VERDICT_REACHED if met else VERDICT_MISSED,
    )


# ------------------------------------------------------------------ projection


def project(
    series: list[Observation],
    due: dt.date,
    *,
    comparator: Comparator | None = None,
    target: float | None = None,
    high: float | None = None,
    unit: str = "",
    direction: Direction = Direction.HIGHER_IS_BETTER,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Projection:
    """Least-squares trend of ``series`` (x = period end as a fractional year) read at ``due``.

    The projected value is not allowed below 0 when every observation is non-negative, nor
    above 100 (1000 for ‰) for a %/‰ series that stays within that bound: coverage rates
    cannot leave them and a straight line would.
    """
    points = sorted(series, key=lambda o: o.period.end)
    n = len(points)
    if n == 0:
        return Projection(enough_data=False, value_at_due=None, slope_per_year=None, points=0, sentence=NO_DATA)
    if n < MIN_POINTS:
        return Projection(
            enough_data=False, value_at_due=None, slope_per_year=None, points=n, sentence=NOT_ENOUGH_DATA.format(n=n)
        )
    xs = [fractional_year(o.period.end) for o in points]
    ys = [o.value for o in points]
    fit = ols(xs, ys)
    if fit is None:
        return Projection(enough_data=False, value_at_due=None, slope_per_year=None, points=n, sentence=SAME_DATE)
    intercept, slope = fit
    value = intercept + slope * fractional_year(due)
    if min(ys) >= 0:
        value = max(0.0, value)
        cap = {"%": 100.0, "‰": 1000.0}.get(unit)
        if cap is not None and max(ys) <= cap:
            value = min(cap, value)
    decimals = _decimals(target, high, unit, ys)
    shown = with_unit(f"{value:.{decimals}f}", unit)
    if target is None:
        sentence = SENTENCE_NO_TARGET.format(when=when_text(due), value=shown)
    else:  # judged on the value as printed, so the sentence never contradicts itself
        met = attainment(comparator, target, high, round(value, decimals), direction, tolerance).met
        sentence = SENTENCE.format(
            when=when_text(due),
            value=shown,
            target=target_text(comparator, target, high, unit, direction),
            verdict=VERDICT_MET if met else VERDICT_NOT_MET,
        )
    return Projection(enough_data=True, value_at_due=value, slope_per_year=slope, points=n, sentence=sentence)
