"""Find, for an ADRG of the national pack, a case built from its rule text that groups into it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from yigai.payment.chs_drg import ChsAdrg, ChsPack, Condition
from yigai.payment.drg import DrgCase, group

TRIES = 12


def _some(codes: frozenset[str] | None, n: int = TRIES) -> list[str]:
    return sorted(codes or ())[:n]


def candidates(pack: ChsPack, adrg: ChsAdrg) -> Iterator[DrgCase]:
    table = sorted(c for c, ms in pack.mdcs_of.items() if adrg.mdc in ms)
    surgery = sorted(pack.or_procedures)
    sex = pack.mdc_sex.get(adrg.mdc, "M")
    age_days = None
    age = 40
    if adrg.age_days is not None:
        age_days = adrg.age_days[0] or 3
        age = 0
    elif adrg.mdc == "P":
        age_days, age = 3, 0
    weight = None
    if adrg.weight is not None:
        weight = adrg.weight[0] if adrg.weight[0] is not None else adrg.weight[1] - 100  # type: ignore[operator]
    elif adrg.mdc == "P":
        weight = 3200
    sites = sorted(pack.trauma_sites.items())
    before = pack.adrgs[adrg.mdc][: pack.adrgs[adrg.mdc].index(adrg)]
    earlier_dx = {d for a in before for c in a.alternatives for d in c.pdx or ()}
    earlier_px = {p for a in before for c in a.alternatives for p in (c.proc or frozenset()).union(*c.procs)}
    for c in adrg.alternatives:
        listed = sorted(c.pdx if c.pdx is not None else c.anydx if c.anydx is not None else table)
        mine = [d for d in listed if adrg.mdc in pack.mdcs_of.get(d, ())] or listed
        mine.sort(key=lambda d: d in earlier_dx)  # codes no earlier ADRG lists first
        pdxs = mine[: TRIES // 2] + mine[TRIES // 2 :: max(1, len(mine) // TRIES)]
        if adrg.mdc == "A":
            pdxs = ["J18.900"]
        proc_sets = _procedures(c, surgery, earlier_px)
        for pdx, procs in itertools.product(pdxs, proc_sets):
            others: tuple[str, ...] = ()
            if c.anydx is not None and pdx not in c.anydx:
                others = (_some(c.anydx, 1)[0],)
            if adrg.mdc == "Z":  # a second body site
                mine = pack.trauma_sites.get(pdx, frozenset())
                other = next((d for d, s in sites if not s & mine), None)
                others += (other,) if other else ()
            yield DrgCase(
                "w",
                pdx,
                others,
                procs[0] if procs else None,
                tuple(procs[1:]),
                sex=sex,
                age=age,
                age_days=age_days,
                birth_weight=weight,
            )


def _procedures(c: Condition, surgery: list[str], earlier: set[str]) -> list[tuple[str, ...]]:
    if c.procs:
        return [tuple(x) for x in itertools.product(*(_some(lst, 4) for lst in c.procs))]
    if c.proc is not None:
        return [(p,) for p in sorted(c.proc, key=lambda p: (p in earlier, p))[:TRIES]]
    if c.anysurgery:
        return [(p,) for p in surgery[:: max(1, len(surgery) // TRIES)]]
    return [()]


def witness(pack: ChsPack, adrg: ChsAdrg) -> DrgCase | None:
    return next((w for w in candidates(pack, adrg) if group(w, pack).adrg == adrg.code), None)
