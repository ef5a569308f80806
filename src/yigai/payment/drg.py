"""DRG grouping by a rule pack given as data files, relative weights, rate and point payment.

The grouper follows the CHS-DRG structure (医保办发〔2019〕36号): main diagnosis → MDC (ranges
of ICD-10 categories); inside the MDC, ADRGs in order by main diagnosis and/or main procedure;
then the DRG by the most severe valid complication, whose code's fourth character is
1 = with MCC (伴严重并发症或合并症), 3 = with CC, 5 = without, 9 = not split. An MCC/CC is void
when the exclusion table lists the main diagnosis for it (排除表).

Cases that cannot be grouped get ``0000`` (no valid main diagnosis, no MDC, or no ADRG) or
``{MDC}QY`` (an operating-room procedure that matches no surgical ADRG of the MDC, 歧义组).
Every grouping carries a trace: the steps that led to the group or the reason it failed.

Two kinds of pack: the national scheme (default: CHS-DRG 1.1 in ``yigai/data/drg_chs11``, converted
from the published rules; grouped by :mod:`yigai.payment.chs_drg` with exact 医保版 codes, age,
newborn weight and the exclusion tables), and a folder of YAML files — ``pack.yaml`` (name,
``or_procedures``), ``mdc.yaml``, ``adrg.yaml`` and ``cc.yaml`` matched by code prefixes — of which
the shipped ``yigai/data/drg_demo`` is illustrative only, for tests and examples.

Weights and payment:

    RW_d        = mean cost of DRG d / mean cost of all grouped cases
    rate method : base_rate = budget / Σ_d RW_d × N_d ;  payment_d = RW_d × base_rate
    point method: points_d = RW_d × 100 ;  point_value = budget / Σ_cases points ;
                  payment = points × point_value
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from yigai.data import data_path
from yigai.domain.codes import CodeCheck, diagnosis_shape
from yigai.payment.chs_drg import PACK_FILE, ChsPack, is_chs_pack, load_chs_pack
from yigai.payment.chs_group import national_grouper

UNGROUPABLE = "0000"
SPLITS = ("full", "combined", "none")
RULES = ("dx", "proc", "dx+proc")
_ZERO = Decimal(0)


def national_pack_dir() -> Path:
    """The default pack: the national CHS-DRG 1.1 scheme (provenance and licence in NOTICE.md there)."""
    return data_path("drg_chs11")


def demo_pack_dir() -> Path:
    """The illustrative pack shipped for tests and examples (not the official CHS-DRG scheme)."""
    return data_path("drg_demo")


@dataclass(frozen=True, slots=True)
class DrgCase:
    """The fields of a settlement record the grouper reads."""

    case_id: str
    main_diagnosis: str
    other_diagnoses: tuple[str, ...] = ()
    main_procedure: str | None = None
    other_procedures: tuple[str, ...] = ()
    cost: Decimal = _ZERO
    hospital: str = ""
    sex: str = ""  # 性别: 男/女, 1/2, M/F
    age: int | None = None  # 年龄 in years
    age_days: int | None = None  # 年龄（天）, for infants under one year
    birth_weight: int | None = None  # 新生儿出生体重 in grams
    los: int | None = None  # 住院天数
    discharge_status: str = ""  # 离院方式

    @property
    def procedures(self) -> tuple[str, ...]:
        """All procedures, the main one first (医保结算清单 order)."""
        return ((self.main_procedure,) if self.main_procedure else ()) + self.other_procedures


@dataclass(frozen=True, slots=True)
class Mdc:
    code: str
    name: str
    ranges: tuple[tuple[str, str], ...]

    def matches(self, diagnosis: str) -> bool:
        category = diagnosis[:3]
        return any(lo <= category <= hi for lo, hi in self.ranges)


@dataclass(frozen=True, slots=True)
class Adrg:
    code: str
    mdc: str
    name: str
    rule: str
    diagnoses: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    split: str = "none"

    @property
    def surgical(self) -> bool:
        return "proc" in self.rule


@dataclass(frozen=True, slots=True)
class RulePack:
    name: str
    mdcs: tuple[Mdc, ...]
    adrgs: tuple[Adrg, ...]
    mcc: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    exclusions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    or_procedures: tuple[str, ...] = ()
    illustrative: bool = False


@dataclass(frozen=True, slots=True)
class Grouping:
    drg: str
    adrg: str | None
    mdc: str | None
    trace: list[str]
    codes: tuple[CodeCheck, ...] = ()  # national pack: codes mapped (国临版), unknown, malformed or grey

    @property
    def grouped(self) -> bool:
        return is_grouped(self.drg)


def is_grouped(drg: str) -> bool:
    return drg != UNGROUPABLE and not drg.endswith("QY")


def normalise(code: str | None) -> str:
    return (code or "").strip().upper()


def _starts(code: str, prefixes: Iterable[str]) -> str | None:
    return next((p for p in prefixes if code.startswith(p)), None)


class PackError(ValueError):
    """A rule pack file is missing or malformed; the message names the file and entry."""


def _load(folder: Path, name: str) -> Any:
    path = folder / name
    if not path.is_file():
        raise PackError(f"{path}: missing / 规则包缺少文件")
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _codes(values: Iterable[object] | None) -> tuple[str, ...]:
    return tuple(normalise(str(v)) for v in (values or []))


Pack = RulePack | ChsPack


def load_pack(folder: Path | str | None = None) -> Pack:
    """Read a pack folder (default: the national CHS-DRG 1.1 pack); a folder with ``pack.json.gz``
    is a national pack, one with ``pack.yaml`` a prefix pack such as the illustrative demo."""
    folder = Path(folder) if folder is not None else national_pack_dir()
    if is_chs_pack(folder):
        try:
            return load_chs_pack(folder)
        except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise PackError(
                f"{folder / PACK_FILE}: {exc!r} / 规则包无法读取（请用 scripts/convert_reference.py 重新生成）"
            ) from None
    meta = _load(folder, "pack.yaml") or {}
    mdcs = []
    for i, entry in enumerate(_load(folder, "mdc.yaml") or []):
        try:
            ranges = tuple((normalise(lo), normalise(hi)) for lo, hi in entry["diagnoses"])
            mdcs.append(Mdc(str(entry["code"]), str(entry.get("name", "")), ranges))
        except (KeyError, TypeError, ValueError) as exc:
            raise PackError(f"{folder / 'mdc.yaml'} entry {i + 1}: {exc!r}") from None
    adrgs = []
    for i, entry in enumerate(_load(folder, "adrg.yaml") or []):
        try:
            adrg = Adrg(
                str(entry["code"]),
                str(entry["mdc"]),
                str(entry.get("name", "")),
                str(entry["rule"]),
                _codes(entry.get("diagnoses")),
                _codes(entry.get("procedures")),
                str(entry.get("split", "none")),
            )
        except (KeyError, TypeError) as exc:
            raise PackError(f"{folder / 'adrg.yaml'} entry {i + 1}: {exc!r}") from None
        if adrg.rule not in RULES or adrg.split not in SPLITS:
            raise PackError(
                f"{folder / 'adrg.yaml'} entry {i + 1} ({adrg.code}): rule must be one of {RULES}, "
                f"split one of {SPLITS}"
            )
        adrgs.append(adrg)
    cc = _load(folder, "cc.yaml") or {}
    exclusions: dict[str, tuple[str, ...]] = {}
    for entry in cc.get("exclusions") or []:
        key = normalise(str(entry["code"]))
        exclusions[key] = exclusions.get(key, ()) + _codes(entry.get("main"))
    return RulePack(
        str(meta.get("name", folder.name)),
        tuple(mdcs),
        tuple(adrgs),
        _codes(cc.get("mcc")),
        _codes(cc.get("cc")),
        exclusions,
        _codes(meta.get("or_procedures")),
        bool(meta.get("illustrative", False)),
    )


def _complication(main: str, others: Sequence[str], pack: RulePack, trace: list[str]) -> str | None:
    """'MCC', 'CC' or None: the most severe other diagnosis not voided by the exclusion table."""
    found: set[str] = set()
    for dx in others:
        for level, prefixes in (("MCC", pack.mcc), ("CC", pack.cc)):
            prefix = _starts(dx, prefixes)
            if prefix is None:
                continue
            excluded = _starts(main, pack.exclusions.get(prefix, ()))
            if excluded is not None:
                trace.append(
                    f"其他诊断 {dx} 为{level}，但主诊断 {main} 在排除表中 ({prefix} × {excluded})，不计 "
                    f"/ {level} {dx} excluded for main diagnosis {main}"
                )
            else:
                trace.append(f"其他诊断 {dx} 为{level} / {dx} counts as {level}")
                found.add(level)
            break
    return "MCC" if "MCC" in found else "CC" if "CC" in found else None


def group(case: Any, pack: Pack) -> Grouping:
    """Group one case; ``case`` needs ``main_diagnosis``, ``other_diagnoses``, ``main_procedure``
    (a :class:`DrgCase`; the national pack also reads sex, age, age in days and birth weight)."""
    if isinstance(pack, ChsPack):
        r = national_grouper(pack).group(case)
        return Grouping(r.drg, r.adrg, r.mdc, r.trace, r.codes)
    trace: list[str] = []
    main = normalise(case.main_diagnosis)
    proc = normalise(getattr(case, "main_procedure", None))
    others = [normalise(d) for d in getattr(case, "other_diagnoses", ()) or () if normalise(d)]
    if not diagnosis_shape(main):
        trace.append(f"主诊断缺失或格式错误 {main!r}，不能入组 / main diagnosis missing or malformed → {UNGROUPABLE}")
        return Grouping(UNGROUPABLE, None, None, trace)
    mdc = next((m for m in pack.mdcs if m.matches(main)), None)
    if mdc is None:
        trace.append(f"主诊断 {main} 不属于任何MDC / main diagnosis in no MDC → {UNGROUPABLE}")
        return Grouping(UNGROUPABLE, None, None, trace)
    trace.append(f"主诊断 {main} → MDC{mdc.code} {mdc.name}")
    candidates = [a for a in pack.adrgs if a.mdc == mdc.code]
    adrg = None
    for a in (a for a in candidates if a.surgical):
        dx_hit = _starts(main, a.diagnoses) if "dx" in a.rule else ""
        proc_hit = _starts(proc, a.procedures) if proc else None
        if proc_hit is not None and dx_hit is not None:
            why = f"主手术 {proc} 在 {a.code} 手术表" + ("，主诊断在诊断表" if a.rule == "dx+proc" else "")
            trace.append(f"{why} → ADRG {a.code} {a.name}")
            adrg = a
            break
    if adrg is None:
        or_proc = _starts(proc, pack.or_procedures) if proc else None
        if or_proc is not None:
            drg = f"{mdc.code}QY"
            trace.append(
                f"主手术 {proc} 是手术室操作，但不匹配MDC{mdc.code}的手术ADRG，歧义组 "
                f"/ OR procedure matches no surgical ADRG → {drg}"
            )
            return Grouping(drg, None, mdc.code, trace)
        for a in (a for a in candidates if not a.surgical):
            if _starts(main, a.diagnoses) is not None:
                trace.append(f"主诊断 {main} 在 {a.code} 诊断表 → ADRG {a.code} {a.name}")
                adrg = a
                break
    if adrg is None:
        trace.append(f"MDC{mdc.code} 内无匹配的ADRG / no ADRG in MDC{mdc.code} → {UNGROUPABLE}")
        return Grouping(UNGROUPABLE, None, mdc.code, trace)
    if adrg.split == "none":
        drg = adrg.code + "9"
        trace.append(f"{adrg.code} 不细分 / not split → {drg}")
        return Grouping(drg, adrg.code, mdc.code, trace)
    level = _complication(main, others, pack, trace)
    if adrg.split == "full":
        digit = {"MCC": "1", "CC": "3", None: "5"}[level]
    else:
        digit = "3" if level else "5"
    label = {
        "1": "伴严重并发症或合并症 with MCC",
        "3": "伴并发症或合并症 with CC" if adrg.split == "full" else "伴并发症或合并症 with MCC/CC",
        "5": "不伴并发症或合并症 without CC",
    }[digit]
    drg = adrg.code + digit
    trace.append(f"{label} → {drg}")
    return Grouping(drg, adrg.code, mdc.code, trace)


# -- weights and payment ---------------------------------------------------------------------


def relative_weights(costs: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """``RW_d = mean cost of DRG d / mean cost of all grouped cases``; 0000/QY cases are left out."""
    totals: dict[str, Decimal] = defaultdict(lambda: _ZERO)
    counts: dict[str, int] = defaultdict(int)
    for drg, cost in costs:
        if is_grouped(drg):
            totals[drg] += Decimal(cost)
            counts[drg] += 1
    n = sum(counts.values())
    if not n:
        return {}
    overall = sum(totals.values(), _ZERO) / n
    if overall <= 0:
        raise ValueError("mean cost of all grouped cases must be positive")
    return {d: (totals[d] / counts[d]) / overall for d in sorted(totals)}


def base_rate(budget: Decimal, drgs: Iterable[str], weights: Mapping[str, Decimal]) -> Decimal:
    """Rate method (费率法): ``budget / Σ_d RW_d × N_d`` over the cases' DRGs."""
    total = sum((weights[d] for d in drgs if is_grouped(d)), _ZERO)
    if total <= 0:
        raise ValueError("no weighted cases to spread the budget over")
    return Decimal(budget) / total


