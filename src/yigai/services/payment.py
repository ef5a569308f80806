"""DIP runs over case files: load column-wise, pick the engine by size, hand back what the CLI shows.

Both engines give identical figures (tests/payment/test_dip_columnar.py); the reference engine
(:mod:`yigai.payment.dip`, one object per case) is the readable one and runs small inputs, the
columnar engine (:mod:`yigai.payment.dip_columnar`) runs large ones. Loading is always
column-wise (:func:`yigai.payment.case_table.load_case_table`), which reports bad records exactly
as the reference loader does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from yigai.payment import dip
from yigai.payment import dip_columnar as dc
from yigai.payment.case_table import CaseTable, load_case_table
from yigai.payment.cases import BadRecord
from yigai.payment.dip import Catalogue, DipParams, HospitalDiff, HospitalSettlement, SettleParams

COLUMNAR_FROM = 20_000   # cases (history and current together) from which the columnar engine runs

ScoredRow = tuple[str, str, str, float, float, float, str, float]   # case, hospital, group, base, level, k, label, points
UngroupedRow = tuple[str, str, str]                                 # case, hospital, reason


class Engine(StrEnum):
    AUTO = "auto"
    REFERENCE = "reference"
    COLUMNAR = "columnar"


@dataclass(frozen=True)
class FileBad:
    path: Path
    bad: BadRecord


@dataclass(frozen=True)
class CaseFiles:
    cases: CaseTable
    bad: list[FileBad]


def load(paths: Sequence[Path]) -> CaseFiles:
    """Load case files (CSV, Parquet, XLSX); bad records are returned with their file, never dropped silently."""
    tables: list[CaseTable] = []
    bad: list[FileBad] = []
    for path in paths:
        res = load_case_table(path)
        tables.append(res.cases)
        bad += [FileBad(path, b) for b in res.bad]
    return CaseFiles(CaseTable.concat(tables) if len(tables) != 1 else tables[0], bad)


def pick(engine: Engine, n_cases: int) -> Engine:
    if engine is Engine.AUTO:
        return Engine.COLUMNAR if n_cases >= COLUMNAR_FROM else Engine.REFERENCE
    return engine


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
    return ScoreResult(cat, [(x.case.case_id, x.case.hospital, x.group, x.base_points, x.level_coefficient, x.k_dev,
                              x.label, x.points) for x in r.scored],
                       [(u.case.case_id, u.case.hospital, u.reason) for u in r.ungrouped], e)


def settle(history: CaseTable, current: CaseTable, params: DipParams, sp: SettleParams,
           engine: Engine = Engine.AUTO) -> SettleResult:
    e = pick(engine, len(history) + len(current))
    cat, _ = build(history, params, e)
    if e is Engine.COLUMNAR:
        s = dc.settle(cat, current, sp)
        return SettleResult(cat, s.point_value, s.total_points, s.hospitals, len(s.scoring.index),
                            s.scoring.ungrouped(), len(s.scoring.special_review), e)
    r = dip.settle(cat, current.to_cases(), sp)
    return SettleResult(cat, r.point_value, r.total_points, r.hospitals, len(r.scoring.scored),
                        [(u.case.case_id, u.case.hospital, u.reason) for u in r.scoring.ungrouped],
                        len(r.scoring.special_review), e)


def whatif(history: CaseTable, current: CaseTable, base: tuple[DipParams, SettleParams],
           alt: tuple[DipParams | None, SettleParams | None], engine: Engine = Engine.AUTO) -> dict[str, HospitalDiff]:
    e = pick(engine, len(history) + len(current))
    if e is Engine.COLUMNAR:
        return dc.whatif(history, current, base, alt)
    return dip.whatif(history.to_cases(), current.to_cases(), base, alt)


__all__ = ["COLUMNAR_FROM", "Engine", "FileBad", "CaseFiles", "load", "pick", "ScoreResult", "SettleResult",
           "build", "score", "settle", "whatif"]
