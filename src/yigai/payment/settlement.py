"""Point settlement under a regional budget: what DIP and DRG settle the same way.

Both schemes score each case in points (a group's base points × the level coefficient × the
outlier coefficient), close the year's budget into a point value, and clear each hospital
(结余留用 / 合理超支分担). Only the grouping and the base points differ (:mod:`yigai.payment.dip`,
:mod:`yigai.payment.drg_settle`). Pure functions; sums use :func:`math.fsum`, so results do not
depend on record order. Formulas: docs/payment.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

NORMAL, LOW, HIGH, SPECIAL = "正常", "低倍率", "高倍率", "特例单议"


class OutlierBase(StrEnum):
    """What a case's cost is compared with to find an outlier (the expected cost A)."""

    GROUP = "group"  # the group's regional mean × the level coefficient (A = m × k)
    LEVEL = "level"  # the group's mean at hospitals of the case's level (national DIP technical specification)


class Thresholds(Protocol):
    """The outlier thresholds, as multiples of the expected cost A."""

    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...
    @property
    def extreme(self) -> float: ...


@dataclass(frozen=True)
class OutlierRule:
    low: float = 0.5  # C < low·A → 低倍率, k = C/A
    high: float = 2.0  # C > high·A → 高倍率, k = C/A − (high − 1)
    extreme: float = 5.0  # C ≥ extreme·A → also flagged 特例单议


def check_thresholds(t: Thresholds) -> None:
    """0 < low < 1 < high ≤ extreme: otherwise a normal case could be an outlier of both kinds."""
    if not 0 < t.low < 1 < t.high <= t.extreme:
        raise ValueError(
            f"outlier thresholds must satisfy 0 < low < 1 < high ≤ extreme (got {t.low}, {t.high}, "
            f"{t.extreme}) / 偏差病例阈值应满足 0 < 低倍率 < 1 < 高倍率 ≤ 特例单议"
        )


def outlier_coefficient(cost: float, expected: float, t: Thresholds = OutlierRule()) -> tuple[float, str]:
    """k_dev and a label: 低倍率 (C < low·A: k = C/A), 高倍率 (C > high·A: k = C/A − (high−1)),
    特例单议 (C ≥ extreme·A, scored as 高倍率 and flagged), else 正常 (k = 1)."""
    ratio = cost / expected
    if ratio < t.low:
        return ratio, LOW
    if ratio > t.high:
        return ratio - (t.high - 1.0), SPECIAL if ratio >= t.extreme else HIGH
    return 1.0, NORMAL


def year_weights(years: Iterable[int], weights: Sequence[float]) -> dict[int, float]:
    """The weight of each year: the last ``len(weights)`` years with cases get the last weights (oldest first)."""
    ys = sorted(set(years))[-len(weights) :]
    w = weights[-len(ys) :] if ys else ()
    return dict(zip(ys, w, strict=True))


def weighted_mean_of_sums(sums: Mapping[int, tuple[float, int]], w: Mapping[int, float]) -> float:
    """The year-weighted mean Σ_y w_y·mean_y / Σ_y w_y from each year's (Σ cost, cases)."""
    ys = [y for y in sums if y in w and sums[y][1]]
    den = math.fsum(w[y] for y in ys)
    return math.fsum(w[y] * sums[y][0] / sums[y][1] for y in ys) / den


def level_coefficients(rows: Iterable[tuple[str, float, float]]) -> dict[str, float]:
    """k_L = Σ cost / Σ group mean over the (level, cost, group mean) of history cases at level L.

    That is, the level's mean cost over the regional mean for the same case mix.
    """
    num: dict[str, list[float]] = defaultdict(list)
    den: dict[str, list[float]] = defaultdict(list)
    for level, cost, mean in rows:
        num[level].append(cost)
        den[level].append(mean)
    return {lv: math.fsum(num[lv]) / math.fsum(den[lv]) for lv in sorted(num)}


