"""Analytics benchmark: the whole indicator catalogue over a synthetic district's year of records.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/analytics.py``). The first run generates
the ``district`` preset (``yigai synth``: ≈ 1.3 million residents, ≈ 14 million outpatient visits)
and loads it into a record store, both cached under ``var/bench-cache/`` (delete the folder to
start again). Then, in this process:

1. the catalogue's partials are materialised in the store, as ``yigai records load`` does after
   a load (in a child process, so that its memory is not the engine's) — wall time;
2. the catalogue engine computes every indicator for the district, every town, every
   institution and every institution type, for each month, each quarter and the year, reading
   the materialised partials, then again scanning the records (as every run did before partials
   were kept) — wall time, rows of records covered per second, peak memory, and the speed-up;
3. five indicators (门诊药占比, 门诊次均费用, 基层诊疗量占比, 平均住院日, 出院患者手术占比) are
   computed by the engine alone and by a straightforward pandas implementation (read the
   Parquet files, join the institutions, filter each period, group by each level); both give
   the same values, and the ratio of their times is printed.

Targets: the full catalogue in under 20 s, peak memory under 4 GB, at least 10× the pandas
baseline, and the materialised run at least 3× the scanning run.
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console
from rich.table import Table

from yigai.analytics import materialised
from yigai.analytics.catalogue import Level, load_catalogue
from yigai.analytics.engine import compute, periods_within
from yigai.domain.periods import parse_period
from yigai.records.loader import load_records
from yigai.records.store import open_store
from yigai.synth.generate import generate

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench-cache"
YEAR, SEED = 2023, 1
FULL_S, MEMORY_GB, RATIO, SPEEDUP = 20.0, 4.0, 10.0, 3.0
FIVE = ("OP_DRUG_SHARE", "OP_COST_PER_VISIT", "PRIMARY_VISIT_SHARE", "AVG_LOS", "SURGERY_SHARE")
PRIMARY_TYPES = ("chc", "chs_station", "township_hc", "village_clinic", "clinic")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(preset: str, console: Console) -> tuple[Path, Path]:
    """The generated Parquet folder and the loaded record store, made once."""
    synth = CACHE / f"synth-{preset}-{YEAR}-{SEED}"
    store_path = CACHE / f"records-{preset}-{YEAR}-{SEED}.duckdb"
    if not (synth / "manifest.json").exists():
        console.print(f"generating the {preset} preset into {synth} (once) …")
        started = time.perf_counter()
        generate(preset, YEAR, SEED, synth, overwrite=True)
        console.print(f"  generated in {time.perf_counter() - started:.1f} s")
        store_path.unlink(missing_ok=True)
    if not store_path.exists():
        console.print(f"loading it into {store_path} (once) …")
        started = time.perf_counter()
        partial = store_path.with_suffix(".loading")
        partial.unlink(missing_ok=True)
        store = open_store(partial)
        try:
            result = load_records(store, [synth], strict=True)
            assert not result.errors, "the synthetic district must load without errors"
        finally:
            store.close()
        partial.rename(store_path)
        console.print(f"  loaded in {time.perf_counter() - started:.1f} s")
    return synth, store_path


def scanned_rows(con: duckdb.DuckDBPyConnection, statements: list[tuple[str, dict[str, object]]]) -> int:
    """Rows of the record tables the scanning statements read (a table read twice counts twice):
    the records a run covers, whether it scans them or reads their materialised partials."""
    counts = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
        for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    }
    total = 0
    for sql, _ in statements:
        words = {w.strip("(),") for w in sql.split()}
        total += sum(n for t, n in counts.items() if t in words)
    return total


def _refresh(store_path: str, out: multiprocessing.queues.Queue) -> None:  # type: ignore[name-defined]
    started = time.perf_counter()
    with open_store(Path(store_path)) as store:  # as yigai records load opens it
        kept = materialised.refresh(store.conn)
    out.put((time.perf_counter() - started, kept.rows, peak_mib()))


def materialise(store_path: Path) -> tuple[float, int, float]:
    """Refresh the store's materialised partials in a child process: (seconds, rows kept, its peak MiB)."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=_refresh, args=(str(store_path), out))
    child.start()
    result = out.get()
    child.join()
    return result


