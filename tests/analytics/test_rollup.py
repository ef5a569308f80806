"""Roll-up across org units and periods, growth against the previous period, zero denominators and
input hashes, on the hand-made store (expected values worked out from conftest.HAND_ROWS)."""

from __future__ import annotations

import datetime as dt

import pytest

from yigai.analytics.catalogue import Level, load_catalogue
from yigai.analytics.engine import compute, periods_within

CAT = load_catalogue()


def _results(con, codes, periods, levels=tuple(Level)):
    comp = compute(con, CAT.select(codes), periods, levels)
    return {(r.code, r.org_unit, r.period_id): r for r in comp.results}, comp


def test_district_rate_is_sum_over_sum_not_mean_of_town_rates(hand_store) -> None:
    res, _ = _results(hand_store, ["FD_COVERAGE"], ["2023"], [Level.DISTRICT, Level.TOWN])
    t1, t2, d1 = (res[("FD_COVERAGE", u, "2023")] for u in ("T1", "T2", "D1"))
    # T1: P1 contracted of P1-P4 → 1/4; T2: P6 of P6-P8 → 1/3; district 2/7
    assert t1.value == pytest.approx(25.0)
    assert t2.value == pytest.approx(100 / 3)
    assert d1.value == pytest.approx(200 / 7)
    assert d1.numerator == t1.numerator + t2.numerator and d1.denominator == t1.denominator + t2.denominator
    assert d1.value != pytest.approx((t1.value + t2.value) / 2)  # 29.17, not 28.57


def test_institution_type_rolls_up_its_institutions(hand_store) -> None:
    res, _ = _results(hand_store, ["DRUG_SHARE"], ["2023"], [Level.INSTITUTION_TYPE, Level.INSTITUTION])
    gh = res[("DRUG_SHARE", "general_hospital", "2023")]
    # H1: visits 100+150+120, stays 3000+500 → 3870 of 300+500+400+10000+4000 = 15200;
    # H2: visit 60, stay 1500 → 1560 of 200+6000 = 6200
    assert (gh.numerator, gh.denominator) == (5430, 21400)
    assert gh.value == pytest.approx(5430 / 21400 * 100)
    h1, h2 = res[("DRUG_SHARE", "H1", "2023")], res[("DRUG_SHARE", "H2", "2023")]
    assert (h1.numerator, h1.denominator, h2.numerator, h2.denominator) == (3870, 15200, 1560, 6200)


def test_levels_outside_an_indicator_are_not_computed(hand_store) -> None:
    res, _ = _results(hand_store, ["BEDS_PER_1000"], ["2023"])
    assert {u for (_, u, _) in res} == {"D1", "T1", "T2"}  # population-based: no institution rows


def test_flow_quarter_is_the_sum_of_its_months(hand_store) -> None:
    res, _ = _results(hand_store, ["OUTPATIENT_VISITS", "OP_COST_PER_VISIT"], periods_within("2023"), [Level.DISTRICT])
    months = [res[("OUTPATIENT_VISITS", "D1", f"2023{m:02d}")].numerator for m in (1, 2, 3)]
    assert months == [0, 1, 1]  # V1 in February, V2 in March
    assert res[("OUTPATIENT_VISITS", "D1", "2023Q1")].numerator == 2
    q1 = res[("OP_COST_PER_VISIT", "D1", "2023Q1")]
    assert (q1.numerator, q1.denominator, q1.value) == (400, 2, 200)  # (100 + 300) / 2
    assert res[("OP_COST_PER_VISIT", "D1", "202301")].value is None  # no visit in January
    year = sum(res[("OUTPATIENT_VISITS", "D1", f"2023Q{q}")].numerator for q in range(1, 5))
    assert year == res[("OUTPATIENT_VISITS", "D1", "2023")].numerator == 7


def test_stock_is_taken_on_the_periods_last_day(hand_store) -> None:
    res, _ = _results(hand_store, ["FD_COVERAGE"], periods_within("2023"), [Level.DISTRICT])
    # 03-31: population 8 (P9 alive), contracted P1, P2, P6
    assert (res[("FD_COVERAGE", "D1", "2023Q1")].numerator, res[("FD_COVERAGE", "D1", "2023Q1")].denominator) == (3, 8)
    # 06-30: P9 died 05-01 → 7; K2 (P2) still in force on its end date
    q2 = res[("FD_COVERAGE", "D1", "2023Q2")]
    assert (q2.numerator, q2.denominator) == (3, 7)
    assert res[("FD_COVERAGE", "D1", "202306")].value == q2.value
    # 09-30: P2's contract ended
    assert res[("FD_COVERAGE", "D1", "2023Q3")].value == pytest.approx(200 / 7)


