"""Property tests: roll-up is Σnumerator/Σdenominator whatever the records' split across units
and months, and shares stay within [0, factor]."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yigai.analytics.catalogue import Level, load_catalogue
from yigai.analytics.engine import compute, periods_within

_spec = importlib.util.spec_from_file_location("analytics_hand_rows_p", Path(__file__).with_name("conftest.py"))
assert _spec and _spec.loader
hand = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hand)

CAT = load_catalogue()
SHARES = CAT.select("DRUG_SHARE,OP_DRUG_SHARE,PRIMARY_VISIT_SHARE,PREMIUM_SERVICE_SHARE,REFERRAL_BOOKED_SHARE")
INSTITUTIONS = [
    ("I0", "chc", "T1"),
    ("I1", "general_hospital", "T1"),
    ("I2", "clinic", "T2"),
    ("I3", "general_hospital", "T2"),
]
TOWN_OF = {i: t for i, _, t in INSTITUTIONS}
SAME_TOWN = {"I0": "I1", "I1": "I0", "I2": "I3", "I3": "I2"}

visit = st.tuples(
    st.sampled_from([i for i, _, _ in INSTITUTIONS]),
    st.integers(1, 12),
    st.integers(0, 500),
    st.integers(0, 500),
    st.booleans(),
    st.booleans(),
)


def _store(visits):
    rows = {
        "towns": [dict(town_code=t, town_name=t, district_code="D1", district_name="区") for t in ("T1", "T2")],
        "institutions": [
            dict(
                institution_id=i,
                name=i,
                type=ty,
                level="unrated",
                ownership="public",
                town_code=t,
                approved_beds=0,
                open_beds=0,
            )
            for i, ty, t in INSTITUTIONS
        ],
        "outpatient_visits": [
            dict(
                visit_id=f"V{n}",
                person_id="P",
                institution_id=inst,
                visit_date=dt.date(2023, month, 15),
                department="内科",
                diagnosis="I10",
                total_cost=drug + other,
                drug_cost=drug,
                service_cost=other,
                premium=premium,
                booked_referral=booked,
            )
            for n, (inst, month, drug, other, premium, booked) in enumerate(visits)
        ],
    }
    return hand.new_store(rows)


def _by_key(con, levels=tuple(Level)):
    comp = compute(con, SHARES, periods_within("2023"), levels)
    return {(r.code, r.org_unit, r.period_id): r for r in comp.results}


@settings(max_examples=12, deadline=None)
@given(st.lists(visit, min_size=1, max_size=30))
def test_district_is_sum_over_sum_of_every_split(visits) -> None:
    res = _by_key(_store(visits), [Level.DISTRICT, Level.TOWN, Level.INSTITUTION])
    drug = sum(v[2] for v in visits)
    total = sum(v[2] + v[3] for v in visits)
    d = res[("DRUG_SHARE", "D1", "2023")]
    assert (d.numerator, d.denominator) == (drug, total)
    assert d.value == (pytest.approx(drug / total * 100) if total else None)
    towns = [r for (c, u, p), r in res.items() if c == "DRUG_SHARE" and p == "2023" and u in ("T1", "T2")]
    insts = [r for (c, u, p), r in res.items() if c == "DRUG_SHARE" and p == "2023" and u in TOWN_OF]
    for parts in (towns, insts):
        assert sum(r.numerator for r in parts) == d.numerator and sum(r.denominator for r in parts) == d.denominator
    quarters = [res[("DRUG_SHARE", "D1", f"2023Q{q}")] for q in range(1, 5)]
    months = [res[("DRUG_SHARE", "D1", f"2023{m:02d}")] for m in range(1, 13)]
    for parts in (quarters, months):
        assert sum(r.numerator for r in parts) == d.numerator and sum(r.denominator for r in parts) == d.denominator


@settings(max_examples=10, deadline=None)
@given(st.lists(visit, min_size=1, max_size=30), st.data())
def test_town_quarter_values_do_not_depend_on_the_institution_or_month_within(visits, data) -> None:
    moved = []
    for inst, month, *rest in visits:
        other_inst = data.draw(st.sampled_from([inst, SAME_TOWN[inst]]))
        q_first = (month - 1) // 3 * 3 + 1
        other_month = data.draw(st.integers(q_first, q_first + 2))
        moved.append((other_inst, other_month, *rest))
    a, b = _by_key(_store(visits), [Level.TOWN]), _by_key(_store(moved), [Level.TOWN])
    for key, r in a.items():
        if key[2].startswith("2023Q") or key[2] == "2023":
            if key[0] in ("PRIMARY_VISIT_SHARE", "REFERRAL_BOOKED_SHARE"):
                continue  # these depend on the institution's type by definition
            assert (b[key].numerator, b[key].denominator, b[key].value) == (r.numerator, r.denominator, r.value)


@settings(max_examples=12, deadline=None)
@given(st.lists(visit, max_size=30))
def test_shares_stay_within_zero_and_the_factor(visits) -> None:
    for r in _by_key(_store(visits)).values():
        if r.value is None:
            assert r.denominator == 0 and r.reason
        else:
            assert 0 <= r.value <= 100
