"""DIP payment engine benchmark: load, catalogue, scoring and settlement on a synthetic district.

Three historical years and one current year of discharges at 200,000 and at 1,000,000 cases a
year (40 hospitals of three levels, about 2,000 diagnoses, 60 procedures, log-normal costs, a few
bad records). The discharges are generated once with a fixed seed and cached as Parquet under
var/bench-cache/. Each size runs in its own process, so its peak memory is its own.

Per size it prints the time of each stage of the columnar engine (load, build, score, settle),
cases per second and peak memory (ru_maxrss), then a straightforward pandas implementation of the
same grouping and scoring, run in the same process on the same cases, and the ratio between the
two. At 200,000 cases a year it also runs the reference engine (one object per case) and checks
that both give exactly the same catalogue, case points and settlement. Then it groups 1,000,000
settlement-list cases on the national CHS-DRG 1.1 pack (``benchmarks/drg.py``, its own process):
cases per second against a same-run baseline, and peak memory.

    .venv/bin/python benchmarks/payment.py                  # 200k and 1M cases a year
    .venv/bin/python benchmarks/payment.py --sizes 50000    # one size
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yigai.payment import dip
from yigai.payment import dip_columnar as dc
from yigai.payment.case_table import CaseTable, load_case_table
from yigai.payment.dip import DipParams, SettleParams

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench-cache"
VERSION = 1  # bump when the generator changes
HOSPITALS = 40
HISTORY_YEARS = (2021, 2022, 2023)
CURRENT_YEAR = 2024
TARGET_SECONDS = 10.0  # 1M-case year scored and settled
TARGET_MEMORY_MIB = 4096.0
TARGET_RATIO = 5.0  # × the pandas baseline (grouping + scoring)
BAD_SHARE = 0.0005  # records given a defect the loader must report


def _vocabulary() -> tuple[list[str], list[str]]:
    letters = "ACDEIJKMNORS"
    dx = [f"{c}{n:02d}.{s}00" for c in letters for n in range(10, 99, 3) for s in range(7)]
    procs = [f"{a:02d}.{b:02d}00" for a in (36, 45, 47, 51, 81, 88, 93) for b in range(1, 10)]
    return dx, procs


def synthetic(n: int, year: int, seed: int) -> pa.Table:
    """``n`` discharges of one year as the columns of a case file (Parquet types)."""
    rng = np.random.default_rng([seed, year])
    dx, procs = _vocabulary()
    zipf = 1.0 / np.arange(1, len(dx) + 1) ** 0.9  # a few common diagnoses, a long tail
    d = rng.choice(len(dx), size=n, p=zipf / zipf.sum())
    has_proc = rng.random(n) < 0.55
    p = rng.integers(0, len(procs), n)
    main_proc = np.where(has_proc, np.array(procs, dtype=object)[p], "")
    extra = has_proc & (rng.random(n) < 0.15)
    other = np.where(extra, np.array(procs, dtype=object)[rng.integers(0, len(procs), n)], "")
    hosp = rng.integers(0, HOSPITALS, n)
    level = np.where(hosp < 5, "三级", np.where(hosp < 15, "二级", "一级"))
    base = 3000.0 + (np.arange(len(dx)) * 7919 % 17000)
    cost = (
        base[d]
        * np.where(has_proc, 1.8, 1.0)
        * (1.25 - 0.05 * (hosp >= 5) - 0.1 * (hosp >= 15))
        * rng.lognormal(0.0, 0.45, n)
    )
    cost = np.round(cost, 2)
    discharge = np.datetime64(f"{year}-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    los = rng.integers(1, 20, n)
    case_id = pc.binary_join_element_wise(str(year), pc.cast(pa.array(np.arange(n)), pa.string()), "-")
    main_dx = np.array(dx, dtype=object)[d]
    # defects: negative cost, malformed diagnosis, discharge before admission, repeated case id
    bad = np.flatnonzero(rng.random(n) < BAD_SHARE)
    kinds = bad % 4
    cost[bad[kinds == 0]] = -cost[bad[kinds == 0]]
    main_dx[bad[kinds == 1]] = "80.100"
    los[bad[kinds == 2]] = -3
    ids = case_id.to_numpy(zero_copy_only=False).astype(object)
    dup = bad[(kinds == 3) & (bad > 0)]
    ids[dup] = ids[dup - 1]
    return pa.table(
        {
            "case_id": pa.array(ids, pa.string()),
            "hospital": pa.array([f"H{h:02d}" for h in range(HOSPITALS)]).take(pa.array(hosp)),
            "hospital_level": pa.array(level, pa.string()),
            "insurance": pa.array(np.where(rng.random(n) < 0.6, "职工", "居民"), pa.string()),
            "admission": pa.array(discharge - np.abs(los).astype("timedelta64[D]") * np.sign(los), pa.date32()),
            "discharge": pa.array(discharge, pa.date32()),
            "los": pa.array(np.abs(los), pa.int64()),
            "main_dx": pa.array(main_dx, pa.string()),
            "main_proc": pa.array(main_proc, pa.string()),
            "other_procs": pa.array(other, pa.string()),
            "total_cost": pa.array(cost),
            "fund_paid": pa.array(np.round(np.abs(cost) * 0.7, 2)),
            "patient_paid": pa.array(np.round(np.abs(cost) * 0.3, 2)),
        }
    )


def cached(n: int, year: int, seed: int) -> Path:
    path = CACHE / f"payment-v{VERSION}-{n}-s{seed}-{year}.parquet"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        pq.write_table(synthetic(n, year, seed), tmp)
        tmp.replace(path)
    return path


def pandas_group_and_score(hist_paths: list[Path], cur_path: Path, p: DipParams) -> tuple[float, object]:
    """A straightforward pandas DIP grouping and scoring (no primary groups, no trimming).

    Returns its time (reading the files excluded) and the scored cases (case_id, group, points).
    """
    import pandas as pd

    hist = pd.concat([pd.read_parquet(x) for x in hist_paths], ignore_index=True)
    cur = pd.read_parquet(cur_path)
    hist = hist[(hist.total_cost >= 0) & (hist.main_dx.str.match(r"^[A-Z]\d\d")) & (hist.discharge >= hist.admission)]
    hist = hist.drop_duplicates("case_id")
    cur = cur[(cur.total_cost >= 0) & (cur.main_dx.str.match(r"^[A-Z]\d\d")) & (cur.discharge >= cur.admission)]
    cur = cur.drop_duplicates("case_id")
    t0 = time.perf_counter()

    def keys(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        procs = (
            (df["main_proc"] + ";" + df["other_procs"])
            .str.split(";")
            .map(lambda xs: "+".join(sorted({x for x in xs if x})) or "-")
        )
        klass = procs.map(lambda c: p.proc_rule.combination_class(() if c == "-" else tuple(c.split("+"))))
        return df["main_dx"].str[:5] + "|" + procs, df["main_dx"].str[:3] + "|" + klass

    hist["year"] = pd.to_datetime(hist["discharge"]).dt.year
    hist["core"], hist["comp"] = keys(hist)
    size = hist.groupby("core")["core"].transform("size")
    core_groups = set(hist.loc[size >= p.threshold, "core"])
    hist["group"] = hist["core"].where(size >= p.threshold, hist["comp"])
    weights = dict(zip(HISTORY_YEARS, p.year_weights, strict=True))
    yearly = hist.groupby(["group", "year"])["total_cost"].mean().rename("m").reset_index()
    yearly["w"] = yearly["year"].map(weights)
    yearly["wm"] = yearly["m"] * yearly["w"]
    g = yearly.groupby("group")[["wm", "w"]].sum()
    mean = g["wm"] / g["w"]
    by_year = hist.groupby("year")["total_cost"].mean()
    M = sum(weights[y] * by_year[y] for y in by_year.index) / sum(weights[y] for y in by_year.index)
    points = mean / M * p.scale
    hist["m"] = hist["group"].map(mean)
    lv = hist.groupby("hospital_level")[["total_cost", "m"]].sum()
    k_level = lv["total_cost"] / lv["m"]
    cur["core"], cur["comp"] = keys(cur)
    cur["group"] = cur["core"].where(cur["core"].isin(core_groups), cur["comp"])
    cur = cur[cur["group"].isin(mean.index)].copy()
    k_lv = cur["hospital_level"].map(k_level)
    A = cur["group"].map(mean) * k_lv
    ratio = cur["total_cost"] / A
    k = np.select([ratio < p.low, ratio > p.high], [ratio, ratio - (p.high - 1.0)], 1.0)
    cur["points"] = cur["group"].map(points) * k_lv * k
    return time.perf_counter() - t0, cur[["case_id", "group", "points"]]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(n: int, seed: int, reference: bool) -> dict[str, object]:
    """One size, in this process: columnar stages, peak memory, pandas baseline, reference check."""
    hist_paths = [cached(n, y, seed) for y in HISTORY_YEARS]
    cur_path = cached(n, CURRENT_YEAR, seed)
    gc.collect()
    out: dict[str, object] = {"n": n}
    t0 = time.perf_counter()
    loads = [load_case_table(x) for x in hist_paths]
    tc = time.perf_counter()
    cur_load = load_case_table(cur_path)
    t1 = time.perf_counter()
    history = CaseTable.concat([x.cases for x in loads])
    current = cur_load.cases
    params = DipParams()
    t2 = time.perf_counter()
    cat = dc.build_catalogue(history, params)
    t3 = time.perf_counter()
    scoring = dc.score_cases(cat, current)
    t4 = time.perf_counter()
    sp = SettleParams(fund_budget=n * 6000.0, reimbursement_ratio=0.7)
    settlement = dc.settle_scored(scoring, sp)
    t5 = time.perf_counter()
    out.update(
        load=t1 - t0,
        load_current=t1 - tc,
        build=t3 - t2,
        score=t4 - t3,
        settle=t5 - t4,
        peak_mib=peak_mib(),
        loaded=len(history) + len(current),
        bad=sum(len(x.bad) for x in loads) + len(cur_load.bad),
        groups=len(cat.groups),
        core_share=cat.core_share,
        scored=len(scoring.index),
        ungrouped=len(scoring.ungrouped_index),
        hospitals=len(settlement.hospitals),
    )
    pd_seconds, pd_scored = pandas_group_and_score(hist_paths, cur_path, params)
    ours = dict(
        zip(
            *[current.column("case_id").take(pa.array(scoring.index)).to_pylist(), scoring.points.tolist()], strict=True
        )
    )
    theirs = dict(zip(pd_scored["case_id"].tolist(), pd_scored["points"].tolist(), strict=True))  # type: ignore[index]
    out["pandas"] = pd_seconds
    out["pandas_agrees"] = ours.keys() == theirs.keys() and all(
        math.isclose(ours[c], theirs[c], rel_tol=1e-9) for c in ours
    )
    if reference:
        hist_cases, cur_cases = history.to_cases(), current.to_cases()
        r0 = time.perf_counter()
        rcat = dip.build_catalogue(hist_cases, params)
        r1 = time.perf_counter()
        rscoring = dip.score_cases(rcat, cur_cases)
        r2 = time.perf_counter()
        rsettle = dip.settle(rcat, cur_cases, sp)
        r3 = time.perf_counter()
        out.update(ref_build=r1 - r0, ref_score=r2 - r1, ref_settle=r3 - r2)
        out["reference_identical"] = (
            rcat == cat
            and [s.points for s in rscoring.scored] == scoring.points.tolist()
            and rsettle.hospitals == settlement.hospitals
            and rsettle.point_value == settlement.point_value
        )
    return out


def report(r: dict[str, float]) -> None:
    n = int(r["n"])
    print(
        f"\nDIP engine (columnar), {n:,} cases a year: 3 history years + 1 current year; "
        f"{int(r['loaded']):,} cases loaded, {int(r['bad']):,} bad records set aside; {int(r['groups']):,} groups "
        f"(core share {r['core_share']:.1%}); {int(r['scored']):,} scored, {int(r['ungrouped']):,} ungrouped"
    )
    print(f"{'stage':<24}{'seconds':>10}{'cases/s':>14}")
    for stage, count in (("load (4 Parquet files)", 4 * n), ("build (3 years)", 3 * n), ("score", n), ("settle", n)):
        key = stage.split()[0]
        print(f"{stage:<24}{r[key]:>10.2f}{count / r[key]:>14,.0f}")
    ss = r["score"] + r["settle"]
    at_target = n >= 1_000_000

    def verdict(ok: bool) -> str:
        return ("met" if ok else "NOT met") if at_target else "the target is for 1M cases a year"

    print(
        f"score + settle of the current year: {ss:.2f} s   (target < {TARGET_SECONDS:.0f} s: "
        f"{verdict(ss < TARGET_SECONDS)}); with loading its file: {ss + r['load_current']:.2f} s"
    )
    print(
        f"peak memory (ru_maxrss, whole process): {r['peak_mib']:,.0f} MiB   (target < {TARGET_MEMORY_MIB:,.0f} MiB: "
        f"{verdict(r['peak_mib'] < TARGET_MEMORY_MIB)})"
    )
    ours = r["build"] + r["score"]
    ratio = r["pandas"] / ours
    print(
        f"grouping + scoring: columnar {ours:.2f} s, straightforward pandas {r['pandas']:.2f} s → {ratio:.1f}× "
        f"(target ≥ {TARGET_RATIO:.0f}×: {verdict(ratio >= TARGET_RATIO)}); pandas points agree: "
        f"{'yes' if r['pandas_agrees'] else 'NO'}"
    )
    if "ref_build" in r:
        print(
            f"reference engine (one object per case): build {r['ref_build']:.2f} s, score {r['ref_score']:.2f} s, "
            f"settle {r['ref_settle']:.2f} s; results identical to the columnar engine: "
            f"{'yes' if r['reference_identical'] else 'NO'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000], help="discharges per year")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reference-up-to", type=int, default=200_000, help="also run the reference engine at sizes up to this"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--drg-cases",
        type=int,
        default=1_000_000,
        help="settlement-list cases grouped on the national CHS-DRG 1.1 pack (benchmarks/drg.py; 0: skip)",
    )
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.seed, args.one <= args.reference_up_to)))
        return
    for n in args.sizes:
        for y in (*HISTORY_YEARS, CURRENT_YEAR):
            cached(n, y, args.seed)
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--seed",
                str(args.seed),
                "--reference-up-to",
                str(args.reference_up_to),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        report(json.loads(proc.stdout.strip().splitlines()[-1]))
    if args.drg_cases:
        # DRG grouping on the national pack, in its own process so that its peak memory is its own
        print(f"\nDRG grouping, national CHS-DRG 1.1 pack, {args.drg_cases:,} cases:", flush=True)
        drg = Path(__file__).with_name("drg.py")
        subprocess.run([sys.executable, str(drg), "--n", str(args.drg_cases), "--seed", str(args.seed)], check=True)


if __name__ == "__main__":
    main()
