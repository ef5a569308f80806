"""Path from baseline to target, and the least-squares projection with its sentence."""

from __future__ import annotations

import datetime as dt

import pytest

from yigai.domain.indicators import Direction
from yigai.domain.periods import parse_period
from yigai.domain.plan import Comparator
from yigai.evaluation import expected_at, path_position, project
from yigai.evaluation.results import Observation
from yigai.evaluation.trajectory import fractional_year, target_text

H, L, N = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.NEUTRAL
D = dt.date


def yearly(*pairs: tuple[int, float]) -> list[Observation]:
    return [Observation(parse_period(str(y)), v) for y, v in pairs]


# ------------------------------------------------------------------ path


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (D(2019, 12, 1), 0.0),  # before the baseline: clamped to the baseline
        (D(2020, 1, 1), 0.0),
        (D(2020, 1, 6), 50.0),  # 5 of 10 days
        (D(2020, 1, 11), 100.0),
        (D(2021, 1, 1), 100.0),  # after the due date: clamped to the target
    ],
)
def test_expected_value_is_linear_and_clamped(at: dt.date, expected: float) -> None:
    assert expected_at(0.0, D(2020, 1, 1), 100.0, D(2020, 1, 11), at) == pytest.approx(expected)


def test_expected_value_needs_every_input() -> None:
    assert expected_at(None, D(2020, 1, 1), 100.0, D(2020, 1, 11), D(2020, 1, 5)) is None
    assert expected_at(1.0, D(2020, 1, 1), 100.0, None, D(2020, 1, 5)) is None
    # a due date on the baseline date is a step
    assert expected_at(1.0, D(2020, 1, 1), 9.0, D(2020, 1, 1), D(2020, 1, 1)) == 9.0


@pytest.mark.parametrize(
    ("baseline", "target", "actual", "direction", "ahead"),
    [
        (0.0, 100.0, 55.0, H, True),  # expected 50 at mid-path
        (0.0, 100.0, 50.0, H, True),  # exactly on the path counts as ahead
        (0.0, 100.0, 45.0, H, False),
        (20.0, 10.0, 14.0, L, True),  # 孕产妇死亡率 falling from 20 to 10: expected 15
        (20.0, 10.0, 16.0, L, False),
        (0.0, 100.0, 60.0, N, True),  # neutral: judged by the direction of travel
        (100.0, 0.0, 60.0, N, False),
        (5.0, 5.0, 5.0, N, True),  # no travel: must hold the value
        (5.0, 5.0, 6.0, N, False),
    ],
)
def test_path_position(baseline: float, target: float, actual: float, direction: Direction, ahead: bool) -> None:
    pos = path_position(baseline, D(2020, 1, 1), target, D(2020, 1, 11), D(2020, 1, 6), actual, direction)
    assert pos.ahead is ahead
    assert pos.actual == actual


def test_path_position_without_actual() -> None:
    pos = path_position(0.0, D(2020, 1, 1), 100.0, D(2020, 1, 11), D(2020, 1, 6), None, H)
    assert pos.ahead is None and pos.expected == pytest.approx(50.0)


# ------------------------------------------------------------------ projection


def test_fractional_year_counts_to_the_end_of_the_day() -> None:
    assert fractional_year(D(2023, 12, 31)) == 2024.0
    assert fractional_year(D(2024, 12, 31)) == 2025.0  # leap year
    assert fractional_year(D(2023, 7, 2)) == pytest.approx(2023 + 183 / 365)


DUE = D(2025, 12, 31)

