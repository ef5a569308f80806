"""The DIP worked example of docs/payment.md, computed by hand: 30 cases, 3 hospitals, 3 years.

History 2022 (8 cases) and 2023 (12 cases) build the catalogue; 2024 (10 cases) is settled.
Parameters: threshold 5 cases, year weights 1:3 (the last two of a configured (1, 3) pair, i.e.
0.25 / 0.75), points = RW × 100, level coefficients 三级 1.2 / 二级 1.0 / 一级 0.8, J18.9 conservative
declared 基层病种 (coefficient 1.0 at every level).
"""

from __future__ import annotations

import datetime as dt

import pytest

from yigai.payment.cases import Case
from yigai.payment.dip import (
    COMPREHENSIVE,
    CORE,
    DipParams,
    SettleParams,
    build_catalogue,
    monthly_presettlement,
    outlier_coefficient,
    settle,
    whatif,
)

G1 = "K80.1|51.2300"  # 胆囊结石 + 腹腔镜胆囊切除 (core)
G2 = "J18.9|-"  # 肺炎 保守治疗 (core, 基层病种)
C_K35 = "K35|相关手术"  # 阑尾炎 手术 (comprehensive)
C_K29 = "K29|诊断性操作"  # 胃炎 诊断性操作 (comprehensive)

PARAMS = DipParams(
    threshold=5,
    year_weights=(1.0, 3.0),
    scale=100.0,
    level_coefficients={"三级": 1.2, "二级": 1.0, "一级": 0.8},
    primary_groups=frozenset({G2}),
)
HOSP = {"H1": "三级", "H2": "二级", "H3": "一级"}


def case(i: int, year: int, h: str, dx: str, proc: str, cost: float, month: int = 6, oop_share: float = 0.2) -> Case:
    d = dt.date(year, month, 10)
    return Case(
        case_id=f"{year}-{i:02d}",
        hospital=h,
        hospital_level=HOSP[h],
        main_dx=dx,
        total_cost=cost,
        admission=d - dt.timedelta(days=5),
        discharge=d,
        main_proc=proc,
        fund_paid=cost * (1 - oop_share),
        patient_paid=cost * oop_share,
    )


# 2022: 8 cases, total 64 000, mean 8 000
Y2022 = [
    case(1, 2022, "H1", "K80.100", "51.2300", 15000),
    case(2, 2022, "H2", "K80.100", "51.2300", 17000),  # G1 mean 16 000
    case(3, 2022, "H2", "J18.900", "", 4000),
    case(4, 2022, "H3", "J18.900", "", 4000),  # G2 mean 4 000
    case(5, 2022, "H1", "K35.800", "47.0100", 12000),  # K35 mean 12 000
    case(6, 2022, "H1", "K29.700", "88.0100", 3000),
    case(7, 2022, "H2", "K29.700", "88.0100", 4000),
    case(8, 2022, "H3", "K29.700", "88.0100", 5000),  # K29 mean 4 000
]
# 2023: 12 cases, total 96 000, mean 8 000
Y2023 = [
    case(1, 2023, "H1", "K80.100", "51.2300", 14000),
    case(2, 2023, "H1", "K80.100", "51.2300", 16000),
    case(3, 2023, "H2", "K80.100", "51.2300", 18000),  # G1 mean 16 000
    case(4, 2023, "H1", "J18.900", "", 3000),
    case(5, 2023, "H2", "J18.900", "", 4000),
    case(6, 2023, "H2", "J18.900", "", 4000),
    case(7, 2023, "H3", "J18.900", "", 4000),
    case(8, 2023, "H3", "J18.900", "", 5000),  # G2 mean 4 000
    case(9, 2023, "H1", "K35.800", "47.0100", 10000),
    case(10, 2023, "H2", "K35.200", "47.0900", 14000),  # K35 mean 12 000
    case(11, 2023, "H2", "K29.000", "88.0100", 1000),
    case(12, 2023, "H3", "K29.000", "88.0100", 3000),  # K29 mean 2 000
]
HISTORY = Y2022 + Y2023
# 2024: 10 cases to settle
CURRENT = [
    case(1, 2024, "H1", "K80.100", "51.2300", 19200, month=1),  # A = 16 000×1.2 = 19 200, ratio 1   → k 1
    case(2, 2024, "H1", "K80.100", "51.2300", 48000, month=2),  # ratio 2.5 → k = 2.5 − 1 = 1.5
    case(3, 2024, "H1", "J18.900", "", 4000, month=1),  # 基层: A = 4 000, ratio 1 → k 1
    case(4, 2024, "H1", "K35.800", "47.0100", 14400, month=2),  # comprehensive K35: A = 12 000×1.2 → k 1
    case(5, 2024, "H2", "K80.100", "51.2300", 6400, month=1),  # A = 16 000, ratio 0.4 < 0.5 → k 0.4
    case(6, 2024, "H2", "J18.900", "", 3000, month=1),  # ratio 0.75 → k 1
    case(7, 2024, "H2", "K29.100", "88.0100", 2500, month=1),  # K29.1 combo not core → K29|诊断性操作, A = 2 500 → k 1
    case(8, 2024, "H3", "K80.100", "51.2300", 64000, month=1),  # A = 16 000×0.8 = 12 800, ratio 5 → k 4, 特例单议
    case(9, 2024, "H3", "J18.900", "", 2000, month=1),  # ratio exactly 0.5 (not below) → k 1
    case(10, 2024, "H3", "E11.900", "", 5000, month=1),  # no E11 group → cannot be grouped
]
SETTLE = SettleParams(
    fund_budget=107_600.0,
    reimbursement_ratio=0.8,
    assessment={"H2": 0.95},
    advances={"H1": 40_000.0, "H2": 8_000.0, "H3": 40_000.0},
    band=0.2,
    surplus_share=1.0,
    overrun_share=0.5,
)


