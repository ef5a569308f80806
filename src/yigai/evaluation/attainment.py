"""Target attainment: is a value on the right side of a plan target, and how close is it?

Every target is reduced to a *band* ``[low, high]`` (either end may be open) before it is
judged, so that ≥, ≤, =, ≈ and ranges share one rule for "met", one for the gap and one for
partial credit:

==========  =====================  ==========================================================
comparator  direction              band
==========  =====================  ==========================================================
≥           any                    [t, +∞)
≤           any                    (−∞, t]
=           higher is better       [t, +∞)      (exceeding a count to reach is no failure)
=           lower is better        (−∞, t]
=           neutral                [t, t]       (within a tiny epsilon)
≈ (左右)     higher is better       [t − tol·|t|, +∞)
≈ (左右)     lower is better        (−∞, t + tol·|t|]
≈ (左右)     neutral                [t − tol·|t|, t + tol·|t|]
range       any                    [low, high]
None        higher / lower / —     as ≥ / ≤ / =
==========  =====================  ==========================================================

Scores (0-1) are 1 inside the band. Outside, with ``d`` the distance to the violated edge
``b`` and ``s = |b|`` (or 1 when ``b`` is 0):

* below a lower edge: ``max(0, 1 − d/s)`` — for a positive edge that is ``value / b``;
* above an upper edge: ``1 / (1 + d/s)`` — for a positive edge that is ``b / value``.

Both equal 1 at the edge and fall as the value moves away, so the score is monotone in the
value on each side of the band. The gap is signed so that negative means short of the
target: the distance past the violated edge as a negative number, or, when met, the margin
to the nearest edge (0 for an exact hit).
"""

from __future__ import annotations

import math

from yigai.domain.indicators import Direction
from yigai.domain.plan import Comparator
from yigai.evaluation.results import Attainment

NOTE_NO_DATA = "无数据"
NOTE_NO_TARGET = "无目标值"
NOTE_MET = "已达标"
NOTE_NOT_MET = "未达标"

DEFAULT_TOLERANCE = 0.05
_REL_EPS = 1e-9  # "=" is exact up to this relative epsilon (floating-point noise only)

_BY_DIRECTION = {
    Direction.HIGHER_IS_BETTER: Comparator.GE,
    Direction.LOWER_IS_BETTER: Comparator.LE,
    Direction.NEUTRAL: Comparator.EQ,
}


def effective_comparator(comparator: Comparator | None, direction: Direction) -> Comparator:
    """A target without a comparator is read by the indicator's direction."""
    return comparator if comparator is not None else _BY_DIRECTION[direction]


def band(
    comparator: Comparator | None,
    target: float,
    high: float | None,
    direction: Direction,
    tolerance: float = DEFAULT_TOLERANCE,
) -> tuple[float | None, float | None]:
    """The ``(low, high)`` band a value must fall in for the target to be met (None = open)."""
    comp = effective_comparator(comparator, direction)
    if comp is Comparator.GE:
        return target, None
    if comp is Comparator.LE:
        return None, target
    if comp is Comparator.RANGE:
        if high is None:  # a range with one end reads as an exact value
            return _two_sided(target, 0.0, direction)
        low, up = sorted((target, high))
        return low, up
    slack = abs(target) * tolerance if comp is Comparator.APPROX else 0.0
    return _two_sided(target, slack, direction)


def _two_sided(target: float, slack: float, direction: Direction) -> tuple[float | None, float | None]:
    if direction is Direction.HIGHER_IS_BETTER:
        return target - slack, None
    if direction is Direction.LOWER_IS_BETTER:
        return None, target + slack
    return target - slack, target + slack


def _scale(edge: float) -> float:
    return abs(edge) if abs(edge) > 1e-12 else 1.0


def _eps(edge: float) -> float:
    return _REL_EPS * max(1.0, abs(edge))


def attainment(
    comparator: Comparator | None,
    target: float | None,
    high: float | None,
    value: float | None,
    direction: Direction,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Attainment:
    """Judge ``value`` against a target; see the module docstring for the rules.

    ``target`` is the target value (the low end of a range), ``high`` the high end of a range.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Attainment(met=None, score=0.0, gap=None, note=NOTE_NO_DATA)
    if target is None:
        return Attainment(met=None, score=0.0, gap=None, note=NOTE_NO_TARGET)
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    low, up = band(comparator, target, high, direction, tolerance)
    if low is not None and value < low - _eps(low):
        d = low - value
        return Attainment(met=False, score=max(0.0, 1.0 - d / _scale(low)), gap=-d, note=NOTE_NOT_MET)
    if up is not None and value > up + _eps(up):
        d = value - up
        return Attainment(met=False, score=1.0 / (1.0 + d / _scale(up)), gap=-d, note=NOTE_NOT_MET)
    margins = [
        m
        for m in ((value - low) if low is not None else None, (up - value) if up is not None else None)
        if m is not None
    ]
    return Attainment(met=True, score=1.0, gap=max(0.0, min(margins)), note=NOTE_MET)
