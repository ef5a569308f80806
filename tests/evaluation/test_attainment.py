"""Attainment: a hand-computed table over every comparator and direction, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigai.domain.indicators import Direction
from yigai.domain.plan import Comparator
from yigai.evaluation import attainment

GE, LE, EQ, APPROX, RANGE = Comparator.GE, Comparator.LE, Comparator.EQ, Comparator.APPROX, Comparator.RANGE
H, L, N = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.NEUTRAL

# (comparator, target, high, value, direction, tolerance, met, score, gap) — worked by hand:
# below a lower edge b the score is value/b, above an upper edge b it is b/value; the gap is
# the distance past the edge as a negative number, or the margin to the nearest edge when met.
TABLE = [
    # ≥ (以上 / 不低于)
    ("ge above", GE, 80, None, 85, H, 0.05, True, 1.0, 5.0),
    ("ge at", GE, 80, None, 80, H, 0.05, True, 1.0, 0.0),
    ("ge short", GE, 80, None, 60, H, 0.05, False, 0.75, -20.0),  # 60/80
    ("ge far below zero", GE, 80, None, -10, H, 0.05, False, 0.0, -90.0),  # 1 − 90/80 < 0 → 0
    ("ge wins over lower direction", GE, 80, None, 60, L, 0.05, False, 0.75, -20.0),
    ("ge zero target", GE, 0, None, -0.5, H, 0.05, False, 0.5, -0.5),  # scale 1: 1 − 0.5
    # ≤ (以下 / 不高于 / 控制在)
    ("le below", LE, 12, None, 10, L, 0.05, True, 1.0, 2.0),
    ("le over", LE, 12, None, 15, L, 0.05, False, 0.8, -3.0),  # 12/15
    ("le over with higher direction", LE, 12, None, 24, H, 0.05, False, 0.5, -12.0),  # 12/24
    ("le zero target", LE, 0, None, 0.5, L, 0.05, False, 1 / 1.5, -0.5),  # 1/(1+0.5)
    # = exact for neutral, a count to reach for higher, a ceiling for lower
    ("eq exact", EQ, 1, None, 1, N, 0.05, True, 1.0, 0.0),
    ("eq within epsilon", EQ, 1, None, 1 + 1e-12, N, 0.05, True, 1.0, 0.0),
    ("eq neutral below", EQ, 40, None, 38, N, 0.05, False, 0.95, -2.0),  # 38/40
    ("eq neutral above", EQ, 40, None, 44, N, 0.05, False, 40 / 44, -4.0),
    ("eq higher exceeded", EQ, 2, None, 3, H, 0.05, True, 1.0, 1.0),
    ("eq lower exceeded", EQ, 2, None, 3, L, 0.05, False, 2 / 3, -1.0),
    # ≈ (左右), ±5 % of 70 = band 66.5 … 73.5
    ("approx centre", APPROX, 70, None, 70, N, 0.05, True, 1.0, 3.5),
    ("approx low edge", APPROX, 70, None, 66.5, N, 0.05, True, 1.0, 0.0),
    ("approx high edge", APPROX, 70, None, 73.5, N, 0.05, True, 1.0, 0.0),
    ("approx just below", APPROX, 70, None, 66.4, N, 0.05, False, 66.4 / 66.5, -0.1),
    ("approx just above", APPROX, 70, None, 73.6, N, 0.05, False, 73.5 / 73.6, -0.1),
    ("approx higher may exceed", APPROX, 70, None, 80, H, 0.05, True, 1.0, 13.5),
    ("approx higher just below", APPROX, 70, None, 66.4, H, 0.05, False, 66.4 / 66.5, -0.1),
    ("approx lower at edge", APPROX, 4, None, 4.2, L, 0.05, True, 1.0, 0.0),  # 婴儿死亡率4‰左右
    ("approx lower beyond", APPROX, 4, None, 4.3, L, 0.05, False, 4.2 / 4.3, -0.1),
    ("approx lower under", APPROX, 4, None, 1, L, 0.05, True, 1.0, 3.2),
    ("approx wider tolerance", APPROX, 70, None, 63, N, 0.10, True, 1.0, 0.0),
    ("approx wider tolerance beyond", APPROX, 70, None, 62, N, 0.10, False, 62 / 63, -1.0),
    # ranges (4～5名, 3-5倍)
    ("range inside", RANGE, 4, 5, 4.5, H, 0.05, True, 1.0, 0.5),
    ("range low edge", RANGE, 4, 5, 4, H, 0.05, True, 1.0, 0.0),
    ("range below", RANGE, 4, 5, 3, H, 0.05, False, 0.75, -1.0),  # 3/4
    ("range above", RANGE, 4, 5, 6, L, 0.05, False, 5 / 6, -1.0),
    ("range reversed ends", RANGE, 5, 4, 6, N, 0.05, False, 5 / 6, -1.0),
    ("range with one end", RANGE, 3, None, 3, N, 0.05, True, 1.0, 0.0),
    # no comparator: read by the direction
    ("none higher", None, 80, None, 70, H, 0.05, False, 0.875, -10.0),
    ("none lower", None, 12, None, 15, L, 0.05, False, 0.8, -3.0),
    ("none neutral", None, 40, None, 40, N, 0.05, True, 1.0, 0.0),
]


@pytest.mark.parametrize(
    ("name", "comp", "target", "high", "value", "direction", "tol", "met", "score", "gap"),
    TABLE,
    ids=[row[0] for row in TABLE],
)
def test_hand_computed_table(
    name: str,
    comp: Comparator | None,
    target: float,
    high: float | None,
    value: float,
    direction: Direction,
    tol: float,
    met: bool,
    score: float,
    gap: float,
) -> None:
    a = attainment(comp, target, high, value, direction, tol)
    assert a.met is met
    assert a.score == pytest.approx(score, abs=1e-9)
    assert a.gap == pytest.approx(gap, abs=1e-9)
    assert a.note == ("已达标" if met else "未达标")


def test_missing_value_is_not_judged() -> None:
    a = attainment(GE, 80, None, None, H)
    assert (a.met, a.score, a.gap, a.note) == (None, 0.0, None, "无数据")
    assert attainment(GE, 80, None, float("nan"), H).note == "无数据"


def test_missing_target_is_not_judged() -> None:
    a = attainment(None, None, None, 50, H)
    assert (a.met, a.score, a.gap, a.note) == (None, 0.0, None, "无目标值")


def test_negative_tolerance_is_refused() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        attainment(APPROX, 70, None, 70, N, -0.1)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
comparators = st.sampled_from([GE, LE, EQ, APPROX, RANGE, None])
directions = st.sampled_from([H, L, N])


@given(comparators, finite, st.none() | finite, finite, directions, st.floats(0, 0.5))
def test_score_is_within_0_and_1_and_met_scores_1(
    comp: Comparator | None, target: float, high: float | None, value: float, direction: Direction, tol: float
) -> None:
    a = attainment(comp, target, high, value, direction, tol)
    assert 0.0 <= a.score <= 1.0
    assert a.met is not None
    if a.met:
        assert a.score == 1.0 and a.gap is not None and a.gap >= 0
    else:
        assert a.gap is not None and a.gap < 0


@given(finite, finite, finite)
def test_ge_higher_is_monotone_in_value(target: float, v1: float, v2: float) -> None:
    lo, hi = sorted((v1, v2))
    assert attainment(GE, target, None, lo, H).score <= attainment(GE, target, None, hi, H).score


@given(finite, finite, finite)
def test_le_lower_is_monotone_decreasing_in_value(target: float, v1: float, v2: float) -> None:
    lo, hi = sorted((v1, v2))
    assert attainment(LE, target, None, lo, L).score >= attainment(LE, target, None, hi, L).score


@given(finite, st.floats(0, 1e6), finite, finite)
def test_range_score_rises_towards_the_band(low: float, width: float, v1: float, v2: float) -> None:
    """Below the band the score rises with the value; above it, it falls."""
    high = low + width
    a, b = sorted((v1, v2))
    sa, sb = attainment(RANGE, low, high, a, N).score, attainment(RANGE, low, high, b, N).score
    if b <= low:
        assert sa <= sb
    if a >= high:
        assert sa >= sb