def test_growth_compares_with_the_previous_period_of_the_same_length(hand_store) -> None:
    res, _ = _results(hand_store, ["OP_COST_GROWTH", "OP_COST_GROWTH_YOY"], ["2023Q1", "202303"], [Level.DISTRICT])
    q1 = res[("OP_COST_GROWTH", "D1", "2023Q1")]
    # 2023Q1: (100 + 300) / 2 = 200; 2022Q4: V8 250 / 1 → (200 / 250 − 1) × 100
    assert (q1.numerator, q1.denominator, q1.value) == (200, 250, pytest.approx(-20.0))
    march = res[("OP_COST_GROWTH", "D1", "202303")]
    assert march.value == pytest.approx(200.0)  # 300 in March against 100 in February
    yoy = res[("OP_COST_GROWTH_YOY", "D1", "2023Q1")]
    assert yoy.value is None and "2022Q1" in yoy.reason  # no visit in 2022Q1


def test_zero_denominator_gives_no_value_and_says_why(hand_store) -> None:
    res, _ = _results(hand_store, ["DAY_SURGERY_SHARE"], ["2023"], [Level.INSTITUTION])
    h2 = res[("DAY_SURGERY_SHARE", "H2", "2023")]  # D4 is not elective
    assert h2.value is None and h2.reason == "denominator is 0"
    assert (h2.numerator, h2.denominator, h2.denominator_records) == (0, 0, 0)


def test_records_outside_the_known_units_are_reported_not_dropped(make_store, hand_rows) -> None:

    hand_rows["outpatient_visits"].append(dict(hand_rows["outpatient_visits"][0], visit_id="VX", institution_id="ZZ"))
    con = make_store(hand_rows)
    res, comp = _results(con, ["OUTPATIENT_VISITS"], ["2023"], [Level.DISTRICT])
    assert res[("OUTPATIENT_VISITS", "D1", "2023")].numerator == 7
    assert comp.unattributed == {"op_visits": 1.0}


def test_input_hash_changes_with_the_inputs_and_only_those(make_store, hand_rows, hand_store) -> None:
    before, _ = _results(hand_store, ["OP_COST_PER_VISIT"], ["2023"], [Level.DISTRICT, Level.TOWN])
    again, _ = _results(hand_store, ["OP_COST_PER_VISIT"], ["2023"], [Level.DISTRICT, Level.TOWN])
    assert {k: r.inputs_hash for k, r in before.items()} == {k: r.inputs_hash for k, r in again.items()}
    for v in hand_rows["outpatient_visits"]:
        if v["visit_id"] == "V5":  # at H2, town T2
            v["visit_date"] = dt.date(2023, 11, 12)  # another day of the same month: same partials
        if v["visit_id"] == "V4":  # at C2, town T2
            v["total_cost"] += 10
            v["service_cost"] += 10
    after, _ = _results(make_store(hand_rows), ["OP_COST_PER_VISIT"], ["2023"], [Level.DISTRICT, Level.TOWN])
    assert (
        after[("OP_COST_PER_VISIT", "T1", "2023")].inputs_hash
        == before[("OP_COST_PER_VISIT", "T1", "2023")].inputs_hash
    )
    assert (
        after[("OP_COST_PER_VISIT", "T2", "2023")].inputs_hash
        != before[("OP_COST_PER_VISIT", "T2", "2023")].inputs_hash
    )
    assert (
        after[("OP_COST_PER_VISIT", "D1", "2023")].inputs_hash
        != before[("OP_COST_PER_VISIT", "D1", "2023")].inputs_hash
    )


def test_growth_of_a_stock_compares_the_last_days_of_the_two_periods(hand_store, tmp_path) -> None:
    import shutil

    from yigai.analytics.catalogue import parse_catalogue
    from yigai.data import data_path

    shutil.copy(data_path("indicators/measures.yaml"), tmp_path / "measures.yaml")
    (tmp_path / "resources.yaml").write_text(
        """
indicators:
  - {code: POP_GROWTH, name: 常住人口增长率, unit: "%", direction: neutral, definition: 期末常住人口比上期末, version: 1,
     factor: 100, source: {document: 测试, edition: "1", certainty: recalled}, numerator: [resident_population],
     growth: {compare: previous}, levels: [district], aggregation: growth}
""",
        encoding="utf-8",
    )
    ind = parse_catalogue(tmp_path).indicators["POP_GROWTH"]
    r = compute(hand_store, [ind], ["2023"], [Level.DISTRICT]).results[0]
    # 2023-12-31: P1-P4, P6-P8 = 7; 2022-12-31: P9 was alive too = 8
    assert (r.numerator, r.denominator, r.value) == (7, 8, pytest.approx(-12.5))