def rate_payments(drgs: Iterable[str], weights: Mapping[str, Decimal], rate: Decimal) -> list[Decimal | None]:
    """Per case ``RW × base rate``; None for a case that could not be grouped."""
    return [weights[d] * rate if is_grouped(d) else None for d in drgs]


def points(weights: Mapping[str, Decimal], scale: int = 100) -> dict[str, Decimal]:
    """Point method (点数法): ``points_d = RW_d × 100``."""
    return {d: w * scale for d, w in weights.items()}


def point_value(budget: Decimal, drgs: Iterable[str], group_points: Mapping[str, Decimal]) -> Decimal:
    """``budget / Σ points`` over all grouped cases."""
    total = sum((group_points[d] for d in drgs if is_grouped(d)), _ZERO)
    if total <= 0:
        raise ValueError("no points to spread the budget over")
    return Decimal(budget) / total


def point_payments(drgs: Iterable[str], group_points: Mapping[str, Decimal], value: Decimal) -> list[Decimal | None]:
    return [group_points[d] * value if is_grouped(d) else None for d in drgs]


# -- reading cases ---------------------------------------------------------------------------

CASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "case_id": ("case_id", "病案号", "结算id", "结算编号"),
    "main_diagnosis": ("main_diagnosis", "principal_diagnosis", "主诊断", "主要诊断"),
    "other_diagnoses": ("other_diagnoses", "其他诊断"),
    "main_procedure": ("main_procedure", "主手术", "主要手术操作"),
    "other_procedures": ("other_procedures", "其他手术操作", "其他手术"),
    "procedures": ("procedures", "手术操作"),
    "cost": ("cost", "total_cost", "总费用"),
    "hospital": ("hospital", "医疗机构"),
    "sex": ("sex", "性别"),
    "age": ("age", "年龄"),
    "age_days": ("age_days", "年龄（天）", "年龄(天)", "（年龄不足1周岁）年龄（天）", "不足1周岁年龄（天）"),
    "birth_weight": ("birth_weight", "新生儿出生体重", "出生体重"),
    "los": ("los", "length_of_stay", "住院天数", "实际住院天数"),
    "discharge_status": ("discharge_status", "离院方式"),
}
_INTS = {"age": "年龄", "age_days": "年龄（天）", "birth_weight": "出生体重（克）", "los": "住院天数"}
_SPLIT = re.compile(r"[;|；]")


