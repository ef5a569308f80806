"""Compute catalogue indicators for org units × periods from the record tables.

How it stays fast: each source is scanned once per run (its measures fused into one grouped
statement: unit × month for flows, unit × month-end for stocks), or not at all where the record
store keeps that statement's rows up to date (:mod:`yigai.analytics.materialised`, made at load);
everything after that is NumPy
over small arrays — units roll up to towns, districts and institution types by a membership
matrix, months to quarters and years by summing columns. Ratios are always Σnumerator / Σdenominator
at the level asked for, never averages of lower-level ratios.

The engine knows nothing of the indicator store: it takes any connection :func:`dialect.execute`
accepts and returns plain results.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from yigai.analytics import materialised
from yigai.analytics.catalogue import (
    Compare,
    Indicator,
    Level,
    Measure,
    Rule,
    Source,
    SourceKind,
    measures_by_source,
)
from yigai.analytics.dialect import execute
from yigai.analytics.queries import fused
from yigai.domain.errors import YigaiError
from yigai.domain.periods import Period, PeriodType, parse_period

# Partial sums are rounded to this many decimals before use, so that the order in which a parallel
# database adds doubles cannot change a value or its input hash between two runs.
PARTIAL_DECIMALS = 4
ALL_LEVELS = (Level.DISTRICT, Level.TOWN, Level.INSTITUTION, Level.INSTITUTION_TYPE)


class ComputationError(YigaiError):
    message_zh = "指标计算失败"


class Result(NamedTuple):
    """One indicator for one org unit and one period, with what it was made of.

    A named tuple: a district-year run makes ~400,000 of them.
    """

    code: str
    level: Level
    org_unit: str
    period_id: str
    numerator: float
    denominator: float | None  # None for counts; the previous period's base for growths
    value: float | None
    reason: str  # why value is None ("" otherwise)
    numerator_records: int
    denominator_records: int | None
    definition_version: str
    inputs_hash: str


@dataclass(slots=True)
class OrgStructure:
    """Institutions and towns of the record store, and the groups each level forms."""

    institutions: list[str]
    inst_town: list[str]
    inst_type: list[str]
    inst_name: list[str]
    towns: list[str]
    town_district: list[str]
    town_name: list[str]
    district_name: dict[str, str]

    @classmethod
    def read(cls, con: object) -> OrgStructure:
        inst = execute(con, "SELECT institution_id, town_code, type, name FROM institutions ORDER BY institution_id")
        towns = execute(con, "SELECT town_code, district_code, town_name, district_name FROM towns ORDER BY town_code")
        return cls(
            institutions=[r[0] for r in inst],
            inst_town=[r[1] for r in inst],
            inst_type=[r[2] for r in inst],
            inst_name=[r[3] for r in inst],
            towns=[r[0] for r in towns],
            town_district=[r[1] for r in towns],
            town_name=[r[2] for r in towns],
            district_name={r[1]: r[3] for r in towns},
        )

    def units(self, source: Source) -> list[str]:
        return self.institutions if source.attribution.value == "institution" else self.towns

    def groups(self, source: Source, level: Level) -> tuple[list[str], np.ndarray]:
        """(group codes, group index of each unit of the source's attribution; -1: none)."""
        town_district = dict(zip(self.towns, self.town_district, strict=True))
        if source.attribution.value == "town":
            keys = {Level.TOWN: self.towns, Level.DISTRICT: self.town_district}[level]
        else:
            keys = {
                Level.INSTITUTION: self.institutions,
                Level.INSTITUTION_TYPE: self.inst_type,
                Level.TOWN: self.inst_town,
                Level.DISTRICT: [town_district.get(t, "") for t in self.inst_town],
            }[level]
        codes = sorted({k for k in keys if k})
        pos = {c: i for i, c in enumerate(codes)}
        return codes, np.array([pos.get(k, -1) if k else -1 for k in keys], dtype=np.int64)

    def name(self, level: Level, code: str) -> str:
        if level is Level.INSTITUTION:
            return dict(zip(self.institutions, self.inst_name, strict=True)).get(code, code)
        if level is Level.TOWN:
            return dict(zip(self.towns, self.town_name, strict=True)).get(code, code)
        if level is Level.DISTRICT:
            return self.district_name.get(code, code)
        from yigai.records.schema import table  # the type codes' Chinese names are schema data

        return table("institutions").column("type").values.get(code, code)


@dataclass(slots=True)
class Partials:
    """Per-unit partial sums of one measure for each needed period (columns in ``Plan.periods``)."""

    values: np.ndarray  # units × periods
    records: np.ndarray  # units × periods
    unattributed: float = 0.0  # value of records whose unit is not in the institutions/towns tables


@dataclass(slots=True)
class Computation:
    results: list[Result]
    statements: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # (sql, params) that ran
    materialised: list[str] = field(default_factory=list)  # sources read from materialised partials, not scanned
    unattributed: dict[str, float] = field(default_factory=dict)  # measure → value left out of every unit
    rows_read: int = 0  # grouped rows returned by the database


def _months(p: Period) -> list[int]:
    out, y, m = [], p.start.year, p.start.month
    while (y, m) <= (p.end.year, p.end.month):
        out.append(y * 100 + m)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def compare_period(p: Period, compare: Compare) -> Period:
    """The period a growth is measured against: the one just before, of the same length, or a year earlier."""
    if compare is Compare.PREVIOUS:
        return p.previous()
    return parse_period(p.id.replace(str(p.start.year), str(p.start.year - 1), 1))


def periods_within(period_id: str) -> list[str]:
    """A year → its months, quarters and itself; a half-year or quarter → its months (and quarters)
    and itself; a month → itself."""
    p = parse_period(period_id)
    if p.type is PeriodType.MONTHLY:
        return [p.id]
    months = [str(m) for m in _months(p)]
    quarters = (
        []
        if p.type is PeriodType.QUARTERLY
        else list(dict.fromkeys(f"{p.start.year}Q{(int(m[4:]) - 1) // 3 + 1}" for m in months))
    )
    return months + quarters + [p.id]


def compute(
    con: object,
    indicators: Sequence[Indicator],
    period_ids: Sequence[str],
    levels: Iterable[Level] = ALL_LEVELS,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    use_materialised: bool = True,
) -> Computation:
    """Every indicator × supported level × org unit × period.

    ``progress(step, done, total)`` is called after each source scan and each indicator. A source
    whose partials the record store keeps up to date (:mod:`yigai.analytics.materialised`) is read
    from them instead of scanned, unless ``use_materialised`` is false.
    """
    periods = [parse_period(pid) for pid in dict.fromkeys(period_ids)]
    if not periods:
        raise ComputationError("no period to compute", message_zh="未指定报告期", where="period")
    wanted_levels = list(dict.fromkeys(levels))
    needed: dict[str, Period] = {p.id: p for p in periods}
    for ind in indicators:
        if ind.compare is not None:
            for p in periods:
                c = compare_period(p, ind.compare)
                needed.setdefault(c.id, c)
    plist = list(needed.values())
    pindex = {p.id: i for i, p in enumerate(plist)}
    months = sorted({m for p in plist for m in _months(p)})
    start = min(p.start for p in plist)
    end = max(p.end for p in plist)
    stock_growth = any(
        ind.compare is not None and any(m.source.kind is SourceKind.STOCK for m in ind.measures) for ind in indicators
    )
    as_of = sorted({p.end for p in (plist if stock_growth else periods)})

    org = OrgStructure.read(con)
    by_source = measures_by_source(indicators)
    total = len(by_source) + len(indicators)
    done = 0
    comp = Computation(results=[])
    partials: dict[str, Partials] = {}
    reader = materialised.reader(con) if use_materialised else None
    for measures in by_source.values():
        source = measures[0].source
        statement = fused(source, measures, as_of)
        sql = statement.sql
        params: dict[str, object] = {"start_date": start, "end_date": end} if source.kind is SourceKind.FLOW else {}
        kept = reader.rows(source, measures, start, end, as_of) if reader else None
        layout = statement.layout
        if kept is None:
            rows = execute(con, sql, params)
            comp.statements.append((sql, params))
        else:
            rows, layout = kept.rows, kept.layout
            comp.materialised.append(source.name)
        comp.rows_read += len(rows)
        partials.update(_partials(source, measures, layout, rows, org, plist, months, as_of))
        done += 1
        if progress:
            progress(f"scan {source.name}", done, total)
    for name, part in partials.items():
        if part.unattributed:
            comp.unattributed[name] = part.unattributed

    with _no_gc():
        for ind in indicators:
            for level in wanted_levels:
                if level in ind.levels:
                    comp.results.extend(_indicator_results(ind, level, periods, pindex, partials, org))
            done += 1
            if progress:
                progress(ind.code, done, total)
    return comp


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while results are made: a district-year run allocates
    ~400,000 tuples, which would trigger a hundred collections that find nothing (they hold no cycles)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _partials(
    source: Source,
    measures: list[Measure],
    layout: tuple[tuple[int, int], ...],
    rows: list[tuple],
    org: OrgStructure,
    plist: list[Period],
    months: list[int],
    as_of: list[dt.date],
) -> dict[str, Partials]:
    units = org.units(source)
    upos = {u: i for i, u in enumerate(units)}
    k = len(measures)
    take = np.array([c for pair in layout for c in pair], dtype=np.int64)
    flow = source.kind is SourceKind.FLOW
    cols = months if flow else as_of
    cpos = {c: i for i, c in enumerate(cols)}
    raw = np.zeros((k, 2, len(units), len(cols)))
    n = len(rows)
    days = [r[1].date() if isinstance(r[1], dt.datetime) else r[1] for r in rows]
    ui = np.fromiter((upos.get(r[0], -1) for r in rows), dtype=np.int64, count=n)
    ci = np.fromiter((cpos.get(d.year * 100 + d.month if flow else d, -1) for d in days), dtype=np.int64, count=n)
    # None (a SUM over no value) counts as 0; columns reordered to (measure, value | records)
    width = len(rows[0]) - 2 if rows else int(take.max()) + 1
    vals = np.nan_to_num(np.array([r[2:] for r in rows], dtype=float).reshape(n, width))[:, take].reshape(n, k, 2)
    known = (ui >= 0) & (ci >= 0)
    lost = vals[~known, :, 0].sum(axis=0)
    raw[:, :, ui[known], ci[known]] = vals[known].transpose(1, 2, 0)
    raw = np.round(raw, PARTIAL_DECIMALS)
    # period matrix: columns (months or month ends) → the needed periods
    pm = np.zeros((len(cols), len(plist)))
    for j, p in enumerate(plist):
        if flow:
            for m in _months(p):
                pm[cpos[m], j] = 1.0
        elif p.end in cpos:  # comparison periods of flow growths need no stock dates
            pm[cpos[p.end], j] = 1.0
    out = {}
    for i, measure in enumerate(measures):
        out[measure.name] = Partials(
            values=np.round(raw[i, 0] @ pm, PARTIAL_DECIMALS), records=raw[i, 1] @ pm, unattributed=float(lost[i])
        )
    return out


def _sum_terms(terms: Sequence[Measure], partials: dict[str, Partials]) -> tuple[np.ndarray, np.ndarray]:
    v = sum((partials[m.name].values for m in terms), start=np.zeros_like(partials[terms[0].name].values))
    n = sum((partials[m.name].records for m in terms), start=np.zeros_like(partials[terms[0].name].records))
    return v, n


def _indicator_results(
    ind: Indicator,
    level: Level,
    periods: list[Period],
    pindex: dict[str, int],
    partials: dict[str, Partials],
    org: OrgStructure,
) -> list[Result]:
    num_v, num_n = _sum_terms(ind.numerator, partials)
    # numerator and denominator may be attributed differently (beds by institution, population by
    # town): each rolls up to the level's groups through its own membership, then the groups align.
    codes_n, gi_n = org.groups(ind.numerator[0].source, level)
    blocks = [(codes_n, gi_n, num_v, num_n)]
    if ind.denominator:
        den_v, den_n = _sum_terms(ind.denominator, partials)
        codes_d, gi_d = org.groups(ind.denominator[0].source, level)
        blocks.append((codes_d, gi_d, den_v, den_n))
    codes = sorted({c for b in blocks for c in b[0]})
    rolled = [
        (_reindex(_roll(v, gi, len(cs)), cs, codes), _reindex(_roll(n, gi, len(cs)), cs, codes))
        for cs, gi, v, n in blocks
    ]
    gnum_v, gnum_n = rolled[0]
    gden_v, gden_n = rolled[1] if ind.denominator else (None, None)
    hash_blocks = [(_remap(gi, cs, codes), v, n) for cs, gi, v, n in blocks]
    digests = _digests(ind, codes, periods, pindex, hash_blocks)
    out: list[Result] = []
    f = ind.factor
    version = ind.definition_version
    code, lvl = ind.code, level
    new = tuple.__new__  # Result's own __new__ without its argument handling: 400,000 calls
    for j, p in enumerate(periods):
        c = pindex[p.id]
        pid = p.id
        hashes = digests[j]
        nv, nn = gnum_v[:, c].tolist(), gnum_n[:, c].astype(np.int64).tolist()
        if ind.aggregation is Rule.SUM:
            out.extend(
                new(Result, (code, lvl, u, pid, v, None, v * f, "", n, None, version, h))
                for u, v, n, h in zip(codes, nv, nn, hashes, strict=True)
            )
            continue
        dv: list[float] = [] if gden_v is None else gden_v[:, c].tolist()
        dn: list[int] = [] if gden_n is None else gden_n[:, c].astype(np.int64).tolist()
        if ind.aggregation is Rule.RATIO_OF_SUMS:
            out.extend(
                new(
                    Result,
                    (
                        code,
                        lvl,
                        u,
                        pid,
                        v,
                        d,
                        v / d * f if d else None,
                        "" if d else "denominator is 0",
                        n,
                        m,
                        version,
                        h,
                    ),
                )
                for u, v, d, n, m, h in zip(codes, nv, dv, nn, dn, hashes, strict=True)
            )
            continue
        # growth: base = Σnum/Σden (or Σnum); compared with the same base in the comparison period
        assert ind.compare is not None  # a growth indicator names its comparison (the catalogue refuses one without)
        cp = compare_period(p, ind.compare)
        k = pindex[cp.id]
        pv, pn = gnum_v[:, k].tolist(), gnum_n[:, k].astype(np.int64).tolist()
        pdv, pdn = (
            (gden_v[:, k].tolist(), gden_n[:, k].astype(np.int64).tolist())
            if gden_v is not None and gden_n is not None
            else (None, None)
        )
        for g, u in enumerate(codes):
            cur = _base(nv[g], dv[g] if ind.denominator else None)
            old = _base(pv[g], pdv[g] if pdv is not None else None)
            if cur is None:
                value, reason = None, f"no denominator records in {p.id}"
            elif not old:
                value, reason = None, f"{'base is 0' if old == 0 else 'no denominator records'} in {cp.id}"
            else:
                value, reason = (cur / old - 1.0) * f, ""
            out.append(
                Result(
                    code,
                    lvl,
                    u,
                    p.id,
                    0.0 if cur is None else cur,
                    old,
                    value,
                    reason,
                    nn[g] + (dn[g] if ind.denominator else 0),
                    pn[g] + (pdn[g] if pdn else 0),
                    version,
                    hashes[g],
                )
            )
    return out


def _base(num: float, den: float | None) -> float | None:
    if den is None:
        return num
    return num / den if den else None


def _roll(a: np.ndarray, gi: np.ndarray, n_groups: int) -> np.ndarray:
    """units × periods → groups × periods (units with no group are left out of every group)."""
    out = np.zeros((n_groups, a.shape[1]))
    keep = gi >= 0
    np.add.at(out, gi[keep], a[keep])
    return out


def _reindex(a: np.ndarray, have: list[str], want: list[str]) -> np.ndarray:
    if have == want:
        return a
    out = np.zeros((len(want), a.shape[1]))
    pos = {c: i for i, c in enumerate(want)}
    out[[pos[c] for c in have]] = a
    return out


def _remap(gi: np.ndarray, have: list[str], want: list[str]) -> np.ndarray:
    pos = {c: i for i, c in enumerate(want)}
    table = np.array([pos[c] for c in have] + [-1], dtype=np.int64)
    return table[gi]  # -1 stays -1 (last entry)


def _digests(
    ind: Indicator,
    codes: list[str],
    periods: list[Period],
    pindex: dict[str, int],
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> list[list[str]]:
    """sha256 per (period, group) of the definition version and the per-unit partials behind it
    (numerator and denominator values and record counts, this period and the comparison period)."""
    out: list[list[str]] = []
    n_groups = len(codes)
    prefixes = [f"{c}|".encode() for c in codes]
    prepared = []
    for gi, v, n in blocks:
        order = np.argsort(gi, kind="stable")
        bounds = np.searchsorted(gi[order], np.arange(n_groups + 1))
        prepared.append((bounds, v[order], n[order]))  # units grouped, in unit order within a group
    sha = hashlib.sha256
    for p in periods:
        cols = [pindex[p.id]]
        if ind.compare is not None:
            cols.append(pindex[compare_period(p, ind.compare).id])
        head = f"{ind.definition_version}|{p.id}|".encode()
        heads = [head + prefix for prefix in prefixes]
        parts = []
        for bounds, v, n in prepared:
            buf = np.concatenate([v[:, cols], n[:, cols]], axis=1).tobytes()
            cut = (bounds * (len(cols) * 2 * 8)).tolist()  # byte offset of each group's rows
            parts.append([buf[a:b] for a, b in itertools.pairwise(cut)])
        if len(parts) == 1:
            out.append([sha(h + x).hexdigest() for h, x in zip(heads, parts[0], strict=True)])
        else:
            out.append([sha(h + x + y).hexdigest() for h, x, y in zip(heads, parts[0], parts[1], strict=True)])
    return out