def timed_full(con: duckdb.DuckDBPyConnection, use_materialised: bool) -> tuple[float, float, object]:
    """(wall s, CPU s of the process — every thread, DuckDB's included —, the computation)."""
    catalogue = load_catalogue()
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    comp = compute(
        con, list(catalogue.indicators.values()), periods_within(str(YEAR)), use_materialised=use_materialised
    )
    return time.perf_counter() - started, time.process_time() - cpu, comp


def engine_values(
    con: duckdb.DuckDBPyConnection, codes: tuple[str, ...], periods: list[str], use_materialised: bool = True
) -> tuple[float, dict]:
    catalogue = load_catalogue()
    started = time.perf_counter()
    comp = compute(
        con,
        [catalogue.indicators[c] for c in codes],
        periods,
        [Level.DISTRICT, Level.TOWN, Level.INSTITUTION],
        use_materialised=use_materialised,
    )
    elapsed = time.perf_counter() - started
    return elapsed, {(r.code, r.level.value, r.org_unit, r.period_id): r.value for r in comp.results}


def pandas_values(synth: Path, periods: list[str]) -> tuple[float, dict]:
    """The five indicators the plain pandas way: load, join, then filter and group per period and level."""
    started = time.perf_counter()
    inst = pd.read_parquet(synth / "institutions.parquet", columns=["institution_id", "town_code", "type"])
    towns = pd.read_parquet(synth / "towns.parquet", columns=["town_code", "district_code"])
    inst = inst.merge(towns, on="town_code")
    visits = pd.read_parquet(
        synth / "outpatient_visits.parquet", columns=["institution_id", "visit_date", "total_cost", "drug_cost"]
    )
    visits = visits.merge(inst, on="institution_id")
    visits["visit_date"] = pd.to_datetime(visits["visit_date"])
    visits["primary"] = visits["type"].isin(PRIMARY_TYPES)
    stays = pd.read_parquet(
        synth / "inpatient_discharges.parquet", columns=["institution_id", "discharge_date", "los", "surgery"]
    )
    stays = stays.merge(inst, on="institution_id")
    stays["discharge_date"] = pd.to_datetime(stays["discharge_date"])
    levels = {"district": "district_code", "town": "town_code", "institution": "institution_id"}
    out: dict[tuple[str, str, str, str], float | None] = {}

    def ratio(code: str, level: str, num: pd.Series, den: pd.Series, factor: float) -> None:
        for unit, n in num.items():
            d = den.get(unit, 0)
            out[(code, level, str(unit), pid)] = n / d * factor if d else None

    for pid in periods:
        p = parse_period(pid)
        v = visits[(visits["visit_date"] >= pd.Timestamp(p.start)) & (visits["visit_date"] <= pd.Timestamp(p.end))]
        s = stays[(stays["discharge_date"] >= pd.Timestamp(p.start)) & (stays["discharge_date"] <= pd.Timestamp(p.end))]
        for level, column in levels.items():
            g = v.groupby(column)
            ratio("OP_DRUG_SHARE", level, g["drug_cost"].sum(), g["total_cost"].sum(), 100)
            ratio("OP_COST_PER_VISIT", level, g["total_cost"].sum(), g.size(), 1)
            if level != "institution":
                ratio("PRIMARY_VISIT_SHARE", level, g["primary"].sum(), g.size(), 100)
            h = s.groupby(column)
            ratio("AVG_LOS", level, h["los"].sum(), h.size(), 1)
            ratio("SURGERY_SHARE", level, h["surgery"].sum(), h.size(), 100)
    return time.perf_counter() - started, out


