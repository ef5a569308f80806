"""Grouping settlement-list cases on a national pack: code checks, caching, the whole trace.

Each case's codes are checked against the 医保版 lists (:mod:`yigai.domain.codes`): a 国临版 code is
mapped through the crosswalk, an unknown or malformed principal diagnosis makes the case ``0000``
with the reason, an unknown other diagnosis or procedure is left out of grouping and said so, a
灰码 principal diagnosis is reported. The ADRG step depends on few fields, so :class:`NationalGrouper`
computes it once per distinct combination (principal diagnosis, procedures, sex, age band,
birth weight, the few other diagnoses that can change an ADRG) and the complication level once per
principal diagnosis and set of other diagnoses: a district's million cases have far fewer.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from yigai.codes import codebook
from yigai.domain.codes import CodeBook, CodeCheck, CodeStatus
from yigai.payment.chs_drg import (
    UNGROUPABLE,
    AdrgResult,
    ChsPack,
    _age_bucket,
    choose_adrg,
    complication_level,
    drg_label,
    split_digit,
)


class NationalCase(Protocol):
    @property
    def main_diagnosis(self) -> str: ...
    @property
    def other_diagnoses(self) -> Sequence[str]: ...
    @property
    def procedures(self) -> Sequence[str]: ...
    @property
    def sex(self) -> str: ...
    @property
    def age(self) -> int | None: ...
    @property
    def age_days(self) -> int | None: ...
    @property
    def birth_weight(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class NationalResult:
    drg: str
    adrg: str | None
    mdc: str | None
    trace: list[str]
    codes: tuple[CodeCheck, ...] = ()  # the codes that were mapped, unknown, malformed or grey


@dataclass
class CodeTally:
    """What the code checks found over a run: the CLI prints it."""

    mapped: Counter[str] = field(default_factory=Counter)  # 国临版 code → count
    unknown: Counter[str] = field(default_factory=Counter)
    grey_principal: Counter[str] = field(default_factory=Counter)

    def add(self, checks: Iterable[CodeCheck]) -> None:
        for c in checks:
            if c.status is CodeStatus.MAPPED:
                self.mapped[c.given] += 1
            elif not c.usable:
                self.unknown[c.given] += 1
            if c.grey:  # only the principal diagnosis keeps its grey flag
                self.grey_principal[c.code] += 1


def _sex(value: str) -> str:
    v = (value or "").strip().upper()
    return {"1": "M", "男": "M", "M": "M", "MALE": "M", "2": "F", "女": "F", "F": "F", "FEMALE": "F"}.get(v, "")


class NationalGrouper:
    """Groups cases on one pack with memoised code checks and ADRG/complication steps."""

    def __init__(self, pack: ChsPack, book: CodeBook | None = None) -> None:
        self.pack = pack
        self.book = book or codebook()
        self._dx: dict[str, CodeCheck] = {}
        self._px: dict[str, CodeCheck] = {}
        self._adrg: dict[tuple[object, ...], AdrgResult] = {}
        self._level: dict[tuple[str, frozenset[str]], tuple[int, list[str]]] = {}

    def _check_dx(self, code: str) -> CodeCheck:
        hit = self._dx.get(code)
        if hit is None:
            hit = self._dx[code] = self.book.diagnosis(code)
        return hit

    def _check_px(self, code: str) -> CodeCheck:
        hit = self._px.get(code)
        if hit is None:
            hit = self._px[code] = self.book.procedure(code)
        return hit

    def group(self, case: NationalCase) -> NationalResult:
        pack = self.pack
        notes: list[CodeCheck] = []
        trace: list[str] = []
        main = self._check_dx(case.main_diagnosis or "")
        if main.status is not CodeStatus.VALID or main.grey:
            notes.append(main)
        others_checked = [self._check_dx(d) for d in case.other_diagnoses if d and d.strip()]
        procs_checked = [self._check_px(p) for p in case.procedures if p and p.strip()]
        # 灰码 matters for the principal diagnosis only
        notes.extend(
            CodeCheck(c.given, c.code, c.status)
            for c in (*others_checked, *procs_checked)
            if c.status is not CodeStatus.VALID
        )
        for c in notes:
            if c is not main or c.status is CodeStatus.MAPPED:
                trace.append(c.describe("主诊断" if c is main else "编码"))
        if not main.usable:
            what = (
                "缺失 / missing"
                if not main.given.strip()
                else (
                    "编码格式无效 / malformed"
                    if main.status is CodeStatus.MALFORMED
                    else "不在医保版编码表 / not on the 医保版 list"
                )
            )
            trace.append(f"主诊断 {main.given!r} {what} → {UNGROUPABLE}")
            return NationalResult(UNGROUPABLE, None, None, trace, tuple(notes))
        if main.grey:
            trace.append(f"主诊断 {main.code} 为灰码（不宜作主诊断）/ grey code as principal diagnosis")
        pdx = main.code
        others = tuple(c.code for c in others_checked if c.usable and c.code != pdx)
        procs = tuple(c.code for c in procs_checked if c.usable)
        sex = _sex(case.sex)
        bucket = _age_bucket(case.age_days, case.age)
        relevant = frozenset(o for o in others if o in pack.adrg_diagnoses)
        key = (pdx, procs, sex, bucket, case.birth_weight, relevant)
        step = self._adrg.get(key)
        if step is None:
            step = self._adrg[key] = choose_adrg(pack, pdx, procs, sex, bucket, case.birth_weight, relevant)
        trace.extend(step.steps)
        if step.adrg is None:
            return NationalResult(step.drg or UNGROUPABLE, None, step.mdc, trace, tuple(notes))
        adrg = step.adrg
        if "9" in adrg.splits:
            digit = "9"
        else:
            lkey = (pdx, frozenset(others))
            found = self._level.get(lkey)
            if found is None:
                found = self._level[lkey] = complication_level(pack, pdx, sorted(lkey[1]))
            level, why = found
            trace.extend(why)
            digit = split_digit(adrg.splits, level)
        drg = adrg.code + digit
        trace.append(f"{drg_label(digit)} → {drg} {pack.drg_names.get(drg, '')}".rstrip())
        return NationalResult(drg, adrg.code, step.mdc, trace, tuple(notes))

    def group_many(self, cases: Iterable[NationalCase]) -> list[NationalResult]:
        return [self.group(c) for c in cases]


@functools.cache
def national_grouper(pack: ChsPack) -> NationalGrouper:
    """One memoising grouper per loaded pack."""
    return NationalGrouper(pack)


_NONE: frozenset[str] = frozenset()


class FastGrouper:
    """DRG codes only, for columns of many cases (benchmarks, whole-district runs): no trace.

    Gives the same DRG as :class:`NationalGrouper` (a test checks it). One memo maps the fields
    that decide the ADRG (principal diagnosis and procedures as given, sex, age band, birth weight,
    the few other diagnoses that can change an ADRG) to the checked principal diagnosis and the
    DRG per complication level; the level itself is a few dictionary look-ups per other diagnosis.
    """

    def __init__(self, pack: ChsPack, book: CodeBook | None = None) -> None:
        self.pack = pack
        self.book = book or codebook()
        self._dx: dict[str, str] = {}
        self._px: dict[str, str] = {}
        self._memo: dict[tuple[object, ...], tuple[str, tuple[str, str, str] | None]] = {}

    @property
    def distinct_inputs(self) -> int:
        return len(self._memo)

    def _usable(self, code: str, proc: bool) -> str:
        cache = self._px if proc else self._dx
        hit = cache.get(code)
        if hit is None:
            check = self.book.procedure(code) if proc else self.book.diagnosis(code)
            hit = cache[code] = check.code if check.usable else ""
        return hit

    def _step(
        self, pdx: str, procs: Sequence[str], sex: str, bucket: int | None, weight: int | None, rel: frozenset[str]
    ) -> tuple[str, tuple[str, str, str] | None]:
        """(checked principal diagnosis, DRG by level 0/1/2) or (the QY/0000 code, None)."""
        main = self._usable(pdx, False)
        if not main:
            return UNGROUPABLE, None
        prc = tuple(p for p in (self._usable(c, True) for c in procs) if p)
        step = choose_adrg(self.pack, main, prc, _sex(sex), bucket, weight, rel)
        if step.adrg is None:
            return step.drg or UNGROUPABLE, None
        code, splits = step.adrg.code, step.adrg.splits
        return main, (code + split_digit(splits, 0), code + split_digit(splits, 1), code + split_digit(splits, 2))

    def drg(
        self,
        pdx: str,
        others: Sequence[str],
        procs: Sequence[str],
        sex: str,
        age: int | None,
        age_days: int | None,
        weight: int | None,
    ) -> str:
        dx = self._dx
        odx = [dx.get(d) or self._usable(d, False) for d in others] if others else ()
        rel = _NONE
        relevant = self.pack.adrg_diagnoses
        if odx and not relevant.isdisjoint(odx):
            rel = frozenset(o for o in odx if o in relevant)
        if age_days is None:
            bucket = 2 if age is not None and age >= 1 else None
        else:
            bucket = 0 if age_days < 29 else 1 if age_days < 365 else 2
        key = (pdx, tuple(procs), sex, bucket, weight, rel)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._step(pdx, procs, sex, bucket, weight, rel)
        main, by_level = hit
        if by_level is None:
            return main
        if not odx or by_level[0] == by_level[2]:
            return by_level[0]
        level = 0
        excluded = self.pack.excluded_by.get(main, _NONE)
        complication = self.pack.complication
        for o in odx:
            c = complication.get(o)
            if c is not None and c[0] > level and o != main and c[1] not in excluded:
                level = c[0]
        return by_level[level]

    def drgs(
        self,
        pdx: Sequence[str],
        others: Sequence[Sequence[str]],
        procs: Sequence[Sequence[str]],
        sex: Sequence[str],
        age: Sequence[int | None],
        age_days: Sequence[int | None],
        weight: Sequence[int | None],
    ) -> list[str]:
        """One DRG per row of the given columns."""
        group = self.drg
        return [group(*row) for row in zip(pdx, others, procs, sex, age, age_days, weight, strict=True)]
