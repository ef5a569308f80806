"""The DIP engine over columns: the same results as :mod:`yigai.payment.dip`, for a million cases a year.

:mod:`yigai.payment.dip` is the readable reference (one object per case); this module computes the
same catalogue, case scores and settlement from a :class:`~yigai.payment.case_table.CaseTable`
with NumPy, and must agree with it exactly (tests compare both on generated districts):

* group keys are built once per distinct (亚目, procedure combination), not once per case;
* element-wise arithmetic (ratios, outlier coefficients, points) is the same IEEE operation in the
  same order as the reference, so each case's figures are bit-identical;
* every sum the reference takes with :func:`math.fsum` (correctly rounded) is taken with
  :func:`math.fsum` here too, over the group's values sorted into contiguous runs, so totals do not
  depend on the summation order either;
* the per-hospital clearing and the year-weighted means are the reference's own functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yigai.payment.case_table import LIST_JOIN, CaseTable
from yigai.payment.dip import (
    COMPREHENSIVE,
    CORE,
    Catalogue,
    DipGroup,
    DipParams,
    HospitalDiff,
    MonthlyPreSettlement,
    _weights,
    comprehensive_key,
    weighted_mean_of_sums,
)
from yigai.payment.exact import exact_sums
from yigai.payment.settlement import (
    HospitalSettlement,
    OutlierBase,
    SettleParams,
    hospital_settlement,
    settlement_point_value,
)

LABELS = ("正常", "低倍率", "高倍率", "特例单议")
NORMAL, LOW, HIGH, SPECIAL = range(4)


def _codes(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Factorise a string column: per-row code and the distinct values."""
    enc = pc.dictionary_encode(values)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks() if enc.num_chunks != 1 else enc.chunk(0)
        if not isinstance(enc, pa.DictionaryArray):  # zero chunks
            return np.zeros(0, dtype=np.int64), []
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()


