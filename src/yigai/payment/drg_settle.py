"""DRG point settlement (按病组点数法): weights, case points, point value and each hospital's clearing.

The same settlement as DIP (:mod:`yigai.payment.settlement`: outlier coefficients, level
coefficients, point value, 结余留用 / 合理超支分担); only the groups and their base points differ:

* a case's group is the DRG it was grouped to (given in the case file, or found by the grouper
  of :mod:`yigai.payment.drg` from its diagnoses and procedures);
* RW_d comes from a regional weight list (:mod:`yigai.payment.drg_weights`, e.g. 福州2022) or
  from local history, as DIP does (RW_d = m_d / M, year-weighted means);
* base points = RW_d × scale (100 by default, or the region's base);
* the expected cost A of a case (for 低倍率/高倍率/特例单议) is the DRG's cost at the case's
  level: m_d × k_L, where m_d is the DRG's local mean (history RW) or RW_d × M (regional RW; M
  the history's mean cost per case, or a given base cost); or, with ``OutlierBase.LEVEL``, the
  history's mean for the DRG at hospitals of the same level.

Cases that cannot be settled (not grouped, no weight for their DRG, no level coefficient) are set
aside with the reason, never dropped. Pure functions over :class:`~yigai.payment.cases.Case`.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from yigai.payment.cases import Case
from yigai.payment.drg_weights import WeightList
from yigai.payment.settlement import (
    SPECIAL,
    HospitalSettlement,
    OutlierBase,
    SettleParams,
    clear,
    level_coefficients,
    outlier_coefficient,
    weighted_mean_of_sums,
    year_weights,
)

LOCAL = "本地历史 local history"


class DrgSettleError(ValueError):
    """The settlement cannot run with these inputs (no weight source, no cost base for outliers)."""


@dataclass(frozen=True)
class DrgParams:
    scale: float = 100.0  # base points = RW × scale
    year_weights: tuple[float, ...] = (1.0, 2.0, 7.0)  # history years, oldest → latest
    low: float = 0.5  # C < low·A → 低倍率
    high: float = 2.0  # C > high·A → 高倍率
    extreme: float = 5.0  # C ≥ extreme·A → 特例单议
    outlier_base: OutlierBase = OutlierBase.GROUP
    level_coefficients: Mapping[str, float] | None = None  # None → derived from history
    base_cost: float | None = None  # M when there is no history: the cost of RW 1


@dataclass(frozen=True)
class DrgGroup:
    drg: str
    rw: float
    points: float  # rw × scale
    mean_cost: float  # m_d: the expected cost at level coefficient 1
    n_cases: int = 0  # history cases


@dataclass(frozen=True)
class DrgCatalogue:
    groups: Mapping[str, DrgGroup]
    regional_mean: float  # M
    level_coefficients: Mapping[str, float]
    level_means: Mapping[tuple[str, str], float]  # (drg, level) → history mean (OutlierBase.LEVEL)
    source: str  # the weight list's name, or LOCAL
    params: DrgParams
    weights: WeightList | None = None
    history_set_aside: int = 0  # history cases without a weighted DRG (not in M)

    def why_not(self, drg: str) -> str:
        if not drg:
            return "没有 DRG 编码 / no DRG"
        if self.weights is not None:
            return self.weights.why_not(drg)
        return f"DRG {drg} 在本地历史中没有病例，无权重 / no history case, no local weight"


def _means(cases: Iterable[Case], key: Any, w: Mapping[int, float]) -> dict[Any, float]:
    """Year-weighted mean cost per key(case)."""
    sums: dict[Any, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for c in cases:
        sums[key(c)][c.settle_year].append(c.total_cost)
    return {
        k: weighted_mean_of_sums({y: (math.fsum(v), len(v)) for y, v in by_y.items()}, w) for k, by_y in sums.items()
    }


def build_catalogue(
    history: Sequence[Case], params: DrgParams = DrgParams(), weights: WeightList | None = None
) -> DrgCatalogue:
    """Weights and cost bases from a regional list and/or history cases (each with its DRG).

    Without a list, RW_d = m_d / M over the history's cases of grouped DRGs. With a list, the
    history (if any) gives M, the derived level coefficients and the same-level means.
    """
    from yigai.payment.drg import is_grouped

    if weights is None and not history:
        raise DrgSettleError("no weight list and no history: give --weights or --history / 没有权重表也没有历史病例")
    w = year_weights((c.settle_year for c in history), params.year_weights)
    usable = [
        c
        for c in history
        if c.settle_year in w and c.drg and (c.drg in weights.weights if weights is not None else is_grouped(c.drg))
    ]
    set_aside = sum(1 for c in history if c.settle_year in w) - len(usable)
    if params.base_cost is not None:
        M = params.base_cost
    elif usable:
        M = _means(usable, lambda c: "", w)[""]
    else:
        raise DrgSettleError(
            "no history case with a weighted DRG and no --base-cost: the expected cost of a DRG "
            "(for outliers) is unknown / 缺少历史病例或 --base-cost，无法计算偏差病例的费用基准"
        )
    if M <= 0:
        raise DrgSettleError("the mean cost per case must be positive / 例均费用必须为正")
    counts: dict[str, int] = defaultdict(int)
    for c in usable:
        counts[c.drg] += 1
    groups: dict[str, DrgGroup] = {}
    if weights is None:
        for d, m in sorted(_means(usable, lambda c: c.drg, w).items()):
            groups[d] = DrgGroup(d, m / M, m / M * params.scale, m, counts[d])
    else:
        for d, rw in sorted(weights.weights.items()):
            groups[d] = DrgGroup(d, rw, rw * params.scale, rw * M, counts.get(d, 0))
    if params.level_coefficients is not None:
        levels = dict(params.level_coefficients)
    elif usable:
        levels = level_coefficients((c.hospital_level, c.total_cost, groups[c.drg].mean_cost) for c in usable)
    else:
        raise DrgSettleError(
            "no history to derive the level coefficients from: give --level / "
            "没有历史病例可推算等级系数，请用 --level 给出"
        )
    level_means = (
        _means(usable, lambda c: (c.drg, c.hospital_level), w) if params.outlier_base is OutlierBase.LEVEL else {}
    )
    return DrgCatalogue(
        groups, M, levels, level_means, weights.name if weights is not None else LOCAL, params, weights, set_aside
    )


@dataclass(frozen=True)
class DrgScored:
    case: Case
    drg: str
    rw: float
    base_points: float
    level_coefficient: float
    expected_cost: float  # A
    k_dev: float
    label: str
    points: float  # base × k_level × k_dev


@dataclass(frozen=True)
class NotSettled:
    case: Case
    reason: str


@dataclass
class DrgScoring:
    scored: list[DrgScored]
    not_settled: list[NotSettled]

    @property
    def special_review(self) -> list[DrgScored]:
        return [s for s in self.scored if s.label == SPECIAL]


def score_cases(cat: DrgCatalogue, cases: Iterable[Case], reasons: Mapping[str, str] | None = None) -> DrgScoring:
    """Points per case; ``reasons`` (case id → why) explains the cases the grouper could not group."""
    p = cat.params
    out = DrgScoring([], [])
    for c in cases:
        g = cat.groups.get(c.drg)
        if g is None:
            why = cat.why_not(c.drg)
            if reasons and c.case_id in reasons:
                why = f"{why}；{reasons[c.case_id]}"
            out.not_settled.append(NotSettled(c, why))
            continue
        k_lv = cat.level_coefficients.get(c.hospital_level)
        if k_lv is None:
            out.not_settled.append(NotSettled(c, f"医院等级 {c.hospital_level} 无等级系数 / no level coefficient"))
            continue
        A = cat.level_means.get((c.drg, c.hospital_level), g.mean_cost * k_lv)
        k_dev, label = outlier_coefficient(c.total_cost, A, p)
        out.scored.append(DrgScored(c, c.drg, g.rw, g.points, k_lv, A, k_dev, label, g.points * k_lv * k_dev))
    return out


@dataclass
class DrgSettlement:
    point_value: float
    total_points: float
    hospitals: dict[str, HospitalSettlement]
    scoring: DrgScoring
    catalogue: DrgCatalogue


def settle(
    cat: DrgCatalogue, cases: Iterable[Case], sp: SettleParams, reasons: Mapping[str, str] | None = None
) -> DrgSettlement:
    """PV_settle = (F_DRG / r) / Σ points, then each hospital's clearing, exactly as DIP."""
    scoring = score_cases(cat, cases, reasons)
    cleared = clear(((s.case.hospital, s.points, s.case.patient_paid, s.case.fund_paid) for s in scoring.scored), sp)
    return DrgSettlement(cleared.point_value, cleared.total_points, cleared.hospitals, scoring, cat)


