"""Every catalogue indicator on the hand-made store (conftest.HAND_ROWS), for district D1 and 2023.

Each expected value is worked out by hand from the rows in conftest.py; the comment says how.
Population-type stocks are taken on 2023-12-31.
"""

from __future__ import annotations

import pytest

from yigai.analytics.catalogue import Level, load_catalogue
from yigai.analytics.engine import compute

# code: (numerator, denominator, value) — denominator None for counts
EXPECTED: dict[str, tuple[float, float | None, float | None]] = {
    # beds of institutions open on 12-31: H1 100 + C1 20 + C2 10 + H2 50 (K1 closed 06-30) = 180;
    # residents alive on 12-31: P1-P4 (P5 not resident) + P6-P8 (P9 died 05-01) = 7 → 180/7×1000
    "BEDS_PER_1000": (180, 7, 180 / 7 * 1000),
    # doctors on duty: S1, S6 (assistant), S8 (S2 left 03-31, S10 starts 2024) = 3
    "DOCTORS_PER_1000": (3, 7, 3 / 7 * 1000),
    # nurses: S3, S4, S5, S7 = 4
    "NURSES_PER_1000": (4, 7, 4 / 7 * 1000),
    # GPs: S6, S8 = 2 → per 10,000
    "GP_PER_10000": (2, 7, 2 / 7 * 10000),
    "DOCTORS": (3, None, 3),
    "NURSES": (4, None, 4),
    "GENERAL_PRACTITIONERS": (2, None, 2),
    "OPEN_BEDS": (180, None, 180),
    "RESIDENT_POPULATION": (7, None, 7),
    # nurses ÷ doctors = 4 / 3
    "DOCTOR_NURSE_RATIO": (4, 3, 4 / 3),
    # nurses ÷ beds = 4 / 180
    "BED_NURSE_RATIO": (4, 180, 4 / 180),
    # contracted residents on 12-31: P1 (K1 and K5, counted once), P6 (K3); P2's K2 ended 06-30, P5 not resident
    "FD_COVERAGE": (2, 7, 2 / 7 * 100),
    # priority group: P1 (73, hypertension), P3 (child <7), P4 (diabetes), P6 (68), P8 (65 on 12-31) = 5;
    # contracted among them: P1, P6
    "FD_PRIORITY_COVERAGE": (2, 5, 40.0),
    # 65+: P1, P6, P8 = 3; contracted P1, P6
    "FD_ELDERLY_COVERAGE": (2, 3, 2 / 3 * 100),
    # hypertension: P1, contracted
    "FD_HYPERTENSION_COVERAGE": (1, 1, 100.0),
    # diabetes: P4, not contracted
    "FD_DIABETES_COVERAGE": (0, 1, 0.0),
    "FD_CONTRACTED": (2, None, 2),
    # visits in a contract's term: V1 (P1 at C1), V2 (P1 at H1), V3 (P2 at H1), V4 (P6 at C2), V5 (P6 at H2) = 5;
    # at the contracting centre: V1, V4 = 2
    "FD_COMMUNITY_VISIT_RATE": (2, 5, 40.0),
    # within centre + district + city hospital: V1, V2 (H1 is K1's district hospital), V4 = 3
    "FD_COMBINATION_VISIT_RATE": (3, 5, 60.0),
    # 2023 visits V1-V7 = 7; at primary institutions (C1, C2, K1): V1, V4, V6 = 3
    "PRIMARY_VISIT_SHARE": (3, 7, 3 / 7 * 100),
    "PRIMARY_VISITS": (3, None, 3),
    "OUTPATIENT_VISITS": (7, None, 7),
    # discharges D1-D4 in 2023 (D5 in 2022)
    "DISCHARGES": (4, None, 4),
    # public hospital (H1) visits V2, V3, V7 = 3; booked V2 (V5 booked but H2 is private)
    "REFERRAL_BOOKED_SHARE": (1, 3, 100 / 3),
    # up referrals from primary institutions: R1 (C1), R2 (C2) (R8 is from H1) ÷ primary visits 3
    "UP_REFERRAL_RATE": (2, 3, 2 / 3 * 100),
    # down referrals 2023: R4, R5, R6
    "DOWN_REFERRALS": (3, None, 3),
    # 2023: 3, 2022: 1 (R7) → (3/1 − 1) × 100
    "DOWN_REFERRAL_GROWTH": (3, 1, 200.0),
    # drug: visits 40+100+150+30+60+20+120 = 520, stays 3000+500+800+1500 = 5800;
    # revenue: visits 100+300+500+80+200+50+400 = 1630, stays 10000+4000+2000+6000 = 22000
    "DRUG_SHARE": (6320, 23630, 6320 / 23630 * 100),
    "OP_DRUG_SHARE": (520, 1630, 520 / 1630 * 100),
    "IP_DRUG_SHARE": (5800, 22000, 5800 / 22000 * 100),
    # consumables: visits 10+30+50+0+20+5+40 = 155, stays 2000+1500+100+1000 = 4600
    "CONSUMABLES_SHARE": (4755, 23630, 4755 / 23630 * 100),
    # exam+lab: visits 20+90+150+10+60+0+140 = 470, stays 2000+1000+500+1500 = 5000
    "EXAM_LAB_SHARE": (5470, 23630, 5470 / 23630 * 100),
    # service: visits 30+60+150+30+60+25+100 = 455, stays 3000+1000+400+2000 = 6400
    "MEDICAL_SERVICE_REVENUE_SHARE": (6855, 23630, 6855 / 23630 * 100),
    "OP_COST_PER_VISIT": (1630, 7, 1630 / 7),
    "OP_DRUG_COST_PER_VISIT": (520, 7, 520 / 7),
    # 2022 visits V8 250 + V9 60 = 310 over 2 → 155 per visit; 2023: 1630/7
    "OP_COST_GROWTH": (1630 / 7, 155, (1630 / 7 / 155 - 1) * 100),
    "OP_COST_GROWTH_YOY": (1630 / 7, 155, (1630 / 7 / 155 - 1) * 100),  # a year's year-ago is its previous
    "IP_COST_PER_STAY": (22000, 4, 5500.0),
    # 2022: D5 5000 over 1
    "IP_COST_GROWTH": (5500, 5000, 10.0),
    "IP_COST_GROWTH_YOY": (5500, 5000, 10.0),
    # consumables 4755 × 100 ÷ (23630 − drugs 520+5800 − herbal 30+200 = 17080)
    "CONSUMABLES_PER_100_REVENUE": (4755, 17080, 4755 / 17080 * 100),
    # insured visits (fund paid > 0): V1 100/5, V2 300/30, V4 80/0, V5 200/20, V7 400/40 → 1080, 95;
    # insured stays (employee, resident): D1 10000/500, D2 4000/200, D4 6000/600 → 20000, 1300
    "OUT_OF_CATALOGUE_SHARE": (1395, 21080, 1395 / 21080 * 100),
    # premium: V3 and D4 = 2 of 7 visits + 4 stays
    "PREMIUM_SERVICE_SHARE": (2, 11, 2 / 11 * 100),
    # insured stays' fund paid 7000 + 3000 + 4000 over their cost 20000
    "IP_FUND_PAID_SHARE": (14000, 20000, 70.0),
    # surgery: D1, D2, D4
    "SURGERY_SHARE": (3, 4, 75.0),
    # minimally invasive: D1, D4 of 3 surgeries
    "MIS_SHARE": (2, 3, 2 / 3 * 100),
    # elective surgeries D1, D2; day surgery D2
    "DAY_SURGERY_SHARE": (1, 2, 50.0),
    # bed days 10 + 1 + 10 + 4 = 25 over 4
    "AVG_LOS": (25, 4, 6.25),
    "OP_IP_RATIO": (7, 4, 1.75),
    # D3 died
    "IP_MORTALITY": (1, 4, 25.0),
    # generics with a selected product: 阿托伐他汀, 氨氯地平 (阿莫西林 has none);
    # selected quantity 100 + 30 + 20 = 150 of 100 + 50 + 30 + 20 + 20 = 220
    "VBP_VOLUME_SHARE": (150, 220, 150 / 220 * 100),
    # selected amount 1000 + 300 + 100 = 1400 of 1000 + 2500 + 300 + 100 + 500 = 4400
    "VBP_AMOUNT_SHARE": (1400, 4400, 1400 / 4400 * 100),
}


@pytest.fixture(scope="module")
def district_2023(hand_store):
    comp = compute(hand_store, list(load_catalogue().indicators.values()), ["2023"], [Level.DISTRICT])
    return {r.code: r for r in comp.results}


def test_every_catalogue_indicator_has_a_hand_computed_value() -> None:
    assert set(EXPECTED) == set(load_catalogue().indicators)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_indicator_value_on_the_hand_made_store(code: str, district_2023) -> None:
    num, den, value = EXPECTED[code]
    r = district_2023[code]
    assert (r.org_unit, r.period_id, r.level) == ("D1", "2023", Level.DISTRICT)
    assert r.numerator == pytest.approx(num)
    if den is None:
        assert r.denominator is None
    else:
        assert r.denominator == pytest.approx(den)
    assert r.value == pytest.approx(value)
    assert r.definition_version == f"{code}@1"
    assert len(r.inputs_hash) == 64