def test_the_catalogue_by_hand() -> None:
    cat = build_catalogue(HISTORY, PARAMS)
    # Combinations: (K80.1, 51.2300) 2+3 = 5 ≥ 5 → core; (J18.9, -) 2+5 = 7 → core;
    # (K35.8, 47.0100) 2, (K35.2, 47.0900) 1 → K35|相关手术 (3 cases);
    # (K29.7, 88.0100) 3, (K29.0, 88.0100) 2 → 88 is within 87-99 → K29|诊断性操作 (5 cases, still comprehensive).
    assert sorted(cat.groups) == sorted([G1, G2, C_K35, C_K29])
    assert [cat.groups[k].kind for k in (G1, G2, C_K35, C_K29)] == [CORE, CORE, COMPREHENSIVE, COMPREHENSIVE]
    assert [cat.groups[k].n_cases for k in (G1, G2, C_K35, C_K29)] == [5, 7, 3, 5]
    assert cat.groups[G2].primary and not cat.groups[G1].primary
    # Core share: 12 of 20 = 60 %.
    assert cat.core_share == pytest.approx(0.6)
    # M = 0.25×8 000 + 0.75×8 000 = 8 000.
    assert cat.regional_mean == pytest.approx(8000)
    # m: G1 16 000, G2 4 000, K35 12 000, K29 0.25×4 000 + 0.75×2 000 = 2 500.
    # RW = m / 8 000: 2, 0.5, 1.5, 0.3125; points ×100: 200, 50, 150, 31.25.
    assert cat.groups[G1].mean_cost == pytest.approx(16000)
    assert cat.groups[C_K29].mean_cost == pytest.approx(2500)
    assert [cat.groups[k].points for k in (G1, G2, C_K35, C_K29)] == pytest.approx([200, 50, 150, 31.25])
    # Budget point value: points 2022 = 2×200 + 2×50 + 150 + 3×31.25 = 743.75;
    # 2023 = 3×200 + 5×50 + 2×150 + 2×31.25 = 1 212.5.
    # PV_budget = (0.25×64 000 + 0.75×96 000) / (0.25×743.75 + 0.75×1 212.5) = 88 000 / 1 095.3125 ≈ 80.3424.
    assert cat.budget_point_value == pytest.approx(88000 / 1095.3125)
    assert cat.budget_point_value == pytest.approx(80.3424, abs=1e-4)


def test_outlier_coefficients_by_hand() -> None:
    assert outlier_coefficient(6400, 16000) == (pytest.approx(0.4), "低倍率")
    assert outlier_coefficient(2000, 4000) == (1.0, "正常")  # exactly 0.5×: not low
    assert outlier_coefficient(38400, 19200) == (1.0, "正常")  # exactly 2×: k = 1 either way
    assert outlier_coefficient(48000, 19200) == (pytest.approx(1.5), "高倍率")
    assert outlier_coefficient(64000, 12800) == (pytest.approx(4.0), "特例单议")  # 5× → flagged


def test_case_scores_by_hand() -> None:
    s = settle(build_catalogue(HISTORY, PARAMS), CURRENT, SETTLE)
    pts = {c.case.case_id: c.points for c in s.scoring.scored}
    # H1: 200×1.2 = 240; 240×1.5 = 360; 基层 50; 150×1.2 = 180 → 830
    # H2: 200×1.0×0.4 = 80; 50; 31.25 → 161.25
    # H3: 200×0.8×4 = 640; 50 → 690
    assert [pts[f"2024-{i:02d}"] for i in range(1, 10)] == pytest.approx([240, 360, 50, 180, 80, 50, 31.25, 640, 50])
    assert [u.case.case_id for u in s.scoring.ungrouped] == ["2024-10"]
    assert "E11" in s.scoring.ungrouped[0].reason
    assert [c.case.case_id for c in s.scoring.special_review] == ["2024-08"]


