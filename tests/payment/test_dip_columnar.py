"""The columnar DIP engine gives exactly the reference engine's results (catalogue, case scores, settlement)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yigai.payment import dip
from yigai.payment import dip_columnar as dc
from yigai.payment.case_table import CaseTable
from yigai.payment.cases import Case
from yigai.payment.dip import DipParams, SettleParams
from yigai.payment.exact import exact_sums
from yigai.payment.settlement import OutlierBase

from .test_dip_worked_example import CURRENT, HISTORY, PARAMS, SETTLE

LEVELS = {"A": "三级", "B": "二级", "C": "一级", "D": "三级", "E": "社区"}
DX = ["K80.100", "K80.101", "K80.200", "J18.900", "K35.800", "K35.200", "K29.700", "I63.900", "E11.900", "K80"]
PROCS = ["", "51.2300", "47.0100", "88.0100", "45.2300", "93.0500"]


def scored_rows(s: dip.Scoring) -> list[tuple[object, ...]]:
    return [
        (x.case.case_id, x.case.hospital, x.group, x.base_points, x.level_coefficient, x.k_dev, x.label, x.points)
        for x in s.scored
    ]


def ungrouped_rows(s: dip.Scoring) -> list[tuple[str, str, str]]:
    return [(u.case.case_id, u.case.hospital, u.reason) for u in s.ungrouped]


def assert_same(history: list[Case], current: list[Case], params: DipParams, sp: SettleParams) -> None:
    ref_cat = dip.build_catalogue(history, params)
    col_cat = dc.build_catalogue(CaseTable.from_cases(history), params)
    assert col_cat == ref_cat  # every group, mean, RW, point, M, share, PV, level coefficient
    cur = CaseTable.from_cases(current)
    ref = dip.settle(ref_cat, current, sp)
    col = dc.settle(col_cat, cur, sp)
    assert scored_rows(ref.scoring) == col.scoring.rows()
    assert ungrouped_rows(ref.scoring) == col.scoring.ungrouped()
    assert (col.point_value, col.total_points) == (ref.point_value, ref.total_points)
    assert col.hospitals == ref.hospitals
    assert dc.monthly_presettlement(col_cat, cur) == dip.monthly_presettlement(ref_cat, current)


def test_the_worked_example_is_the_same_in_both_engines() -> None:
    assert_same(HISTORY, CURRENT, PARAMS, SETTLE)
    col = dc.settle(dc.build_catalogue(CaseTable.from_cases(HISTORY), PARAMS), CaseTable.from_cases(CURRENT), SETTLE)
    # the hand-computed figures of docs/payment.md, through the columnar engine
    assert col.point_value == 80.0
    assert {h: s.entitlement for h, s in col.hospitals.items()} == {"H1": 66400.0, "H2": 12900.0, "H3": 55200.0}
    assert [r[0] for r in col.scoring.ungrouped()] == ["2024-10"]
    assert col.scoring.cases.column("case_id")[int(col.scoring.special_review[0])].as_py() == "2024-08"


def test_the_worked_example_with_the_same_level_outlier_base_is_the_same_in_both_engines() -> None:
    assert_same(HISTORY, CURRENT, dataclasses.replace(PARAMS, outlier_base=OutlierBase.LEVEL), SETTLE)


def test_the_worked_example_whatif_is_the_same() -> None:
    alt = dataclasses.replace(SETTLE, fund_budget=121_050.0)
    ref = dip.whatif(HISTORY, CURRENT, (PARAMS, SETTLE), (None, alt))
    col = dc.whatif(CaseTable.from_cases(HISTORY), CaseTable.from_cases(CURRENT), (PARAMS, SETTLE), (None, alt))
    assert col == ref
    assert round(col["H1"].delta("final"), 6) == 8822.0


record = st.tuples(
    st.sampled_from(sorted(LEVELS)),
    st.sampled_from(DX),
    st.sampled_from(PROCS),
    st.lists(st.sampled_from(PROCS[1:]), max_size=2),
    st.one_of(st.just(0.0), st.floats(0.01, 200_000), st.integers(0, 90_000).map(lambda c: c / 100)),
    st.integers(1, 12),
)


def make(i: int, year: int, r: tuple[str, str, str, list[str], float, int], explicit_year: bool) -> Case:
    h, dx, proc, others, cost, month = r
    d = dt.date(year, month, 10)
    return Case(
        case_id=f"{year}-{i}",
        hospital=h,
        hospital_level=LEVELS[h],
        main_dx=dx,
        total_cost=cost,
        admission=d - dt.timedelta(days=2),
        discharge=d,
        main_proc=proc,
        other_procs=tuple(others),
        fund_paid=cost * 0.7,
        patient_paid=cost - cost * 0.7,
        year=year if explicit_year else None,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    years=st.lists(st.lists(record, min_size=1, max_size=40), min_size=1, max_size=4),
    current=st.lists(record, max_size=40),
    threshold=st.integers(1, 6),
    trim=st.sampled_from([None, (0.1, 0.9), (0.25, 0.75)]),
    configured=st.booleans(),
    primary=st.booleans(),
    explicit_year=st.booleans(),
    fund=st.floats(1e3, 1e9),
    r=st.floats(0.3, 1.0),
    base=st.sampled_from(list(OutlierBase)),
)
def test_random_districts_give_identical_results(
    years, current, threshold, trim, configured, primary, explicit_year, fund, r, base
) -> None:
    history = [make(i, 2020 + y, rec, explicit_year) for y, recs in enumerate(years) for i, rec in enumerate(recs)]
    cur = [make(i, 2030, rec, explicit_year) for i, rec in enumerate(current)]
    levels = {"三级": 1.2, "二级": 1.0, "一级": 0.85} if configured else None  # 社区 has none: ungrouped
    combos: dict[str, int] = {}
    for c in history:
        combos[dip.core_key(dip.subcategory(c.main_dx), c.procedures)] = (
            combos.get(dip.core_key(dip.subcategory(c.main_dx), c.procedures), 0) + 1
        )
    core = sorted(k for k, n in combos.items() if n >= threshold)
    params = DipParams(
        threshold=threshold,
        trim=trim,
        level_coefficients=levels,
        primary_groups=frozenset(core[:1]) if primary else frozenset(),
        outlier_base=base,
    )
    sp = SettleParams(fund_budget=fund, reimbursement_ratio=r, assessment={"B": 0.9}, advances={"A": 500.0})
    try:
        dip.build_catalogue(history, params)
    except (ValueError, ZeroDivisionError) as exc:  # e.g. all costs zero: both engines refuse
        try:
            dc.build_catalogue(CaseTable.from_cases(history), params)
        except type(exc) as col_exc:
            assert str(col_exc) == str(exc)
            return
        raise AssertionError("the columnar engine accepted what the reference refused") from exc
    try:
        dip.settle(dip.build_catalogue(history, params), cur, sp)
    except ZeroDivisionError:  # a group with mean 0: the reference cannot score it, nor can the columnar
        try:
            dc.settle(dc.build_catalogue(CaseTable.from_cases(history), params), CaseTable.from_cases(cur), sp)
        except ZeroDivisionError:
            return
        raise AssertionError("the columnar engine scored a zero expected cost") from None
    assert_same(history, cur, params, sp)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e200, max_value=1e200), max_size=60),
    data=st.data(),
)
def test_exact_sums_are_fsum_per_key(values, data) -> None:
    n_keys = data.draw(st.integers(1, 5))
    keys = data.draw(st.lists(st.integers(0, n_keys - 1), min_size=len(values), max_size=len(values)))
    got = exact_sums(np.array(values, dtype=np.float64), np.array(keys, dtype=np.int64), n_keys)
    want = [math.fsum(v for v, k in zip(values, keys, strict=True) if k == j) for j in range(n_keys)]
    assert got == want


def test_exact_sums_where_naive_summation_goes_wrong() -> None:
    values = np.array([1e16, 1.0, -1e16, 0.1, 0.2, 0.3] * 1000)
    keys = np.array([0, 0, 0, 1, 1, 1] * 1000)
    assert exact_sums(values, keys, 3) == [1000.0, math.fsum([0.1, 0.2, 0.3] * 1000), 0.0]
