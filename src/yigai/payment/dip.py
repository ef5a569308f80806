"""DIP (按病种分值付费): catalogue, scores, point values, case scoring and settlement.

Pure functions over :class:`yigai.payment.cases.Case`; no I/O. Numbers are floats; sums use
:func:`math.fsum` (correctly rounded, so results do not depend on record order); rounding is
left to presentation. Formulas and a worked example: docs/payment.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from yigai.payment.cases import Case
from yigai.payment.settlement import (
    HospitalSettlement,
    OutlierBase,
    SettleParams,
    clear,
    hospital_settlement,
    level_coefficients,
    outlier_coefficient,
    weighted_mean_of_sums,
    year_weights,
)

CONSERVATIVE = "保守治疗"
DIAGNOSTIC = "诊断性操作"
THERAPEUTIC = "治疗性操作"
SURGERY = "相关手术"
CLASS_RANK = {CONSERVATIVE: 0, DIAGNOSTIC: 1, THERAPEUTIC: 2, SURGERY: 3}

CORE = "核心病种"
COMPREHENSIVE = "综合病种"


@dataclass(frozen=True)
class ProcedureClassRule:
    """Treatment class of a procedure combination.

    No procedure → 保守治疗. Otherwise each code gets a class: listed in ``therapeutic``
    (prefix match) → 治疗性操作; its 2-digit category within a ``diagnostic`` range → 诊断性操作;
    else 相关手术. The combination takes the highest class (相关手术 > 治疗性操作 > 诊断性操作).
    """

    diagnostic: tuple[tuple[int, int], ...] = ((87, 99),)
    therapeutic: tuple[str, ...] = ()

    def code_class(self, code: str) -> str:
        if any(code.startswith(p) for p in self.therapeutic):
            return THERAPEUTIC
        cat = int(code[:2])
        if any(lo <= cat <= hi for lo, hi in self.diagnostic):
            return DIAGNOSTIC
        return SURGERY

    def combination_class(self, procs: Sequence[str]) -> str:
        if not procs:
            return CONSERVATIVE
        return max((self.code_class(p) for p in procs), key=CLASS_RANK.__getitem__)


@dataclass(frozen=True)
class DipParams:
    threshold: int = 15  # cases for a core group
    year_weights: tuple[float, ...] = (1.0, 2.0, 7.0)  # oldest → latest; the last len() years are used
    scale: float = 100.0  # points = RW × scale
    trim: tuple[float, float] | None = None  # e.g. (0.025, 0.975): drop cases outside these group quantiles
    low: float = 0.5  # C < low·A → k = C/A
    high: float = 2.0  # C > high·A → k = C/A − (high − 1)
    extreme: float = 5.0  # C ≥ extreme·A → flagged 特例单议
    level_coefficients: Mapping[str, float] | None = None  # None → derived from history
    primary_groups: frozenset[str] = frozenset()  # group keys declared 基层病种
    primary_coefficient: float = 1.0  # replaces the level coefficient for 基层病种
    proc_rule: ProcedureClassRule = field(default_factory=ProcedureClassRule)
    outlier_base: OutlierBase = OutlierBase.GROUP  # A = m_i × k, or the group's mean at the case's level


def subcategory(dx: str) -> str:
    """ICD-10 亚目: the first 5 characters (K80.100 → K80.1)."""
    return dx[:5]


def core_key(dx5: str, procs: Sequence[str]) -> str:
    return f"{dx5}|{'+'.join(procs) if procs else '-'}"


def comprehensive_key(category: str, klass: str) -> str:
    return f"{category}|{klass}"


@dataclass(frozen=True)
class DipGroup:
    key: str
    kind: str  # 核心病种 / 综合病种
    n_cases: int
    mean_cost: float  # m_i, year-weighted
    rw: float  # m_i / M
    points: float  # rw × scale
    primary: bool = False  # 基层病种


@dataclass(frozen=True)
class Catalogue:
    groups: Mapping[str, DipGroup]
    regional_mean: float  # M
    core_share: float  # share of historical cases in core groups
    n_cases: int
    budget_point_value: float  # Σ w_y·cost_y / Σ w_y·points_y
    level_coefficients: Mapping[str, float]
    params: DipParams
    level_means: Mapping[tuple[str, str], float] = field(default_factory=dict)  # (group, level) → mean (LEVEL base)

    def assign(self, case: Case) -> tuple[str | None, str]:
        """Group key for a case, or ``None`` with the reason it cannot be grouped."""
        return _assign(self.groups, case, self.params)


def _assign(groups: Mapping[str, DipGroup], case: Case, params: DipParams) -> tuple[str | None, str]:
    procs = case.procedures
    k = core_key(subcategory(case.main_dx), procs)
    g = groups.get(k)
    if g is not None and g.kind == CORE:
        return k, ""
    klass = params.proc_rule.combination_class(procs)
    ck = comprehensive_key(case.main_dx[:3], klass)
    if ck in groups:
        return ck, ""
    return None, f"病种组合 {k} 不在核心病种, 且类目 {case.main_dx[:3]} 无 {klass} 综合病种"


def _weights(years: Iterable[int], params: DipParams) -> dict[int, float]:
    return year_weights(years, params.year_weights)


def _weighted_mean(costs_by_year: Mapping[int, list[float]], w: Mapping[int, float]) -> float:
    """Σ_y w_y·mean_y / Σ_y w_y over the years that have cases."""
    return weighted_mean_of_sums({y: (math.fsum(v), len(v)) for y, v in costs_by_year.items()}, w)


def _quantile(sorted_vals: Sequence[float], q: float) -> float:
    pos = q * (len(sorted_vals) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (pos - lo)


def build_catalogue(history: Iterable[Case], params: DipParams = DipParams()) -> Catalogue:
    """Build the local catalogue from historical cases (all years given; weights apply to the last ones)."""
    cases = list(history)
    if not cases:
        raise ValueError("没有历史病例, 无法建立病种目录")
    w = _weights((c.settle_year for c in cases), params)
    cases = [c for c in cases if c.settle_year in w]
    combos: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        combos[core_key(subcategory(c.main_dx), c.procedures)].append(c)
    members: dict[str, list[Case]] = {}
    kinds: dict[str, str] = {}
    counts: dict[str, int] = defaultdict(int)
    for k, cs in combos.items():
        if len(cs) >= params.threshold:
            members[k], kinds[k] = list(cs), CORE
            counts[k] = len(cs)
        else:
            ck = comprehensive_key(cs[0].main_dx[:3], params.proc_rule.combination_class(cs[0].procedures))
            members.setdefault(ck, []).extend(cs)
            kinds[ck] = COMPREHENSIVE
            counts[ck] += len(cs)
    unknown = set(params.primary_groups) - {k for k, v in kinds.items() if v == CORE}
    if unknown:
        raise ValueError(f"基层病种不是核心病种: {', '.join(sorted(unknown))}")
    if params.trim is not None:
        lo_q, hi_q = params.trim
        for k, cs in members.items():
            vals = sorted(c.total_cost for c in cs)
            lo, hi = _quantile(vals, lo_q), _quantile(vals, hi_q)
            kept = [c for c in cs if lo <= c.total_cost <= hi]
            members[k] = kept or cs
    all_by_year: dict[int, list[float]] = defaultdict(list)
    for cs in members.values():
        for c in cs:
            all_by_year[c.settle_year].append(c.total_cost)
    M = _weighted_mean(all_by_year, w)
    if M <= 0:
        raise ValueError("历史病例平均费用为 0, 无法计算分值")
    groups: dict[str, DipGroup] = {}
    for k in sorted(members):
        by_year: dict[int, list[float]] = defaultdict(list)
        for c in members[k]:
            by_year[c.settle_year].append(c.total_cost)
        m = _weighted_mean(by_year, w)
        groups[k] = DipGroup(k, kinds[k], counts[k], m, m / M, m / M * params.scale, k in params.primary_groups)
    n_core = sum(g.n_cases for g in groups.values() if g.kind == CORE)
    # Budget point value: year-weighted total cost over year-weighted total (unadjusted) points.
    cost_y: dict[int, list[float]] = defaultdict(list)
    pts_y: dict[int, list[float]] = defaultdict(list)
    for c in cases:
        key, _ = _assign(groups, c, params)
        if key is not None:
            cost_y[c.settle_year].append(c.total_cost)
            pts_y[c.settle_year].append(groups[key].points)
    num = math.fsum(w[y] * math.fsum(v) for y, v in cost_y.items())
    den = math.fsum(w[y] * math.fsum(v) for y, v in pts_y.items())
    levels = (
        dict(params.level_coefficients)
        if params.level_coefficients is not None
        else derive_level_coefficients(cases, groups, params)
    )
    level_means: dict[tuple[str, str], float] = {}
    if params.outlier_base is OutlierBase.LEVEL:  # each group's mean at each level, over the cases averaged above
        for k in sorted(members):
            by_level: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
            for c in members[k]:
                by_level[c.hospital_level][c.settle_year].append(c.total_cost)
            for lv, by_year in sorted(by_level.items()):
                level_means[(k, lv)] = _weighted_mean(by_year, w)
    return Catalogue(groups, M, n_core / len(cases), len(cases), num / den, levels, params, level_means)


def derive_level_coefficients(
    cases: Iterable[Case], groups: Mapping[str, DipGroup], params: DipParams
) -> dict[str, float]:
    """k_L = Σ cost of level-L cases / Σ m_i of the same cases (their groups' regional means).

    That is, the level's mean cost over the regional mean for the same case mix; 基层病种 excluded.
    """
    rows = []
    for c in cases:
        key, _ = _assign(groups, c, params)
        if key is not None and not groups[key].primary:
            rows.append((c.hospital_level, c.total_cost, groups[key].mean_cost))
    return level_coefficients(rows)


@dataclass(frozen=True)
class ScoredCase:
    case: Case
    group: str
    base_points: float
    level_coefficient: float
    expected_cost: float  # A = m_i × k_level
    k_dev: float
    label: str
    points: float  # base × k_level × k_dev


@dataclass(frozen=True)
class Ungrouped:
    case: Case
    reason: str


@dataclass
class Scoring:
    scored: list[ScoredCase]
    ungrouped: list[Ungrouped]

    @property
    def special_review(self) -> list[ScoredCase]:
        return [s for s in self.scored if s.label == "特例单议"]


def score_cases(catalogue: Catalogue, cases: Iterable[Case]) -> Scoring:
    p = catalogue.params
    out = Scoring([], [])
    for c in cases:
        key, reason = catalogue.assign(c)
        if key is None:
            out.ungrouped.append(Ungrouped(c, reason))
            continue
        g = catalogue.groups[key]
        if g.primary:
            k_lv = p.primary_coefficient
        elif c.hospital_level in catalogue.level_coefficients:
            k_lv = catalogue.level_coefficients[c.hospital_level]
        else:
            out.ungrouped.append(Ungrouped(c, f"医院等级 {c.hospital_level} 无等级系数"))
            continue
        A = catalogue.level_means.get((key, c.hospital_level), g.mean_cost * k_lv)
        k_dev, label = outlier_coefficient(c.total_cost, A, p)
        out.scored.append(ScoredCase(c, key, g.points, k_lv, A, k_dev, label, g.points * k_lv * k_dev))
    return out


@dataclass
class Settlement:
    point_value: float  # PV_settle
    total_points: float
    hospitals: dict[str, HospitalSettlement]
    scoring: Scoring


def settle(catalogue: Catalogue, cases: Iterable[Case], sp: SettleParams) -> Settlement:
    """Annual clearing: PV_settle = (F_DIP / r) / Σ points, then each hospital's clearing
    (:func:`yigai.payment.settlement.clear`, the same for DRG)."""
    if sp.reimbursement_ratio <= 0:
        raise ValueError("报销比例 r 必须为正")
    scoring = score_cases(catalogue, cases)
    cleared = clear(((s.case.hospital, s.points, s.case.patient_paid, s.case.fund_paid) for s in scoring.scored), sp)
    return Settlement(cleared.point_value, cleared.total_points, cleared.hospitals, scoring)


@dataclass(frozen=True)
class MonthlyPreSettlement:
    hospital: str
    month: int
    points: float
    amount: float  # points × PV_budget − OOP of the month


def monthly_presettlement(catalogue: Catalogue, cases: Iterable[Case]) -> list[MonthlyPreSettlement]:
    scoring = score_cases(catalogue, cases)
    pts: dict[tuple[str, int], list[float]] = defaultdict(list)
    oop: dict[tuple[str, int], list[float]] = defaultdict(list)
    for s in scoring.scored:
        k = (s.case.hospital, s.case.month)
        pts[k].append(s.points)
        oop[k].append(s.case.patient_paid)
    out = []
    for k in sorted(pts):
        p = math.fsum(pts[k])
        out.append(MonthlyPreSettlement(k[0], k[1], p, p * catalogue.budget_point_value - math.fsum(oop[k])))
    return out


@dataclass(frozen=True)
class HospitalDiff:
    hospital: str
    base: HospitalSettlement | None
    alt: HospitalSettlement | None

    def _get(self, s: HospitalSettlement | None, attr: str) -> float:
        return getattr(s, attr) if s is not None else 0.0

    def delta(self, attr: str = "final") -> float:
        return self._get(self.alt, attr) - self._get(self.base, attr)


def run(history: Iterable[Case], current: Iterable[Case], params: DipParams, sp: SettleParams) -> Settlement:
    return settle(build_catalogue(history, params), current, sp)


def whatif(
    history: Sequence[Case],
    current: Sequence[Case],
    base: tuple[DipParams, SettleParams],
    alt: tuple[DipParams | None, SettleParams | None],
) -> dict[str, HospitalDiff]:
    """Rerun with changed parameters (None keeps the base) and return the per-hospital difference."""
    a = run(history, current, *base)
    b = run(history, current, alt[0] or base[0], alt[1] or base[1])
    hs = sorted(set(a.hospitals) | set(b.hospitals))
    return {h: HospitalDiff(h, a.hospitals.get(h), b.hospitals.get(h)) for h in hs}


__all__ = [
    "CONSERVATIVE",
    "DIAGNOSTIC",
    "THERAPEUTIC",
    "SURGERY",
    "CORE",
    "COMPREHENSIVE",
    "ProcedureClassRule",
    "DipParams",
    "DipGroup",
    "Catalogue",
    "build_catalogue",
    "derive_level_coefficients",
    "outlier_coefficient",
    "ScoredCase",
    "Ungrouped",
    "Scoring",
    "score_cases",
    "SettleParams",
    "HospitalSettlement",
    "Settlement",
    "settle",
    "hospital_settlement",
    "MonthlyPreSettlement",
    "monthly_presettlement",
    "HospitalDiff",
    "run",
    "whatif",
]