def _pair_codes(a: np.ndarray, b: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray]:
    """Factorise pairs of codes (hashing, no sort): per-row code and, per distinct pair, (a, b)."""
    nb = max(nb, 1)
    enc = pa.array(a * nb + b, pa.int64()).dictionary_encode()
    uniq = enc.dictionary.to_numpy()
    return enc.indices.to_numpy().astype(np.int64), np.stack([uniq // nb, uniq % nb], axis=1).reshape(-1, 2)


def _sums(values: np.ndarray, keys: np.ndarray, n_keys: int) -> list[float]:
    """math.fsum of the values of each key (the reference's correctly rounded sums)."""
    return exact_sums(values, keys, n_keys)


@dataclass(frozen=True)
class _Keys:
    """Each case's core combination and comprehensive group, as codes into lists of key strings."""

    core: np.ndarray  # per case: code of its (亚目, procedure combination)
    core_pairs: np.ndarray  # per core code: (index into dx5, index into combos)
    dx5: list[str]
    combos: list[str]
    comp_keys: list[str]
    comp_of_core: np.ndarray  # the comprehensive code each core combination folds into
    dx3: list[str]  # per comprehensive code: ICD-10 category
    klass: list[str]  # per comprehensive code: treatment class

    @property
    def n_core(self) -> int:
        return len(self.core_pairs)

    def core_key(self, code: int) -> str:
        """The key string, built only for the combinations that need one (not one per distinct pair)."""
        d, c = self.core_pairs[code]
        return f"{self.dx5[int(d)]}|{self.combos[int(c)]}"  # as dip.core_key: combination already joined

    def core_codes_of(self, keys: list[str]) -> np.ndarray:
        """Core code of each ``dx5|combination`` key, −1 where no case of this table has it."""
        dx5_index = {d: i for i, d in enumerate(self.dx5)}
        combo_index = {c: i for i, c in enumerate(self.combos)}
        nb = max(len(self.combos), 1)
        wanted = np.full(len(keys), -1, dtype=np.int64)
        for i, key in enumerate(keys):
            d, _, c = key.partition("|")
            if d in dx5_index and c in combo_index:
                wanted[i] = dx5_index[d] * nb + combo_index[c]
        have = self.core_pairs[:, 0] * nb + self.core_pairs[:, 1]
        order = np.argsort(have)
        pos = np.searchsorted(have[order], wanted)
        pos = np.minimum(pos, max(len(have) - 1, 0))
        found = (wanted >= 0) & (len(have) > 0)
        if len(have):
            found &= have[order][pos] == wanted
        return np.where(found, order[pos] if len(have) else -1, -1)


def _keys(cases: CaseTable, params: DipParams) -> _Keys:
    t = cases.table
    dx5_code, dx5 = _codes(pc.utf8_slice_codeunits(t.column("main_dx"), 0, 5))
    proc_code, pairs = _codes(pc.binary_join_element_wise(t.column("main_proc"), t.column("other_procs"), LIST_JOIN))
    combo_index: dict[str, int] = {}
    class_names: list[str] = []
    class_of_combo_l: list[int] = []
    combo_of_pair = np.zeros(len(pairs), dtype=np.int64)
    for i, pair in enumerate(pairs):
        procs = tuple(sorted({p for p in pair.split(LIST_JOIN) if p}))
        combo = "+".join(procs) if procs else "-"
        if combo not in combo_index:
            combo_index[combo] = len(combo_index)
            klass = params.proc_rule.combination_class(procs)
            if klass not in class_names:
                class_names.append(klass)
            class_of_combo_l.append(class_names.index(klass))
        combo_of_pair[i] = combo_index[combo]
    combo_uniq = list(combo_index)
    class_of_combo = np.array(class_of_combo_l, dtype=np.int64)
    combo_code = combo_of_pair[proc_code] if len(proc_code) else proc_code
    core, core_pairs = _pair_codes(dx5_code, combo_code, len(combo_uniq))
    dx3_names = sorted({d[:3] for d in dx5})
    dx3_index = {d: i for i, d in enumerate(dx3_names)}
    dx3_of_dx5 = np.array([dx3_index[d[:3]] for d in dx5], dtype=np.int64)
    comp_pair_a = dx3_of_dx5[core_pairs[:, 0]] if len(core_pairs) else np.zeros(0, dtype=np.int64)
    comp_pair_b = class_of_combo[core_pairs[:, 1]] if len(core_pairs) else np.zeros(0, dtype=np.int64)
    comp_of_core, comp_pairs = _pair_codes(comp_pair_a, comp_pair_b, len(class_names))
    dx3 = [dx3_names[a] for a in comp_pairs[:, 0].tolist()]
    classes = [class_names[b] for b in comp_pairs[:, 1].tolist()]
    comp_keys = [comprehensive_key(d, k) for d, k in zip(dx3, classes, strict=True)]
    return _Keys(core, core_pairs, dx5, combo_uniq, comp_keys, comp_of_core, dx3, classes)


def build_catalogue(history: CaseTable, params: DipParams = DipParams()) -> Catalogue:
    """:func:`yigai.payment.dip.build_catalogue` over columns (same result, exactly)."""
    if len(history) == 0:
        raise ValueError("没有历史病例, 无法建立病种目录")
    years = history.settle_year
    w = _weights(np.unique(years).tolist(), params)
    inw = np.isin(years, list(w))
    cases = CaseTable(history.table.filter(pa.array(inw))) if not inw.all() else history
    years = years[inw]
    cost = cases.numbers("total_cost")
    k = _keys(cases, params)
    n_core_combos = k.n_core
    counts = np.bincount(k.core, minlength=n_core_combos)
    is_core = counts >= params.threshold
    # group of each combination: itself when core, else its comprehensive group (after all core ones)
    combo_group = np.where(is_core, np.arange(n_core_combos), n_core_combos + k.comp_of_core)
    present, combo_gid = np.unique(combo_group, return_inverse=True)
    gid = combo_gid.astype(np.int64)[k.core]
    keys = [k.core_key(g) if g < n_core_combos else k.comp_keys[g - n_core_combos] for g in present.tolist()]
    kinds = [CORE if g < n_core_combos else COMPREHENSIVE for g in present.tolist()]
    n_groups = len(keys)
    group_counts = np.bincount(gid, minlength=n_groups)
    unknown = set(params.primary_groups) - {key for key, kind in zip(keys, kinds, strict=True) if kind == CORE}
    if unknown:
        raise ValueError(f"基层病种不是核心病种: {', '.join(sorted(unknown))}")
    kept = _trimmed(gid, cost, n_groups, params) if params.trim is not None else np.ones(len(cost), dtype=bool)
    kept_cost, kept_gid = cost[kept], gid[kept]
    ys = sorted(w)
    ny = len(ys)
    ycode = np.searchsorted(np.array(ys), years)
    cost_y = _by_year(cost, ycode, ys)
    M = weighted_mean_of_sums(_by_year(kept_cost, ycode[kept], ys) if params.trim is not None else cost_y, w)
    if M <= 0:
        raise ValueError("历史病例平均费用为 0, 无法计算分值")
    means = _group_means(kept_cost, kept_gid, ycode[kept], n_groups, [w[y] for y in ys])
    groups: dict[str, DipGroup] = {}
    for i in sorted(range(n_groups), key=keys.__getitem__):
        m = means[i]
        groups[keys[i]] = DipGroup(
            keys[i], kinds[i], int(group_counts[i]), m, m / M, m / M * params.scale, keys[i] in params.primary_groups
        )
    n_core = sum(g.n_cases for g in groups.values() if g.kind == CORE)
    points = np.array([groups[key].points for key in keys])
    mean = np.array([groups[key].mean_cost for key in keys])
    primary = np.array([groups[key].primary for key in keys], dtype=bool)
    # Budget point value: every historical case falls in the group it was counted in.
    gy_counts = np.bincount(gid * ny + ycode, minlength=n_groups * ny).reshape(n_groups, ny)
    pts_y = {y: (_repeated_sum(points, gy_counts[:, j]), int(gy_counts[:, j].sum())) for j, y in enumerate(ys)}
    num = math.fsum(w[y] * s for y, (s, _) in cost_y.items())
    den = math.fsum(w[y] * s for y, (s, _) in pts_y.items())
    if params.level_coefficients is not None:
        levels = dict(params.level_coefficients)
    else:
        levels = _derive_levels(cases, cost, gid, mean, primary, n_groups)
    level_means: dict[tuple[str, str], float] = {}
    if params.outlier_base is OutlierBase.LEVEL:
        lv_code, lv_names = _codes(cases.column("hospital_level"))
        nl = max(len(lv_names), 1)
        cell = kept_gid * nl + lv_code[kept]
        with np.errstate(invalid="ignore"):  # cells without a case give 0/0; only cells with cases are read
            cell_means = _group_means(kept_cost, cell, ycode[kept], n_groups * nl, [w[y] for y in ys])
        filled = np.flatnonzero(np.bincount(cell, minlength=n_groups * nl)).tolist()
        level_means = {
            (keys[c // nl], lv_names[c % nl]): cell_means[c]
            for c in sorted(filled, key=lambda c: (keys[c // nl], lv_names[c % nl]))
        }
    return Catalogue(groups, M, n_core / len(cost), len(cost), num / den, levels, params, level_means)


def _repeated_sum(values: np.ndarray, counts: np.ndarray) -> float:
    """math.fsum of values[i] repeated counts[i] times: the exact Σ counts·values, rounded once."""
    terms = [(c, v.as_integer_ratio()) for c, v in zip(counts.tolist(), values.tolist(), strict=True) if c]
    if not terms:
        return 0.0
    scale = max(den for _, (_, den) in terms)  # powers of two: every denominator divides the largest
    return sum(c * num * (scale // den) for c, (num, den) in terms) / scale


def _group_means(
    cost: np.ndarray, gid: np.ndarray, ycode: np.ndarray, n_groups: int, weights: list[float]
) -> list[float]:
    """Each group's year-weighted mean, as :func:`yigai.payment.dip.weighted_mean_of_sums` computes it."""
    ny = len(weights)
    gy = gid * ny + ycode
    sums = np.array(_sums(cost, gy, n_groups * ny))
    ns = np.bincount(gy, minlength=n_groups * ny).astype(np.float64)
    has = ns > 0
    w = np.tile(np.array(weights, dtype=np.float64), n_groups)
    terms = np.where(has, w * sums / np.where(has, ns, 1.0), 0.0)  # (w·Σ)/n, as the reference
    cell_group = np.repeat(np.arange(n_groups), ny)
    num = np.array(_sums(terms[has], cell_group[has], n_groups))
    den = np.array(_sums(w[has], cell_group[has], n_groups))
    return (num / den).tolist()


def _by_year(values: np.ndarray, ycode: np.ndarray, ys: list[int]) -> dict[int, tuple[float, int]]:
    """(Σ value, cases) of each year that has cases."""
    sums = _sums(values, ycode, len(ys))
    ns = np.bincount(ycode, minlength=len(ys)).tolist()
    return {y: (sums[j], ns[j]) for j, y in enumerate(ys) if ns[j]}


def _trimmed(gid: np.ndarray, cost: np.ndarray, n_groups: int, params: DipParams) -> np.ndarray:
    """Cases kept after trimming each group to its [lo, hi] quantiles (all kept if none would be)."""
    assert params.trim is not None
    lo_q, hi_q = params.trim
    order = np.lexsort((cost, gid))
    sv = cost[order]
    n = np.bincount(gid, minlength=n_groups)
    start = np.concatenate(([0], np.cumsum(n)[:-1]))

    def quantile(q: float) -> np.ndarray:
        pos = q * (n - 1).astype(np.float64)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, n - 1)
        a, b = sv[start + lo], sv[start + hi]
        return a + (b - a) * (pos - lo)

    lo_v, hi_v = quantile(lo_q), quantile(hi_q)
    kept = (lo_v[gid] <= cost) & (cost <= hi_v[gid])
    any_kept = np.bincount(gid, weights=kept, minlength=n_groups) > 0
    return kept | ~any_kept[gid]


def _derive_levels(
    cases: CaseTable, cost: np.ndarray, gid: np.ndarray, mean: np.ndarray, primary: np.ndarray, n_groups: int
) -> dict[str, float]:
    """As :func:`yigai.payment.dip.derive_level_coefficients`: Σ cost / Σ m_i per level, 基层病种 excluded."""
    lv_code, lv_names = _codes(cases.column("hospital_level"))
    use = ~primary[gid]
    lv = lv_code[use]
    num = _sums(cost[use], lv, len(lv_names))
    per = np.bincount(gid[use] * len(lv_names) + lv, minlength=n_groups * len(lv_names)).reshape(n_groups, -1)
    den = [_repeated_sum(mean, per[:, j]) for j in range(len(lv_names))]
    present = np.bincount(lv, minlength=len(lv_names)) > 0
    return {lv_names[i]: num[i] / den[i] for i in sorted(np.flatnonzero(present).tolist(), key=lv_names.__getitem__)}


@dataclass
class ColumnarScoring:
    """Case scores as columns: ``index`` rows of the scored table, in input order."""

    cases: CaseTable
    index: np.ndarray  # rows of ``cases`` that were scored
    group: np.ndarray  # code into ``group_keys``
    group_keys: list[str]
    base_points: np.ndarray
    level_coefficient: np.ndarray
    expected_cost: np.ndarray
    k_dev: np.ndarray
    label: np.ndarray  # code into LABELS
    points: np.ndarray
    ungrouped_index: np.ndarray  # rows of ``cases`` that could not be scored, in input order
    ungrouped_reason: list[str]

    @property
    def special_review(self) -> np.ndarray:
        return self.index[self.label == SPECIAL]

    def rows(self) -> list[tuple[str, str, str, float, float, float, str, float]]:
        """(case id, hospital, group, base, level coefficient, k, label, points) per scored case."""
        t = self.cases.table.take(pa.array(self.index))
        return list(
            zip(
                t.column("case_id").to_pylist(),
                t.column("hospital").to_pylist(),
                [self.group_keys[g] for g in self.group.tolist()],
                self.base_points.tolist(),
                self.level_coefficient.tolist(),
                self.k_dev.tolist(),
                [LABELS[x] for x in self.label.tolist()],
                self.points.tolist(),
                strict=True,
            )
        )

    def ungrouped(self) -> list[tuple[str, str, str]]:
        """(case id, hospital, reason) per case that could not be scored."""
        t = self.cases.table.take(pa.array(self.ungrouped_index))
        return list(
            zip(t.column("case_id").to_pylist(), t.column("hospital").to_pylist(), self.ungrouped_reason, strict=True)
        )


def score_cases(catalogue: Catalogue, cases: CaseTable) -> ColumnarScoring:
    """:func:`yigai.payment.dip.score_cases` over columns."""
    p = catalogue.params
    n = len(cases)
    group_keys = list(catalogue.groups)
    gindex = {key: i for i, key in enumerate(group_keys)}
    g_mean = np.array([g.mean_cost for g in catalogue.groups.values()] or [0.0])
    g_points = np.array([g.points for g in catalogue.groups.values()] or [0.0])
    g_primary = np.array([g.primary for g in catalogue.groups.values()] or [False], dtype=bool)
    k = _keys(cases, p)
    core_groups = [key for key, g in catalogue.groups.items() if g.kind == CORE]
    core_map = np.full(k.n_core, -1, dtype=np.int64)
    codes = k.core_codes_of(core_groups)
    at = codes >= 0
    core_map[codes[at]] = np.array([gindex[key] for key in core_groups], dtype=np.int64)[at]
    comp_map = np.array([gindex.get(key, -1) for key in k.comp_keys], dtype=np.int64)
    gid = core_map[k.core] if n else np.zeros(0, dtype=np.int64)
    gid = np.where(gid >= 0, gid, comp_map[k.comp_of_core[k.core]] if n else gid)
    reason_code = np.full(n, -1, dtype=np.int64)  # ≥ 0: code of the core combination that failed
    no_group = gid < 0
    reason_code[no_group] = k.core[no_group]
    lv_code, lv_names = _codes(cases.column("hospital_level"))
    lv_known = np.array([name in catalogue.level_coefficients for name in lv_names] or [False], dtype=bool)
    lv_value = np.array([catalogue.level_coefficients.get(name, 0.0) for name in lv_names] or [0.0])
    safe_gid = np.where(no_group, 0, gid)
    is_primary = g_primary[safe_gid] & ~no_group
    no_level = ~no_group & ~is_primary & ~lv_known[lv_code] if n else no_group
    scored = ~no_group & ~no_level
    idx = np.flatnonzero(scored)
    g = gid[idx]
    k_lv = np.where(is_primary[idx], p.primary_coefficient, lv_value[lv_code[idx]])
    A = g_mean[g] * k_lv
    if catalogue.level_means:  # OutlierBase.LEVEL: the group's mean at the case's level, where the history has one
        lv_index = {name: i for i, name in enumerate(lv_names)}
        lvm = np.full((max(len(group_keys), 1), max(len(lv_names), 1)), np.nan)
        for (key, lv), m in catalogue.level_means.items():
            if key in gindex and lv in lv_index:
                lvm[gindex[key], lv_index[lv]] = m
        lm = lvm[g, lv_code[idx]] if len(idx) else np.zeros(0)
        A = np.where(np.isnan(lm), A, lm)
    cost = cases.numbers("total_cost")[idx]
    if np.any(A == 0):
        raise ZeroDivisionError("float division by zero")  # as the reference: a zero expected cost
    ratio = cost / A
    low, high = ratio < p.low, ratio > p.high
    k_dev = np.where(low, ratio, np.where(high, ratio - (p.high - 1.0), 1.0))
    label = np.where(low, LOW, np.where(high, np.where(ratio >= p.extreme, SPECIAL, HIGH), NORMAL))
    base = g_points[g]
    bad_idx = np.flatnonzero(~scored)
    reasons: list[str] = []
    if len(bad_idx):
        dx = cases.column("main_dx").take(pa.array(bad_idx)).to_pylist()
        levels = cases.column("hospital_level").take(pa.array(bad_idx)).to_pylist()
        for i, d, lv in zip(bad_idx.tolist(), dx, levels, strict=True):
            if no_group[i]:
                c = int(k.core[i])
                reasons.append(
                    f"病种组合 {k.core_key(c)} 不在核心病种, 且类目 {d[:3]} 无 "
                    f"{k.klass[int(k.comp_of_core[c])]} 综合病种"
                )
            else:
                reasons.append(f"医院等级 {lv} 无等级系数")
    return ColumnarScoring(
        cases, idx, g, group_keys, base, k_lv, A, k_dev, label, base * k_lv * k_dev, bad_idx, reasons
    )


@dataclass
class ColumnarSettlement:
    point_value: float
    total_points: float
    hospitals: dict[str, HospitalSettlement]
    scoring: ColumnarScoring


def settle(catalogue: Catalogue, cases: CaseTable, sp: SettleParams) -> ColumnarSettlement:
    """:func:`yigai.payment.dip.settle` over columns."""
    if sp.reimbursement_ratio <= 0:
        raise ValueError("报销比例 r 必须为正")
    return settle_scored(score_cases(catalogue, cases), sp)


def settle_scored(s: ColumnarScoring, sp: SettleParams) -> ColumnarSettlement:
    """The clearing from case scores already computed (the what-if of a budget needs no rescoring)."""
    cases = s.cases
    total = _sums(s.points, np.zeros(len(s.points), dtype=np.int64), 1)[0]
    pv = settlement_point_value(sp, total)
    h_code, h_names = _codes(cases.column("hospital"))
    hc = h_code[s.index] if len(s.index) else np.zeros(0, dtype=np.int64)
    nh = len(h_names)
    pts = _sums(s.points, hc, nh)
    oop = _sums(cases.numbers("patient_paid")[s.index], hc, nh)
    fund = _sums(cases.numbers("fund_paid")[s.index], hc, nh)
    ns = np.bincount(hc, minlength=nh).tolist()
    hospitals = {
        h_names[i]: hospital_settlement(h_names[i], ns[i], pts[i], pv, oop[i], fund[i], sp)
        for i in sorted(range(nh), key=h_names.__getitem__)
        if ns[i]
    }
    return ColumnarSettlement(pv, total, hospitals, s)


def monthly_presettlement(catalogue: Catalogue, cases: CaseTable) -> list[MonthlyPreSettlement]:
    """:func:`yigai.payment.dip.monthly_presettlement` over columns."""
    s = score_cases(catalogue, cases)
    h_code, h_names = _codes(cases.column("hospital"))
    if not len(s.index):
        return []
    key = h_code[s.index] * 13 + cases.month[s.index]
    nk = len(h_names) * 13
    pts = _sums(s.points, key, nk)
    oop = _sums(cases.numbers("patient_paid")[s.index], key, nk)
    ns = np.bincount(key, minlength=nk)
    rows = sorted(((h_names[x // 13], x % 13), pts[x], oop[x]) for x in np.flatnonzero(ns).tolist())
    return [MonthlyPreSettlement(h, m, p_, p_ * catalogue.budget_point_value - o) for (h, m), p_, o in rows]


def run(history: CaseTable, current: CaseTable, params: DipParams, sp: SettleParams) -> ColumnarSettlement:
    return settle(build_catalogue(history, params), current, sp)


def whatif(
    history: CaseTable,
    current: CaseTable,
    base: tuple[DipParams, SettleParams],
    alt: tuple[DipParams | None, SettleParams | None],
) -> dict[str, HospitalDiff]:
    """:func:`yigai.payment.dip.whatif` over columns."""
    a = run(history, current, *base)
    b = run(history, current, alt[0] or base[0], alt[1] or base[1])
    hs = sorted(set(a.hospitals) | set(b.hospitals))
    return {h: HospitalDiff(h, a.hospitals.get(h), b.hospitals.get(h)) for h in hs}


__all__ = [
    "LABELS",
    "ColumnarScoring",
    "ColumnarSettlement",
    "build_catalogue",
    "score_cases",
    "settle",
    "settle_scored",
    "monthly_presettlement",
    "run",
    "whatif",
]