# (name, series, comparator, target, high, unit, direction, enough, value at due, slope, sentence)
PROJECTIONS = [
    ("no data", [], Comparator.GE, 80, None, "%", H, False, None, None, "数据不足（无数据点），无法预测"),
    (
        "one point",
        yearly((2023, 60)),
        Comparator.GE,
        80,
        None,
        "%",
        H,
        False,
        None,
        None,
        "数据不足（仅1个数据点），无法预测",
    ),
    (
        "two points",
        yearly((2022, 60), (2023, 64)),
        Comparator.GE,
        80,
        None,
        "%",
        H,
        False,
        None,
        None,
        "数据不足（仅2个数据点），无法预测",
    ),
    # x = 2022, 2023, 2024 (year ends); x̄ = 2023, ȳ = 64.1667; Sxx = 2;
    # Sxy = (−1)(60 − 64.1667) + (1)(68.5 − 64.1667) = 8.5 → slope 4.25;
    # at 2025-12-31 (x = 2026): 64.1667 + 3 × 4.25 = 76.9167 → "76.9%"
    (
        "three points short",
        yearly((2021, 60), (2022, 64), (2023, 68.5)),
        Comparator.GE,
        80,
        None,
        "%",
        H,
        True,
        76.9166667,
        4.25,
        "按当前趋势，2025年预计达到76.9%，目标≥80%，存在未达标风险",
    ),
    # 70, 74, 78: slope 4, ȳ = 74 → 74 + 3 × 4 = 86
    (
        "three points met",
        yearly((2021, 70), (2022, 74), (2023, 78)),
        Comparator.GE,
        80,
        None,
        "%",
        H,
        True,
        86.0,
        4.0,
        "按当前趋势，2025年预计达到86.0%，目标≥80%，预计可达标",
    ),
    # 15, 13, 12.2: ȳ = 13.4, Sxy = (−1)(1.6) + (1)(−1.2) = −2.8 → slope −1.4; 13.4 − 4.2 = 9.2
    (
        "lower is better",
        yearly((2021, 15), (2022, 13), (2023, 12.2)),
        Comparator.LE,
        12,
        None,
        "1/10万",
        L,
        True,
        9.2,
        -1.4,
        "按当前趋势，2025年预计达到9.2/10万，目标≤12/10万，预计可达标",
    ),
    # 医护比 1∶1.6, 1∶1.7, 1∶1.8: slope 0.1 → 1.7 + 0.3 = 2.0, within 2 ± 5 %
    (
        "ratio",
        yearly((2021, 1.6), (2022, 1.7), (2023, 1.8)),
        Comparator.APPROX,
        2,
        None,
        "1:x",
        H,
        True,
        2.0,
        0.1,
        "按当前趋势，2025年预计达到1∶2.0，目标1∶2左右，预计可达标",
    ),
    # 4, 6, 7 家: ȳ = 5.6667, Sxy = 1.6667 + 1.3333 = 3 → slope 1.5; 5.6667 + 4.5 = 10.1667 → "10家"
    (
        "count",
        yearly((2021, 4), (2022, 6), (2023, 7)),
        Comparator.GE,
        10,
        None,
        "家",
        H,
        True,
        10.1666667,
        1.5,
        "按当前趋势，2025年预计达到10家，目标≥10家，预计可达标",
    ),
    # 3, 4, 4 名 per 万 against 4～5名: slope 0.5, ȳ = 3.6667 → 5.1667, above the band
    (
        "range",
        yearly((2021, 3), (2022, 4), (2023, 4)),
        Comparator.RANGE,
        4,
        5,
        "名",
        N,
        True,
        5.1666667,
        0.5,
        "按当前趋势，2025年预计达到5名，目标4～5名，预计可达标",
    ),
    # 80, 90, 100 %: the line reaches 120 %, a coverage rate stops at 100
    (
        "percent capped",
        yearly((2021, 80), (2022, 90), (2023, 100)),
        Comparator.GE,
        95,
        None,
        "%",
        H,
        True,
        100.0,
        10.0,
        "按当前趋势，2025年预计达到100.0%，目标≥95%，预计可达标",
    ),
    # two decimals when the target has two: 7.1, 7.2, 7.3 → 7.2 + 3 × 0.1 = 7.5 against 7.48张
    (
        "two decimals",
        yearly((2021, 7.1), (2022, 7.2), (2023, 7.3)),
        Comparator.GE,
        7.48,
        None,
        "张",
        H,
        True,
        7.5,
        0.1,
        "按当前趋势，2025年预计达到7.50张，目标≥7.48张，预计可达标",
    ),
    (
        "no target",
        yearly((2021, 1), (2022, 2), (2023, 3)),
        None,
        None,
        None,
        "‰",
        N,
        True,
        5.0,
        1.0,
        "按当前趋势，2025年预计达到5.0‰",
    ),
]