def test_settlement_by_hand() -> None:
    s = settle(build_catalogue(HISTORY, PARAMS), CURRENT, SETTLE)
    # Σ points = 830 + 161.25 + 690 = 1 681.25; PV_settle = (107 600 / 0.8) / 1 681.25 = 134 500 / 1 681.25 = 80.
    assert s.total_points == pytest.approx(1681.25)
    assert s.point_value == pytest.approx(80)
    h1, h2, h3 = (s.hospitals[h] for h in ("H1", "H2", "H3"))
    # Entitlements: 830×80 = 66 400; 161.25×80 = 12 900; 690×80 = 55 200 (Σ = 134 500 = F/r).
    assert [h1.entitlement, h2.entitlement, h3.entitlement] == pytest.approx([66400, 12900, 55200])
    # OOP (20 % of DIP-case costs): H1 85 600×0.2 = 17 120; H2 11 900×0.2 = 2 380; H3 66 000×0.2 = 13 200
    # (the ungrouped E11 case is not a DIP case).
    assert [h1.patient_paid, h2.patient_paid, h3.patient_paid] == pytest.approx([17120, 2380, 13200])
    # Fund due: 49 280; 10 520; 42 000. Assessed (H2 ×0.95): 49 280; 9 994; 42 000.
    assert [h1.fund_due, h2.fund_due, h3.fund_due] == pytest.approx([49280, 10520, 42000])
    assert h2.assessed_due == pytest.approx(9994)
    # Booked fund X = 80 % of costs: 68 480; 9 520; 52 800.
    # H1 overrun 19 200, band 0.2×49 280 = 9 856 → fund shares 0.5×9 856 = 4 928 → pays 54 208.
    # H2 surplus 474 (< band 1 998.8) → retains 474 → pays 9 520 + 474 = 9 994.
    # H3 overrun 10 800, band 8 400 → shares 4 200 → pays 46 200.
    assert [h1.shared_overrun, h2.retained, h3.shared_overrun] == pytest.approx([4928, 474, 4200])
    assert [h1.payment, h2.payment, h3.payment] == pytest.approx([54208, 9994, 46200])
    # Minus advances 40 000 / 8 000 / 40 000 → 14 208; 1 994; 6 200.
    assert [h1.final, h2.final, h3.final] == pytest.approx([14208, 1994, 6200])


def test_monthly_presettlement_uses_the_budget_point_value() -> None:
    cat = build_catalogue(HISTORY, PARAMS)
    rows = {(r.hospital, r.month): r for r in monthly_presettlement(cat, CURRENT)}
    pv = 88000 / 1095.3125
    # H1 January: cases 1 and 3 → 240 + 50 = 290 points; OOP 0.2×(19 200 + 4 000) = 4 640.
    assert rows[("H1", 1)].points == pytest.approx(290)
    assert rows[("H1", 1)].amount == pytest.approx(290 * pv - 4640)
    # H1 February: 360 + 180 = 540 points; OOP 0.2×(48 000 + 14 400) = 12 480.
    assert rows[("H1", 2)].amount == pytest.approx(540 * pv - 12480)
    assert sorted(rows) == [("H1", 1), ("H1", 2), ("H2", 1), ("H3", 1)]


def test_whatif_a_larger_budget() -> None:
    # F = 121 050 → F/r = 151 312.5 → PV = 90: entitlements rise by 10 per point.
    alt = SettleParams(**{**SETTLE.__dict__, "fund_budget": 121_050.0})
    d = whatif(HISTORY, CURRENT, (PARAMS, SETTLE), (None, alt))
    assert d["H1"].delta("entitlement") == pytest.approx(8300)
    assert d["H2"].delta("entitlement") == pytest.approx(1612.5)
    # H1: fund due 57 580 (< X 68 480): overrun 10 900, band 11 516 → shares 5 450 → pays 63 030 (+8 822).
    assert d["H1"].delta("final") == pytest.approx(8822)


def test_derived_level_coefficients() -> None:
    # Without configured coefficients: k_L = Σ cost / Σ m_i over level-L history cases (基层 excluded).
    p = DipParams(threshold=5, year_weights=(1.0, 3.0), primary_groups=frozenset({G2}))
    cat = build_catalogue(HISTORY, p)
    # 三级 (H1): G1 15 000, 14 000, 16 000; K35 12 000, 10 000; K29 3 000
    #   → 70 000 / (3×16 000 + 2×12 000 + 2 500) = 70 000 / 74 500
    # 二级 (H2): G1 17 000, 18 000; K35 14 000; K29 4 000, 1 000 → 54 000 / (32 000 + 12 000 + 5 000) = 54 000 / 49 000
    # 一级 (H3): K29 5 000, 3 000 → 8 000 / 5 000 = 1.6
    assert cat.level_coefficients == pytest.approx({"三级": 70000 / 74500, "二级": 54000 / 49000, "一级": 1.6})