@dataclass(frozen=True)
class SettleParams:
    fund_budget: float  # F: the fund's budget for the scheme's cases
    reimbursement_ratio: float  # r
    assessment: Mapping[str, float] = field(default_factory=dict)  # 考核系数, default 1
    advances: Mapping[str, float] = field(default_factory=dict)  # 月度已预拨 total
    booked_fund: Mapping[str, float] | None = None  # X_h; default Σ fund_paid of its settled cases
    band: float = 0.2  # surplus/overrun considered up to band × assessed fund due
    surplus_share: float = 1.0  # share of the surplus within the band the hospital keeps
    overrun_share: float = 0.5  # share of the overrun within the band the fund bears


@dataclass(frozen=True)
class HospitalSettlement:
    hospital: str
    cases: int
    points: float
    entitlement: float  # points × PV_settle
    patient_paid: float  # OOP
    fund_due: float  # entitlement − OOP
    assessment: float
    assessed_due: float  # fund_due × assessment
    booked_fund: float  # X_h
    retained: float  # 结余留用 (≥ 0)
    shared_overrun: float  # 合理超支分担 borne by the fund (≥ 0)
    payment: float  # annual fund payment
    advances: float
    final: float  # payment − advances


def hospital_settlement(
    h: str, n: int, pts: float, pv: float, oop: float, fund_paid: float, sp: SettleParams
) -> HospitalSettlement:
    """One hospital's clearing from its sums (points, OOP, Σ fund_paid of its settled cases).

    Shared by every engine (DIP reference and columnar, DRG), so all apply the same arithmetic.
    """
    ent = pts * pv
    due = ent - oop
    a = sp.assessment.get(h, 1.0)
    assessed = due * a
    x = sp.booked_fund[h] if sp.booked_fund is not None and h in sp.booked_fund else fund_paid
    cap = sp.band * max(assessed, 0.0)
    retained = shared = 0.0
    if x <= assessed:
        retained = sp.surplus_share * min(assessed - x, cap)
        pay = x + retained
    else:
        shared = sp.overrun_share * min(x - assessed, cap)
        pay = assessed + shared
    adv = sp.advances.get(h, 0.0)
    return HospitalSettlement(h, n, pts, ent, oop, due, a, assessed, x, retained, shared, pay, adv, pay - adv)


def settlement_point_value(sp: SettleParams, total_points: float) -> float:
    """PV_settle = (F / r) / Σ points, so Σ entitlements = F / r exactly (0 when nothing was scored)."""
    if sp.reimbursement_ratio <= 0:
        raise ValueError("报销比例 r 必须为正")
    return (sp.fund_budget / sp.reimbursement_ratio) / total_points if total_points > 0 else 0.0


@dataclass(frozen=True)
class Clearing:
    point_value: float
    total_points: float
    hospitals: dict[str, HospitalSettlement]


def clear(cases: Iterable[tuple[str, float, float, float]], sp: SettleParams) -> Clearing:
    """Annual clearing from each settled case's (hospital, points, patient paid, fund paid).

    Per hospital h: entitlement = points·PV; fund due = entitlement − OOP; assessed = fund due ×
    考核系数; X = booked fund; surplus s = assessed − X > 0 → retained = surplus_share·min(s,
    band·assessed), payment = X + retained; overrun o = X − assessed > 0 → shared =
    overrun_share·min(o, band·assessed), payment = assessed + shared; final = payment − advances.
    """
    pts: dict[str, list[float]] = defaultdict(list)
    oop: dict[str, list[float]] = defaultdict(list)
    fund: dict[str, list[float]] = defaultdict(list)
    every: list[float] = []
    for h, p, o, f in cases:
        pts[h].append(p)
        oop[h].append(o)
        fund[h].append(f)
        every.append(p)
    total = math.fsum(every)
    pv = settlement_point_value(sp, total)
    hospitals = {
        h: hospital_settlement(h, len(pts[h]), math.fsum(pts[h]), pv, math.fsum(oop[h]), math.fsum(fund[h]), sp)
        for h in sorted(pts)
    }
    return Clearing(pv, total, hospitals)


__all__ = [
    "NORMAL",
    "LOW",
    "HIGH",
    "SPECIAL",
    "OutlierBase",
    "Thresholds",
    "OutlierRule",
    "check_thresholds",
    "outlier_coefficient",
    "year_weights",
    "weighted_mean_of_sums",
    "level_coefficients",
    "SettleParams",
    "HospitalSettlement",
    "hospital_settlement",
    "settlement_point_value",
    "Clearing",
    "clear",
]
