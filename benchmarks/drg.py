"""DRG grouping benchmark: 1,000,000 settlement-list cases on the national CHS-DRG 1.1 pack.

The cases are drawn from the pack itself with a fixed seed: principal diagnoses from the ADRG lists
with Zipf-like frequencies (a few hundred common ones), 30 % surgical with a procedure from an
ADRG of the diagnosis's MDC (a few with an unrelated operation, giving QY), 0–6 other diagnoses
(Poisson 1.5) from the MCC/CC lists and common codes, 1 % newborns with age in days and birth
weight, 2 % 国临版 codes to map, 0.2 % malformed codes. Age is drawn per case, sex too except for
the diagnoses of the male and female MDCs.

It prints, in one process on the same cases:
- the column grouper (:class:`FastGrouper`, what a whole-district run uses): cases/s and peak
  memory (ru_maxrss) for all cases;
- the per-case public interface (``drg.group`` with its full trace) on a sample;
- the same without memoisation (every case walks the rules), the baseline, on a sample;
and checks that the three give the same DRG on the sample.

    .venv/bin/python benchmarks/drg.py              # 1,000,000 cases
    .venv/bin/python benchmarks/drg.py --n 100000
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import Counter

import numpy as np

from yigai.codes import codebook
from yigai.payment.chs_drg import ChsPack
from yigai.payment.chs_group import FastGrouper, NationalGrouper
from yigai.payment.drg import DrgCase, load_pack

TARGET = 100_000  # cases per second, single process
SAMPLE = 50_000


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _zipf(rng: np.random.Generator, k: int, n: int, a: float = 1.1) -> np.ndarray:
    w = 1.0 / np.arange(1, k + 1) ** a
    return rng.choice(k, size=n, p=w / w.sum())


def synthetic(pack: ChsPack, n: int, seed: int) -> dict[str, list]:  # type: ignore[type-arg]
    rng = np.random.default_rng(seed)
    book = codebook()
    medical: list[str] = []
    surgical: list[tuple[str, str]] = []
    for mdc, adrgs in pack.adrgs.items():
        if mdc in ("A", "P"):
            continue
        table = sorted(d for d, ms in pack.mdcs_of.items() if mdc in ms)
        for a in adrgs:
            for c in a.alternatives:
                if c.proc is not None:
                    dxs = sorted(c.pdx) if c.pdx is not None else table
                    for p in sorted(c.proc)[:3]:
                        surgical.append((dxs[len(surgical) % len(dxs)], p))
                elif c.pdx is not None and not c.needs_procedure:
                    medical.extend(sorted(c.pdx)[:4])
    rng.shuffle(medical)
    rng.shuffle(surgical)
    others_pool = sorted(pack.complication)[::3] + medical[:1500]
    mapped = sorted(book.diagnoses.crosswalk)[:500]
    newborn = [d for d in sorted(pack.mdcs_of) if pack.mdcs_of[d] == ("P",)]
    prem = sorted(next(iter(pack.adrg_index["PS2"].alternatives)).anydx or ())
    or_procs = sorted(pack.or_procedures)
    pdx: list[str] = []
    procs: list[tuple[str, ...]] = []
    sex: list[str] = []
    age: list[int | None] = []
    age_days: list[int | None] = []
    weight: list[int | None] = []
    kind = rng.random(n)
    med_i = _zipf(rng, len(medical), n)
    sur_i = _zipf(rng, len(surgical), n)
    n_other = np.minimum(rng.poisson(1.5, n), 6)
    oth_i = _zipf(rng, len(others_pool), int(n_other.sum()), 0.9)
    ages = rng.integers(1, 95, n)
    sexes = rng.choice(["男", "女"], n)
    others: list[tuple[str, ...]] = []
    o = 0
    for i in range(n):
        k = kind[i]
        ps: tuple[str, ...] = ()
        ad = w = None
        ag: int | None = int(ages[i])
        if k < 0.01:  # newborn
            d = prem[i % len(prem)] if i % 3 == 0 else newborn[i % len(newborn)]
            ag, ad, w = 0, int(i % 28), int(1200 + (i * 37) % 2800)
        elif k < 0.31:
            d, p = surgical[sur_i[i]]
            ps = (p,) if k > 0.306 or i % 50 else (p, or_procs[i % len(or_procs)])  # some unrelated surgery
        else:
            d = medical[med_i[i]]
        if k > 0.98:
            d = mapped[i % len(mapped)]
        elif k > 0.978:
            d = d + "0"  # malformed
        m = int(n_other[i])
        others.append(tuple(others_pool[j] for j in oth_i[o : o + m]))
        o += m
        pdx.append(d)
        procs.append(ps)
        fixed = {pack.mdc_sex.get(mdc) for mdc in pack.mdcs_of.get(d, ())} - {None}
        sex.append("男" if fixed == {"M"} else "女" if fixed == {"F"} else str(sexes[i]))
        age.append(ag)
        age_days.append(ad)
        weight.append(w)
    return {
        "pdx": pdx,
        "others": others,
        "procs": procs,
        "sex": sex,
        "age": age,
        "age_days": age_days,
        "weight": weight,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.perf_counter()
    pack = load_pack()
    assert isinstance(pack, ChsPack)
    codebook()
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    cols = synthetic(pack, args.n, args.seed)
    t_gen = time.perf_counter() - t0
    print(f"pack {pack.name} and code lists loaded in {t_load:.2f} s; {args.n:,} cases generated in {t_gen:.1f} s")

    fast = FastGrouper(pack)
    t0 = time.perf_counter()
    drgs = fast.drgs(
        cols["pdx"], cols["others"], cols["procs"], cols["sex"], cols["age"], cols["age_days"], cols["weight"]
    )
    t_fast = time.perf_counter() - t0
    rate = args.n / t_fast
    counts = Counter(drgs)
    grouped = sum(v for d, v in counts.items() if d != "0000" and not d.endswith("QY"))
    top = sum(v for _, v in counts.most_common(300))
    print(
        f"column grouper: {args.n:,} cases in {t_fast:.2f} s = {rate:,.0f} cases/s "
        f"(aim {TARGET:,}: {'met' if rate >= TARGET else 'NOT met'}); peak memory {peak_mib():,.0f} MiB; "
        f"{fast.distinct_inputs:,} distinct ADRG inputs"
    )
    print(
        f"  {len(counts)} DRGs used; the 300 largest hold {top / args.n:.1%}; "
        f"0000 {counts['0000'] / args.n:.2%}, QY {sum(v for d, v in counts.items() if d.endswith('QY')) / args.n:.2%}, "
        f"grouped {grouped / args.n:.1%}"
    )

    m = min(SAMPLE, args.n)
    cases = [
        DrgCase(
            str(i),
            cols["pdx"][i],
            cols["others"][i],
            (cols["procs"][i] or (None,))[0],
            cols["procs"][i][1:],
            sex=cols["sex"][i],
            age=cols["age"][i],
            age_days=cols["age_days"][i],
            birth_weight=cols["weight"][i],
        )
        for i in range(m)
    ]
    traced = NationalGrouper(pack)
    t0 = time.perf_counter()
    full = [traced.group(c).drg for c in cases]
    t_traced = time.perf_counter() - t0

    class NoMemo(NationalGrouper):
        """Walks the rules for every case: the baseline."""

        def group(self, case):  # type: ignore[no-untyped-def,override]
            self._adrg.clear()
            self._level.clear()
            return super().group(case)

    plain = NoMemo(pack)
    t0 = time.perf_counter()
    base = [plain.group(c).drg for c in cases]
    t_base = time.perf_counter() - t0
    same = full == base == drgs[:m]
    print(f"per-case interface with trace (drg.group): {m / t_traced:,.0f} cases/s on {m:,}")
    print(f"baseline, no memoisation (every case walks the rules): {m / t_base:,.0f} cases/s on {m:,}")
    print(
        f"column grouper / baseline: {rate / (m / t_base):.1f}x; same DRG for every sampled case: "
        f"{'yes' if same else 'NO'}"
    )


if __name__ == "__main__":
    main()
