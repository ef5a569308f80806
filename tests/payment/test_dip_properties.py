"""Invariants of the DIP engine, checked on generated districts."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from yigai.payment.cases import Case
from yigai.payment.dip import DipParams, SettleParams, build_catalogue, outlier_coefficient, settle

HOSPITALS = {"A": "三级", "B": "二级", "C": "一级", "D": "三级"}
COMBOS = [
    ("K80.100", "51.2300"),
    ("J18.900", ""),
    ("K35.800", "47.0100"),
    ("K29.700", "88.0100"),
    ("I63.900", ""),
    ("K35.200", "47.0900"),
]
PRIMARY = "J18.9|-"


def make(i: int, year: int, h: str, combo: int, cost: float) -> Case:
    dx, proc = COMBOS[combo]
    d = dt.date(year, 1 + i % 12, 15)
    return Case(
        case_id=f"{year}-{i}",
        hospital=h,
        hospital_level=HOSPITALS[h],
        main_dx=dx,
        total_cost=cost,
        admission=d - dt.timedelta(days=3),
        discharge=d,
        main_proc=proc,
        fund_paid=cost * 0.7,
        patient_paid=cost * 0.3,
    )


costs = st.floats(min_value=100, max_value=100_000, allow_nan=False)
records = st.lists(
    st.tuples(st.sampled_from(sorted(HOSPITALS)), st.integers(0, len(COMBOS) - 1), costs), min_size=1, max_size=40
)


def history() -> list[Case]:
    # every combination has ≥ 2 cases a year in 2022-2023, so the primary group is core at threshold 4
    out = []
    for y in (2022, 2023):
        for j, h in enumerate(sorted(HOSPITALS) * 2):
            for c in range(len(COMBOS)):
                out.append(make(j * 10 + c, y, h, c, 1000.0 * (c + 1) + 100 * j))
    return out


HISTORY = history()
PARAMS = DipParams(threshold=4, year_weights=(1, 2, 7), primary_groups=frozenset({PRIMARY}))
CATALOGUE = build_catalogue(HISTORY, PARAMS)


def current(recs: list[tuple[str, int, float]]) -> list[Case]:
    return [make(i, 2024, h, c, cost) for i, (h, c, cost) in enumerate(recs)]


@settings(max_examples=60, deadline=None)
@given(recs=records, fund=st.floats(1e3, 1e9), r=st.floats(0.3, 0.95))
def test_the_budget_closes_exactly(recs, fund, r) -> None:
    s = settle(CATALOGUE, current(recs), SettleParams(fund_budget=fund, reimbursement_ratio=r))
    total = math.fsum(h.entitlement for h in s.hospitals.values())
    assert math.isclose(total, fund / r, rel_tol=1e-6)


@given(a=st.floats(1, 1e6), high=st.floats(1.1, 4.0))
def test_the_outlier_coefficient_is_continuous_at_the_upper_bound(a, high) -> None:
    p = DipParams(high=high, extreme=high + 3)
    at, _ = outlier_coefficient(high * a, a, p)
    above, _ = outlier_coefficient(high * a * (1 + 1e-12), a, p)
    below, _ = outlier_coefficient(high * a * (1 - 1e-12), a, p)
    assert math.isclose(at, 1.0, rel_tol=1e-9)
    assert math.isclose(above, 1.0, rel_tol=1e-9) and math.isclose(below, 1.0, rel_tol=1e-9)


@given(cost=costs, levels=st.permutations(sorted(HOSPITALS)))
def test_primary_care_group_payment_is_independent_of_hospital_level(cost, levels) -> None:
    cases = [make(i, 2024, h, 1, cost) for i, h in enumerate(levels)]  # J18.9 conservative, every hospital
    cases.append(make(99, 2024, "A", 0, 5000.0))
    s = settle(CATALOGUE, cases, SettleParams(fund_budget=1e6, reimbursement_ratio=0.8))
    primary = [c for c in s.scoring.scored if c.group == PRIMARY]
    assert len(primary) == len(HOSPITALS)
    assert len({c.points for c in primary}) == 1
    assert len({round(s.hospitals[h].entitlement, 6) for h in "BCD"}) == 1  # one primary case each


@settings(max_examples=60, deadline=None)
@given(recs=records, data=st.data())
def test_a_hospitals_result_does_not_depend_on_record_order(recs, data) -> None:
    cases = current(recs)
    shuffled = data.draw(st.permutations(cases))
    sp = SettleParams(fund_budget=5e6, reimbursement_ratio=0.75, advances={"A": 1000.0})
    a, b = settle(CATALOGUE, cases, sp), settle(CATALOGUE, shuffled, sp)
    assert a.point_value == b.point_value
    assert a.hospitals == b.hospitals
    hist = data.draw(st.permutations(HISTORY))
    assert build_catalogue(hist, PARAMS) == CATALOGUE
