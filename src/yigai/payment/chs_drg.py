"""The national CHS-DRG scheme as data, and its grouper.

The pack (``yigai/data/drg_chs11``, converted from the published rules by
``scripts/convert_reference.py``) holds the MDCs with their principal-diagnosis tables, the ADRGs
in the scheme's order with their rules, the DRGs of each ADRG, the MCC/CC lists with each code's
exclusion table (表 7-N) and the tables themselves. Grouping, in the order the scheme prescribes:

1. 先期分组 MDCA: a transplant, ECMO or ventilation ≥ 96 h procedure, whatever the diagnosis;
2. MDCP for newborns (principal diagnosis on the MDCP table, age under one year; its ADRGs are for
   the first 28 days except PV1, 29 days to one year, as their names say), MDCY (HIV),
   MDCZ (principal diagnosis on the multiple-trauma table and trauma of two or more body sites);
3. otherwise the MDC whose table holds the principal diagnosis (MDCM male, MDCN female only), or,
   for a diagnosis on no table, the MDC of the ADRG that lists it;
4. inside the MDC the first ADRG whose rule holds: alternatives (或) of conditions that must all
   hold (且) on the principal diagnosis, any diagnosis, the procedures (one of a list; one of each
   of two lists: 同时包含…和…), any operating-room procedure, none, age in days, birth weight.
   A case with an operating-room procedure skips the medical ADRGs: if no surgical ADRG of the MDC
   takes it, it is ``{MDC}QY`` (歧义组: a procedure unrelated to the principal diagnosis);
5. the DRG by the most severe other diagnosis that is an MCC or CC, unless the exclusion table of
   that MCC/CC lists the principal diagnosis: 1 with MCC, 3 with CC, 5 without, 9 not split; an
   ADRG split in two merges the missing level into the next (1/5: CC → 5; 3/5: MCC → 3).

Operating-room procedures are those on the procedure lists of the surgical ADRGs (second letter
A–J, excluding the treatments 化学治疗/放射治疗/介入治疗 named so in the scheme), since the published
tables carry no separate list. ``0000`` always comes with its reason.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UNGROUPABLE = "0000"
PACK_FILE = "pack.json.gz"
_SPECIAL = ("A", "P", "Y", "Z")
_LEVEL = {"MCC": 2, "CC": 1}
_DIGITS = {2: ("1", "3", "5"), 1: ("3", "5"), 0: ("5",)}
_LABEL = {
    "1": "伴严重并发症或合并症 with MCC",
    "3": "伴并发症或合并症 with CC",
    "5": "不伴并发症或合并症 without CC",
    "9": "不细分 not split",
}


@dataclass(frozen=True, slots=True)
class Condition:
    """One alternative of an ADRG rule: every field set must hold."""

    pdx: frozenset[str] | None = None
    anydx: frozenset[str] | None = None
    proc: frozenset[str] | None = None
    procs: tuple[frozenset[str], ...] = ()
    anysurgery: bool = False
    nosurgery: bool = False

    @property
    def needs_procedure(self) -> bool:
        return self.proc is not None or bool(self.procs) or self.anysurgery


@dataclass(frozen=True, slots=True)
class ChsAdrg:
    code: str
    mdc: str
    name: str
    alternatives: tuple[Condition, ...]
    splits: tuple[str, ...]
    age_days: tuple[int | None, int | None] | None = None
    weight: tuple[int | None, int | None] | None = None

    @property
    def surgical(self) -> bool:
        """Takes cases by their procedures (the medical ADRGs are skipped when a case has surgery)."""
        return any(c.needs_procedure for c in self.alternatives)

    @property
    def operating_room(self) -> bool:
        """Surgical section of the scheme (A–J), except the named treatments."""
        return "A" <= self.code[1] <= "J" and not ("治疗" in self.name and "术" not in self.name)


@dataclass(frozen=True, eq=False)
class ChsPack:
    """A national pack, compiled into lookup tables once."""

    name: str
    meta: Mapping[str, Any]
    mdc_names: Mapping[str, str]
    mdc_sex: Mapping[str, str]
    mdcs_of: Mapping[str, tuple[str, ...]]  # principal diagnosis → MDCs whose table holds it
    trauma_sites: Mapping[str, frozenset[str]]  # MDCZ: diagnosis → body sites
    adrgs: Mapping[str, tuple[ChsAdrg, ...]]  # MDC → ADRGs in the scheme's order
    drg_names: Mapping[str, str]
    complication: Mapping[str, tuple[int, str]]  # MCC/CC code → (2 MCC / 1 CC, exclusion table)
    excluded_by: Mapping[str, frozenset[str]]  # principal diagnosis → tables that list it
    or_procedures: frozenset[str]
    adrg_diagnoses: frozenset[str]  # other diagnoses that can change the ADRG
    listed_principal: frozenset[str]  # diagnoses some ADRG lists (a coder's usual choice)
    illustrative: bool = False
    adrg_index: Mapping[str, ChsAdrg] = field(default_factory=dict)

    @property
    def mdcs(self) -> tuple[str, ...]:
        return tuple(self.mdc_names)


def _set(codes: Iterable[str] | None) -> frozenset[str] | None:
    return None if codes is None else frozenset(codes)


def _bounds(v: Sequence[int | None] | None) -> tuple[int | None, int | None] | None:
    return None if v is None else (v[0], v[1])


def compile_pack(data: Mapping[str, Any]) -> ChsPack:
    """Lookup tables from the converted JSON (see the module docstring for what each holds)."""
    mdcs_of: dict[str, list[str]] = {}
    sites: dict[str, set[str]] = {}
    for m in data["mdcs"]:
        for code in dict.fromkeys(m["principal"]):
            mdcs_of.setdefault(code, []).append(m["code"])
        for site, codes in (m.get("sites") or {}).items():
            for code in codes:
                sites.setdefault(code, set()).add(site)
    by_mdc: dict[str, list[ChsAdrg]] = {}
    drg_names: dict[str, str] = {}
    for a in data["adrgs"]:
        alts = tuple(
            Condition(
                _set(c.get("pdx")),
                _set(c.get("anydx")),
                _set(c.get("proc")),
                tuple(frozenset(x) for x in c.get("procs", ())),
                bool(c.get("anysurgery")),
                bool(c.get("nosurgery")),
            )
            for c in a["rule"]
        )
        adrg = ChsAdrg(
            a["code"],
            a["mdc"],
            a["name"],
            alts,
            tuple(sorted(a["drgs"])),
            _bounds(a.get("age_days")),
            _bounds(a.get("weight")),
        )
        by_mdc.setdefault(a["mdc"], []).append(adrg)
        drg_names.update({a["code"] + d: n for d, n in a["drgs"].items()})
    adrgs = {m: tuple(v) for m, v in by_mdc.items()}
    # an ADRG may list a principal diagnosis that no MDC table holds (burns T20.3 in WB1/WR1): the
    # ADRG's MDC takes it; a diagnosis some table holds stays with that table
    listed = {
        m: {d for a in v for c in a.alternatives for d in (c.pdx or frozenset()) | (c.anydx or frozenset())}
        for m, v in adrgs.items()
        if m != "A"
    }
    extra: dict[str, list[str]] = {}
    for m, codes in listed.items():
        for d in codes - mdcs_of.keys():
            extra.setdefault(d, []).append(m)
    mdcs_of.update(extra)
    or_procs = {
        p
        for v in adrgs.values()
        for a in v
        if a.operating_room
        for c in a.alternatives
        for p in (c.proc or frozenset()).union(*c.procs)
    }
    relevant = {d for v in adrgs.values() for a in v for c in a.alternatives for d in (c.anydx or ())} | set(sites)
    complication = {c: (1, t) for c, t in data["cc"].items()}
    complication.update({c: (2, t) for c, t in data["mcc"].items()})
    excluded: dict[str, set[str]] = {}
    for table, codes in data["exclusions"].items():
        for code in codes:
            excluded.setdefault(code, set()).add(table)
    meta = data.get("meta", {})
    return ChsPack(
        meta.get("name", "CHS-DRG"),
        meta,
        {m["code"]: m["name"] for m in data["mdcs"]},
        {m["code"]: m["sex"] for m in data["mdcs"] if m.get("sex")},
        {k: tuple(v) for k, v in mdcs_of.items()},
        {k: frozenset(v) for k, v in sites.items()},
        adrgs,
        drg_names,
        complication,
        {k: frozenset(v) for k, v in excluded.items()},
        frozenset(or_procs),
        frozenset(relevant),
        frozenset(set().union(*listed.values())),
        adrg_index={a.code: a for v in adrgs.values() for a in v},
    )


def is_chs_pack(folder: Path) -> bool:
    return (folder / PACK_FILE).is_file()


@functools.cache
def load_chs_pack(folder: Path) -> ChsPack:
    with gzip.open(folder / PACK_FILE, "rt", encoding="utf-8") as fh:
        return compile_pack(json.load(fh))


# -- grouping --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdrgResult:
    """The ADRG step: the ADRG (None for QY/0000), the MDC, the DRG when not an ADRG, the steps."""

    adrg: ChsAdrg | None
    mdc: str | None
    drg: str | None
    steps: tuple[str, ...]


def _age_bucket(age_days: int | None, age: int | None) -> int | None:
    """0 under 29 days, 1 from 29 days to one year, 2 one year or more, None unknown."""
    if age_days is None and age is not None and age >= 1:
        return 2
    if age_days is None:
        return None
    return 0 if age_days < 29 else 1 if age_days < 365 else 2


def _in(value: int | None, bounds: tuple[int | None, int | None]) -> bool:
    lo, hi = bounds
    return value is not None and (lo is None or value >= lo) and (hi is None or value < hi)


def _age_ok(bucket: int | None, bounds: tuple[int | None, int | None]) -> bool:
    """The ADRG age bounds are 0–29 days or 29–365 days; bucket midpoints decide."""
    return bucket is not None and _in((14, 100, 1000)[bucket], bounds)


def _holds(c: Condition, pdx: str, others: frozenset[str], procs: Sequence[str], surgery: bool) -> bool:
    if c.pdx is not None and pdx not in c.pdx:
        return False
    if c.anydx is not None and pdx not in c.anydx and not (others & c.anydx):
        return False
    if c.proc is not None and not any(p in c.proc for p in procs):
        return False
    if c.procs and not all(any(p in lst for p in procs) for lst in c.procs):
        return False
    if c.anysurgery and not surgery:
        return False
    return not (c.nosurgery and surgery)


def choose_mdc(
    pack: ChsPack,
    pdx: str,
    others: frozenset[str],
    sex: str,
    age_bucket: int | None,
) -> tuple[str | None, str]:
    """The MDC after 先期分组 (P, Y, Z, then by table and sex), or None and the reason."""
    tables = pack.mdcs_of.get(pdx, ())
    if "P" in tables and age_bucket in (None, 0, 1):
        return "P", f"主诊断 {pdx} 在MDCP主诊表，新生儿/婴儿 → MDCP"
    pv = pack.adrg_index.get("PV1")
    if age_bucket == 1 and pv is not None and any(c.pdx and pdx in c.pdx for c in pv.alternatives):
        return "P", f"29天至1岁，主诊断 {pdx} 源于新生儿 → MDCP"
    if "Y" in tables:
        return "Y", f"主诊断 {pdx} 在MDCY主诊表 → MDCY"
    if "Z" in tables:
        sites = set().union(*(pack.trauma_sites.get(d, frozenset()) for d in (pdx, *others)))
        if len(sites) >= 2:
            return "Z", f"多发严重创伤：{'、'.join(sorted(sites))} → MDCZ"
    general = [m for m in tables if m not in _SPECIAL]
    if sex:
        fitting = [m for m in general if pack.mdc_sex.get(m, sex) == sex]
        fitting = [m for m in fitting if m in pack.mdc_sex] or fitting  # a sex-specific MDC wins
    else:  # sex not given: a general MDC if there is one, else the sex-specific one if only one
        fitting = [m for m in general if m not in pack.mdc_sex] or general
        if len({pack.mdc_sex.get(m) for m in fitting}) > 1:
            return None, f"主诊断 {pdx} 分属男/女性MDC，缺少性别 / sex needed to choose the MDC"
    if fitting:
        return fitting[0], f"主诊断 {pdx} → MDC{fitting[0]} {pack.mdc_names[fitting[0]]}"
    if general:
        return None, f"主诊断 {pdx} 与性别 {sex} 不符 / principal diagnosis does not fit the sex"
    if "Z" in tables:
        return None, (
            f"主诊断 {pdx} 仅在多发严重创伤主诊表，但只有一个创伤部位 / on the multiple-trauma table "
            "only, with one body site"
        )
    if "P" in tables:
        return None, f"主诊断 {pdx} 仅用于新生儿/婴儿 / a newborn diagnosis for a patient of one year or more"
    return None, f"主诊断 {pdx} 不在任何MDC主诊表 / principal diagnosis in no MDC"


def choose_adrg(
    pack: ChsPack,
    pdx: str,
    procs: tuple[str, ...],
    sex: str,
    age_bucket: int | None,
    weight: int | None,
    others: frozenset[str],
) -> AdrgResult:
    """先期分组, MDC and ADRG (or QY / 0000) for one combination of the fields that decide them."""
    surgery = any(p in pack.or_procedures for p in procs)
    for a in pack.adrgs.get("A", ()):
        if any(_holds(c, pdx, others, procs, surgery) for c in a.alternatives):
            return AdrgResult(a, "A", None, (f"先期分组：手术操作符合 {a.code} {a.name} → MDCA",))
    mdc, why = choose_mdc(pack, pdx, others, sex, age_bucket)
    if mdc is None:
        return AdrgResult(None, None, UNGROUPABLE, (why,))
    steps = [why]
    missing = ""
    for a in pack.adrgs.get(mdc, ()):
        if surgery and not a.surgical:
            continue
        if not any(_holds(c, pdx, others, procs, surgery) for c in a.alternatives):
            continue
        if a.age_days is not None and not _age_ok(age_bucket, a.age_days):
            missing = missing or ("年龄（天） / age in days" if age_bucket is None else "")
            continue
        if a.weight is not None and not _in(weight, a.weight):
            missing = missing or ("新生儿出生体重 / birth weight" if weight is None else "")
            continue
        steps.append(f"符合 {a.code} {a.name} 的入组规则 → ADRG {a.code}")
        return AdrgResult(a, mdc, None, tuple(steps))
    if missing:
        zh, en = missing.split(" / ")
        steps.append(f"缺少{zh}，不能确定MDC{mdc}的ADRG / {en} missing → {UNGROUPABLE}")
        return AdrgResult(None, mdc, UNGROUPABLE, tuple(steps))
    if surgery:
        unrelated = "、".join(p for p in procs if p in pack.or_procedures)
        steps.append(
            f"手术 {unrelated} 与主诊断无关，MDC{mdc}无对应手术组 / surgery unrelated to the principal "
            f"diagnosis → {mdc}QY"
        )
        return AdrgResult(None, mdc, f"{mdc}QY", tuple(steps))
    steps.append(f"MDC{mdc} 内无匹配的ADRG / no ADRG of MDC{mdc} takes the case → {UNGROUPABLE}")
    return AdrgResult(None, mdc, UNGROUPABLE, tuple(steps))


def complication_level(pack: ChsPack, pdx: str, others: Iterable[str]) -> tuple[int, list[str]]:
    """2 (MCC), 1 (CC) or 0, and why: each MCC/CC counted or voided by its exclusion table."""
    level = 0
    why: list[str] = []
    excluded = pack.excluded_by.get(pdx, frozenset())
    for dx in others:
        hit = pack.complication.get(dx)
        if hit is None:
            continue
        lvl, table = hit
        kind = "MCC" if lvl == 2 else "CC"
        if table in excluded:
            why.append(
                f"其他诊断 {dx} 为{kind}，但主诊断 {pdx} 在排除表 {table} 中，不计 / {kind} {dx} "
                f"excluded by table {table}"
            )
        else:
            why.append(f"其他诊断 {dx} 为{kind} / {dx} counts as {kind}")
            level = max(level, lvl)
    return level, why


def split_digit(splits: Sequence[str], level: int) -> str:
    """The DRG digit for an ADRG's published splits and the complication level."""
    if "9" in splits:
        return "9"
    return next(d for d in _DIGITS[level] if d in splits)


def drg_label(digit: str) -> str:
    return _LABEL[digit]
