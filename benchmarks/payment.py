"""DIP payment engine benchmark: catalogue, scoring and settlement on a synthetic district.

Three historical years and one current year of discharges (default 200,000 cases a year), built
in memory with a fixed seed; prints time per stage, cases per second and peak memory, and, as the
same-run baseline, the time of a quarter-size run to show how the stages scale.

    .venv/bin/python benchmarks/payment.py               # 200k cases a year
    .venv/bin/python benchmarks/payment.py --cases 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import time
import tracemalloc

from yigai.payment.cases import Case
from yigai.payment.dip import DipParams, SettleParams, build_catalogue, score_cases, settle

HOSPITALS = 40
DIAGNOSES = [f"{c}{n:02d}.{s}00" for c in "IJKNC" for n in range(10, 60, 3) for s in range(4)]
PROCEDURES = ["", "", "51.2300", "47.0100", "88.0100", "36.0600", "81.5100", "45.2300"]


def synthetic(n: int, year: int, rng: random.Random) -> list[Case]:
    """``n`` discharges of one year: 40 hospitals of three levels, log-normal costs."""
    levels = {f"H{i}": ("三级" if i < 5 else "二级" if i < 15 else "一级") for i in range(HOSPITALS)}
    cases = []
    for i in range(n):
        hospital = f"H{rng.randrange(HOSPITALS)}"
        day = dt.date(year, rng.randint(1, 12), 10)
        cost = rng.lognormvariate(9, 0.6)
        cases.append(Case(case_id=f"{year}-{i}", hospital=hospital, hospital_level=levels[hospital],
                          main_dx=rng.choice(DIAGNOSES), total_cost=cost, admission=day - dt.timedelta(days=5),
                          discharge=day, main_proc=rng.choice(PROCEDURES), fund_paid=cost * 0.7,
                          patient_paid=cost * 0.3))
    return cases


def run(n: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    history = synthetic(n, 2021, rng) + synthetic(n, 2022, rng) + synthetic(n, 2023, rng)
    current = synthetic(n, 2024, rng)
    gc.collect()
    t0 = time.perf_counter()
    catalogue = build_catalogue(history, DipParams())
    t1 = time.perf_counter()
    scoring = score_cases(catalogue, current)
    t2 = time.perf_counter()
    settle(catalogue, current, SettleParams(fund_budget=n * 6000.0, reimbursement_ratio=0.7))
    t3 = time.perf_counter()
    return {"build": t1 - t0, "score": t2 - t1, "settle": t3 - t2, "groups": len(catalogue.groups),
            "scored": len(scoring.scored)}


def peak_memory(n: int, seed: int) -> float:
    tracemalloc.start()
    run(n, seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000, help="discharges per year")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-memory", action="store_true", help="skip the traced (slower) memory run")
    args = parser.parse_args()
    quarter = run(args.cases // 4, args.seed)
    full = run(args.cases, args.seed)
    print(f"DIP engine, {args.cases:,} cases a year (3 history years + 1 current), {full['groups']:,} groups")
    print(f"{'stage':<10}{'seconds':>10}{'cases/s':>14}{'× quarter-size run':>22}")
    for stage, count in (("build", 3 * args.cases), ("score", args.cases), ("settle", args.cases)):
        ratio = full[stage] / quarter[stage] if quarter[stage] else float("nan")
        print(f"{stage:<10}{full[stage]:>10.2f}{count / full[stage]:>14,.0f}{ratio:>22.2f}")
    print(f"score + settle of the current year: {full['score'] + full['settle']:.2f} s (target < 10 s at 1M cases)")
    print("(×4 is linear: the quarter-size run has a quarter of the cases)")
    if not args.no_memory:
        print(f"peak memory (tracemalloc, whole run incl. the synthetic cases): {peak_memory(args.cases, args.seed):,.0f} MiB")


if __name__ == "__main__":
    main()