@dataclass(frozen=True)
class Grouped:
    cases: list[Case]  # every case, with its DRG
    reasons: dict[str, str] = field(default_factory=dict)  # case id → why the grouper gave 0000/QY
    grouped_here: int = 0  # cases grouped by the grouper (no DRG in the file)


def assign_drgs(cases: Iterable[Case], pack: Any) -> Grouped:
    """Give each case without a DRG the one the grouper finds (its public ``group``); keep the reason of a failure."""
    from yigai.payment.drg import DrgCase, group

    out: list[Case] = []
    reasons: dict[str, str] = {}
    n = 0
    for c in cases:
        if c.drg:
            out.append(c)
            continue
        g = group(
            DrgCase(
                c.case_id,
                c.main_dx,
                c.other_dx,
                c.main_proc or None,
                c.other_procs,
                Decimal(repr(c.total_cost)),
                c.hospital,
            ),
            pack,
        )
        n += 1
        if not g.grouped and g.trace:
            reasons[c.case_id] = g.trace[-1]
        out.append(dataclasses.replace(c, drg=g.drg))
    return Grouped(out, reasons, n)


__all__ = [
    "LOCAL",
    "DrgSettleError",
    "DrgParams",
    "DrgGroup",
    "DrgCatalogue",
    "build_catalogue",
    "DrgScored",
    "NotSettled",
    "DrgScoring",
    "score_cases",
    "DrgSettlement",
    "settle",
    "Grouped",
    "assign_drgs",
]