def agree(engine: dict, baseline: dict) -> tuple[int, list[str]]:
    """How many values both computed, and the keys where they differ."""
    both = [k for k in baseline if k in engine]
    differ = [
        f"{k}: engine {engine[k]} pandas {baseline[k]}"
        for k in both
        if not (
            (engine[k] is None and baseline[k] is None)
            or (
                engine[k] is not None
                and baseline[k] is not None
                and math.isclose(engine[k], baseline[k], rel_tol=1e-9, abs_tol=1e-9)
            )
        )
    ]
    return len(both), differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--preset", default="district", choices=("small", "district", "city"))
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    console = Console(width=140)
    synth, store_path = prepare(args.preset, console)
    periods = periods_within(str(YEAR))
    refresh_s, kept_rows, refresh_peak = materialise(store_path)
    con = duckdb.connect(str(store_path), read_only=True)

    catalogue = load_catalogue()
    full_s, full_cpu, full = timed_full(con, use_materialised=True)
    full_peak = peak_mib()
    scan_s, scan_cpu, scan = timed_full(con, use_materialised=False)
    scan_peak = peak_mib()
    assert full.results == scan.results, "materialised and scanned results must be identical"
    assert set(full.materialised) == {m.source.name for i in catalogue.indicators.values() for m in i.measures}
    covered = scanned_rows(con, scan.statements)

    five_s, engine = engine_values(con, FIVE, periods)
    five_scan_s, _ = engine_values(con, FIVE, periods, use_materialised=False)
    con.close()
    pandas_s, baseline = pandas_values(synth, periods)
    compared, differ = agree(engine, baseline)
    ratio = pandas_s / five_s
    speedup = scan_s / full_s

    table = Table(title=f"indicator catalogue on the {args.preset} preset ({YEAR})")
    for col in ("measure", "figure", "target"):
        table.add_column(col)
    table.add_row(
        "indicators × levels × periods",
        f"{len(catalogue.indicators)} × 4 × {len(periods)} → {len(full.results):,} values",
        "",
    )
    table.add_row(
        "materialising the partials (at load)", f"{refresh_s:.2f} s, {kept_rows:,} rows, {refresh_peak:,.0f} MiB", ""
    )
    table.add_row("full catalogue, wall (materialised)", f"{full_s:.2f} s (CPU {full_cpu:.2f} s)", f"< {FULL_S:.0f} s")
    table.add_row("full catalogue, wall (scanning)", f"{scan_s:.2f} s (CPU {scan_cpu:.2f} s)", "")
    table.add_row("rows of records covered", f"{covered:,}", "")
    table.add_row(
        "rows/s (materialised, scanning)", f"{covered / full_s / 1e6:.1f} M, {covered / scan_s / 1e6:.1f} M", ""
    )
    table.add_row(
        "materialised ÷ scanning (wall, CPU)", f"{speedup:.1f}×, {scan_cpu / full_cpu:.1f}×", f"≥ {SPEEDUP:.0f}×"
    )
    table.add_row(
        "peak memory (materialised, then scanning)",
        f"{full_peak:,.0f} MiB, {scan_peak:,.0f} MiB",
        f"< {MEMORY_GB:.0f} GB",
    )
    table.add_row("five indicators: engine (materialised, scanning)", f"{five_s:.2f} s, {five_scan_s:.2f} s", "")
    table.add_row("five indicators: pandas", f"{pandas_s:.2f} s", "")
    table.add_row(
        "pandas ÷ engine (materialised, scanning)", f"{ratio:.1f}×, {pandas_s / five_scan_s:.1f}×", f"≥ {RATIO:.0f}×"
    )
    table.add_row("values compared, differing", f"{compared:,}, {len(differ)}", "0 differing")
    console.print(table)
    console.print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    misses = []
    if full_s >= FULL_S:
        misses.append(f"full catalogue {full_s:.1f} s")
    if scan_peak >= MEMORY_GB * 1024:
        misses.append(f"peak memory {scan_peak:.0f} MiB")
    if speedup < SPEEDUP:
        misses.append(f"materialised ÷ scanning {speedup:.1f}×")
    if ratio < RATIO:
        misses.append(f"pandas ratio {ratio:.1f}×")
    if differ or not compared:
        misses.append(f"{len(differ)} values differ from pandas, e.g. {differ[:2]}")
    for line in misses:
        console.print(f"[red]target missed[/]: {line}")
    if not misses:
        console.print("[green]targets met[/]")
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    sys.exit(main())