@pytest.mark.parametrize(
    ("name", "series", "comp", "target", "high", "unit", "direction", "enough", "value", "slope", "sentence"),
    PROJECTIONS,
    ids=[row[0] for row in PROJECTIONS],
)
def test_projection_table(
    name: str,
    series: list[Observation],
    comp: Comparator | None,
    target: float | None,
    high: float | None,
    unit: str,
    direction: Direction,
    enough: bool,
    value: float | None,
    slope: float | None,
    sentence: str,
) -> None:
    p = project(series, DUE, comparator=comp, target=target, high=high, unit=unit, direction=direction)
    assert p.enough_data is enough
    assert p.points == len(series)
    assert p.sentence == sentence
    if value is None:
        assert p.value_at_due is None and p.slope_per_year is None
    else:
        assert p.value_at_due == pytest.approx(value, abs=1e-6)
        assert p.slope_per_year == pytest.approx(slope, abs=1e-9)


def test_projection_is_order_independent_and_uses_quarter_ends() -> None:
    obs = [Observation(parse_period(q), v) for q, v in [("2023Q3", 52.0), ("2023Q1", 50.0), ("2023Q2", 51.0)]]
    p = project(obs, D(2023, 12, 31), comparator=Comparator.GE, target=60, unit="%")
    # ends 03-31, 06-30, 09-30 → x = 2023 + d/365 with d = 90, 181, 273 (d̄ = 544/3);
    # Sxy = Σ(d − d̄)(y − ȳ) = 91⅓ + 91⅔ = 183 day·units, Sxx = Σ(d − d̄)² days²
    sxx = sum((d - 544 / 3) ** 2 for d in (90, 181, 273))
    assert p.slope_per_year == pytest.approx(365 * 183 / sxx, rel=1e-9)
    assert p.sentence.startswith("按当前趋势，2023年预计达到53.")
    assert p.sentence.endswith("目标≥60%，存在未达标风险")


def test_points_on_one_date_give_no_projection() -> None:
    period = parse_period("2023")
    p = project([Observation(period, 1.0)] * 3, DUE)
    assert not p.enough_data and "同一时间" in p.sentence


def test_due_date_inside_a_year_is_named_by_month() -> None:
    p = project(
        yearly((2021, 70), (2022, 74), (2023, 78)), D(2024, 6, 30), comparator=Comparator.GE, target=80, unit="%"
    )
    assert p.sentence.startswith("按当前趋势，2024年6月预计达到")


@pytest.mark.parametrize(
    ("comp", "target", "high", "unit", "text"),
    [
        (Comparator.GE, 80, None, "%", "≥80%"),
        (Comparator.LE, 12, None, "1/10万", "≤12/10万"),
        (Comparator.APPROX, 70, None, "%", "70%左右"),
        (Comparator.RANGE, 4, 5, "名", "4～5名"),
        (Comparator.RANGE, 0.25, 0.3, "", "0.25～0.3"),
        (Comparator.EQ, 1, None, "个", "1个"),
        (Comparator.APPROX, 2, None, "1:x", "1∶2左右"),
        (Comparator.RANGE, 2, 3, "1:x", "1∶2～3"),
        (None, 7.48, None, "张", "≥7.48张"),
    ],
)
def test_target_text(comp: Comparator | None, target: float, high: float | None, unit: str, text: str) -> None:
    assert target_text(comp, target, high, unit, H) == text