def read_cases(path: Path) -> tuple[list[DrgCase], list[tuple[int, str, str]]]:
    """Cases from CSV/XLSX (header row; other diagnoses separated by ``;`` or ``|``).

    ``procedures`` lists every procedure with the main one first (医保结算清单 order); or give
    ``main_procedure`` and ``other_procedures``. Returns the good cases and ``(row, field, reason)``
    for each bad record, which is set aside.
    """
    from yigai.tabular import cell_text, read_table

    sheet = read_table(Path(path))
    if not sheet.header:
        return [], [(1, "header", "empty file / 空文件")]
    header = [h.lower() for h in sheet.header]
    where = {
        k: next((i for i, h in enumerate(header) if h in {s.lower() for s in names}), None)
        for k, names in CASE_COLUMNS.items()
    }
    missing = [k for k in ("case_id", "main_diagnosis") if where[k] is None]
    if missing:
        return [], [(1, k, "column missing / 缺少列") for k in missing]
    cases: list[DrgCase] = []
    bad: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for n, line in ((r.number, r.cells) for r in sheet.rows):
        cell = {k: "" if i is None else cell_text(line[i]) for k, i in where.items()}
        if not any(cell.values()):
            continue
        errors = [(n, k, "missing / 缺失") for k in ("case_id", "main_diagnosis") if not cell[k]]
        cost = _ZERO
        if cell["cost"]:
            try:
                cost = Decimal(cell["cost"].replace(",", ""))
                if not cost.is_finite() or cost < 0:
                    raise ValueError
            except (ArithmeticError, ValueError):
                errors.append((n, "cost", f"not a non-negative number: {cell['cost']!r} / 费用无效"))
        ints: dict[str, int | None] = {}
        for k, label in _INTS.items():
            text = cell[k].replace(",", "")
            try:
                value = int(Decimal(text)) if text else None
                if value is not None and value < 0:
                    raise ValueError
                ints[k] = value
            except (ArithmeticError, ValueError):
                errors.append((n, k, f"not a non-negative whole number: {cell[k]!r} / {label}无效"))
        if cell["case_id"] in seen:
            errors.append((n, "case_id", f"duplicate of row {seen[cell['case_id']]} / 重复病案"))
        if errors:
            bad.extend(errors)
            continue
        seen[cell["case_id"]] = n
        others = tuple(d.strip() for d in _SPLIT.split(cell["other_diagnoses"]) if d.strip())
        procs = [p.strip() for p in _SPLIT.split(cell["procedures"]) if p.strip()]
        main_proc = cell["main_procedure"] or (procs.pop(0) if procs else None)
        other_procs = tuple(procs) + tuple(p.strip() for p in _SPLIT.split(cell["other_procedures"]) if p.strip())
        cases.append(
            DrgCase(
                cell["case_id"],
                cell["main_diagnosis"],
                others,
                main_proc,
                other_procs,
                cost=cost,
                hospital=cell["hospital"],
                sex=cell["sex"],
                age=ints["age"],
                age_days=ints["age_days"],
                birth_weight=ints["birth_weight"],
                los=ints["los"],
                discharge_status=cell["discharge_status"],
            )
        )
    return cases, bad
