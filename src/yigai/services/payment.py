"""DIP runs over case files: load column-wise, pick the engine by size, hand back what the CLI shows.

Both engines give identical figures (tests/payment/test_dip_columnar.py); the reference engine
(:mod:`yigai.payment.dip`, one object per case) is the readable one and runs small inputs, the
columnar engine (:mod:`yigai.payment.dip_columnar`) runs large ones. Loading is always
column-wise (:func:`yigai.payment.case_table.load_case_table`), which reports bad records exactly
as the reference loader does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from yigai.domain.orgunits import OrgUnitLevel
from yigai.payment import dip
from yigai.payment import dip_columnar as dc
from yigai.payment.case_table import CaseTable, load_case_table
from yigai.payment.cases import BadRecord
from yigai.payment.dip import CORE, Catalogue, DipParams, HospitalDiff, HospitalSettlement, SettleParams
from yigai.payment.engines import COLUMNAR_FROM, Engine, pick
from yigai.payment.indicators import HOSPITAL, IndicatorValue, catalogue
from yigai.services.computed_values import ComputedValue, register_indicators, save_computed
from yigai.services.errors import EmptyInputError, InvalidInputError
from yigai.storage.uow import UnitOfWork

# case, hospital, group, base points, level coefficient, k, label, points
ScoredRow = tuple[str, str, str, float, float, float, str, float]
UngroupedRow = tuple[str, str, str]  # case, hospital, reason


@dataclass(frozen=True)
class FileBad:
    path: Path
    bad: BadRecord


@dataclass(frozen=True)
class CaseFiles:
    cases: CaseTable
    bad: list[FileBad]


def load(paths: Sequence[Path]) -> CaseFiles:
    """Load case files (CSV, Parquet, XLSX); bad records are returned with their file, never dropped silently.

    A file with no record at all (empty, or a header only) is refused: settling it would give a
    point value of 0 and pay nobody, with nothing said.
    """
    tables: list[CaseTable] = []
    bad: list[FileBad] = []
    for path in paths:
        res = load_case_table(path)
        if not len(res.cases) and not res.bad:
            raise EmptyInputError(
                f"no case records in {path.name} (the file is empty or has a header only)",
                message_zh="文件中没有病例记录（空文件或只有表头）",
                where=str(path),
            )
        tables.append(res.cases)
        bad += [FileBad(path, b) for b in res.bad]
    return CaseFiles(CaseTable.concat(tables) if len(tables) != 1 else tables[0], bad)


@dataclass(frozen=True)
class ScoreResult:
    catalogue: Catalogue
    scored: list[ScoredRow]
    ungrouped: list[UngroupedRow]
    engine: Engine


@dataclass(frozen=True)
class SettleResult:
    catalogue: Catalogue
    point_value: float
    total_points: float
    hospitals: dict[str, HospitalSettlement]
    scored: int
    ungrouped: list[UngroupedRow]
    special_review: int
    engine: Engine
    core_cases: dict[str, int]  # per hospital: cases in core groups
    all_cases: dict[str, int]  # per hospital: every DIP case of the year, ungrouped ones included


def build(history: CaseTable, params: DipParams, engine: Engine = Engine.AUTO) -> tuple[Catalogue, Engine]:
    e = pick(engine, len(history))
    if e is Engine.COLUMNAR:
        return dc.build_catalogue(history, params), e
    return dip.build_catalogue(history.to_cases(), params), e


def score(history: CaseTable, current: CaseTable, params: DipParams, engine: Engine = Engine.AUTO) -> ScoreResult:
    e = pick(engine, len(history) + len(current))
    cat, _ = build(history, params, e)
    if e is Engine.COLUMNAR:
        s = dc.score_cases(cat, current)
        return ScoreResult(cat, s.rows(), s.ungrouped(), e)
    r = dip.score_cases(cat, current.to_cases())
    return ScoreResult(
        cat,
        [
            (x.case.case_id, x.case.hospital, x.group, x.base_points, x.level_coefficient, x.k_dev, x.label, x.points)
            for x in r.scored
        ],
        [(u.case.case_id, u.case.hospital, u.reason) for u in r.ungrouped],
        e,
    )


def settle(
    history: CaseTable, current: CaseTable, params: DipParams, sp: SettleParams, engine: Engine = Engine.AUTO
) -> SettleResult:
    e = pick(engine, len(history) + len(current))
    cat, _ = build(history, params, e)
    if e is Engine.COLUMNAR:
        s = dc.settle(cat, current, sp)
        h_all = current.column("hospital").value_counts().to_pylist()
        core = np.array([cat.groups[k].kind == CORE for k in s.scoring.group_keys] or [False], dtype=bool)
        core_h = (
            current.column("hospital").take(s.scoring.index[core[s.scoring.group]]).value_counts().to_pylist()
            if len(s.scoring.index)
            else []
        )
        return SettleResult(
            cat,
            s.point_value,
            s.total_points,
            s.hospitals,
            len(s.scoring.index),
            s.scoring.ungrouped(),
            len(s.scoring.special_review),
            e,
            {d["values"]: d["counts"] for d in core_h},
            {d["values"]: d["counts"] for d in h_all},
        )
    cases = current.to_cases()
    r = dip.settle(cat, cases, sp)
    core_cases: dict[str, int] = {}
    all_cases: dict[str, int] = {}
    for c in cases:
        all_cases[c.hospital] = all_cases.get(c.hospital, 0) + 1
    for x in r.scoring.scored:
        if cat.groups[x.group].kind == CORE:
            core_cases[x.case.hospital] = core_cases.get(x.case.hospital, 0) + 1
    return SettleResult(
        cat,
        r.point_value,
        r.total_points,
        r.hospitals,
        len(r.scoring.scored),
        [(u.case.case_id, u.case.hospital, u.reason) for u in r.scoring.ungrouped],
        len(r.scoring.special_review),
        e,
        core_cases,
        all_cases,
    )


def whatif(
    history: CaseTable,
    current: CaseTable,
    base: tuple[DipParams, SettleParams],
    alt: tuple[DipParams | None, SettleParams | None],
    engine: Engine = Engine.AUTO,
) -> dict[str, HospitalDiff]:
    e = pick(engine, len(history) + len(current))
    if e is Engine.COLUMNAR:
        return dc.whatif(history, current, base, alt)
    return dip.whatif(history.to_cases(), current.to_cases(), base, alt)


@dataclass(frozen=True)
class IndicatorWrite:
    district: str
    created: int  # new value versions
    unchanged: int  # the same value, definition version and inputs hash as stored
    indicators_added: int  # payment indicators the store's catalogue lacked
    hospitals_saved: list[str]  # hospitals with values of their own (they are org units)
    hospitals_not_units: list[str]  # hospitals that are not org units: counted in the district only


def settle_years(cases: CaseTable) -> list[int]:
    return sorted(set(cases.settle_year.tolist()))


def write_indicators(
    uow: UnitOfWork,
    author: str,
    by_period: Mapping[str, Sequence[IndicatorValue]],
    inputs_hash: str,
    district: str | None = None,
    comment: str = "",
) -> IndicatorWrite:
    """Save payment indicator values (per period id) as computed values in the indicator store, in one run.

    Org units: a hospital's values go to the org unit with the hospital's code when there is one;
    a hospital that is not an org unit gets no values of its own (it still counts in the
    district's). District values go to ``district``, or to the store's only district-level unit.
    All or nothing: nothing is saved when the district cannot be settled on.
    """
    with uow:
        units = {u.code: u for u in uow.orgunits.all()}
    districts = sorted(c for c, u in units.items() if u.level is OrgUnitLevel.DISTRICT)
    if district is None:
        if len(districts) != 1:
            raise InvalidInputError(
                f"name the district with --district (district org units: {', '.join(districts) or 'none'})",
                message_zh=f"请用 --district 指定区县（现有区县级机构：{'、'.join(districts) or '无'}）",
                where="--district",
            )
        district = districts[0]
    elif district not in units or units[district].level is not OrgUnitLevel.DISTRICT:
        raise InvalidInputError(
            f"{district} is not a district org unit (districts: {', '.join(districts) or 'none'})",
            message_zh=f"{district} 不是区县级机构",
            where="--district",
        )
    defs = catalogue()
    values = [(period_id, v) for period_id, vs in by_period.items() for v in vs]
    codes = sorted({v.code for _, v in values})
    added = register_indicators(uow, author, [defs[c].indicator_def() for c in codes])
    hospitals = sorted({v.hospital for _, v in values if v.scope == HOSPITAL})
    saved_h = [h for h in hospitals if h in units]
    rows = [
        ComputedValue(
            key=v.code,
            org_unit=v.hospital if v.scope == HOSPITAL else district,
            period_id=period_id,
            value=float(v.value),
            numerator=v.numerator,
            denominator=v.denominator,
            definition_version=defs[v.code].definition_version,
            inputs_hash=inputs_hash,
            comment=comment,
        )
        for period_id, v in values
        if v.scope != HOSPITAL or v.hospital in units
    ]
    result = save_computed(uow, author, rows)
    return IndicatorWrite(
        district, result.created, result.unchanged, added, saved_h, [h for h in hospitals if h not in units]
    )


__all__ = [
    "COLUMNAR_FROM",
    "Engine",
    "FileBad",
    "CaseFiles",
    "load",
    "pick",
    "ScoreResult",
    "SettleResult",
    "build",
    "score",
    "settle",
    "whatif",
    "IndicatorWrite",
    "settle_years",
    "write_indicators",
]
