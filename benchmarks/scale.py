"""Scale benchmark: the whole indicator catalogue on the small → district → city presets, on DuckDB
(the record store) and on Spark in local mode (the record lake exported from the same store).

Run with ``.venv/bin/python benchmarks/scale.py [--presets small,district,city]
[--engines duckdb,duckdb-scan,spark]``: ``duckdb`` reads the catalogue's partial sums made at load
(as ``yigai compute`` does; the time to make them is printed apart), ``duckdb-scan`` scans the
records as before they existed.
Each preset is generated, loaded into a record store and exported as a record lake once, cached
under ``var/bench-cache/`` (as ``benchmarks/analytics.py`` does). Each (engine, preset) is then
measured in a fresh child process so that its peak memory is its own: wall time of the full
catalogue (every indicator, level and period of the year), rows of the record tables its
statements read per second, and the peak resident memory of the process and its children (the
JVM for Spark), sampled every 0.1 s. Spark's session start is timed apart from the catalogue.

Printed: one row per engine and preset, and the growth from one preset to the next — rows read,
time — which should grow no faster than rows. Also the lake's bytes per row, by table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench-cache"
YEAR, SEED = 2023, 1
SPARK_MASTER = os.environ.get("YIGAI_BENCH_SPARK_MASTER", "local[2]")
SPARK_CONF = {"spark.driver.memory": "3g", "spark.sql.shuffle.partitions": "4"}


def _tree_rss_mib(root: int) -> float:
    """Resident memory of ``root`` and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(rss.get(p, 0) for p in tree) / 2**20


class PeakSampler:
    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss_mib(os.getpid()))
            self._stop.wait(0.1)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss_mib(os.getpid()))


def prepare(preset: str) -> tuple[Path, Path]:
    """(record store, record lake) of ``preset``, made once."""
    from yigai.records.lake import MANIFEST, export_lake
    from yigai.records.loader import load_records
    from yigai.records.store import open_store
    from yigai.synth.generate import generate

    synth = CACHE / f"synth-{preset}-{YEAR}-{SEED}"
    store_path = CACHE / f"records-{preset}-{YEAR}-{SEED}.duckdb"
    lake = CACHE / f"lake-{preset}-{YEAR}-{SEED}"
    if not (synth / "manifest.json").exists():
        print(f"generating {preset} into {synth} (once) …", flush=True)
        generate(preset, YEAR, SEED, synth, overwrite=True)
        store_path.unlink(missing_ok=True)
    if not store_path.exists():
        print(f"loading it into {store_path} (once) …", flush=True)
        partial = store_path.with_suffix(".loading")
        partial.unlink(missing_ok=True)
        store = open_store(partial)
        try:
            assert not load_records(store, [synth], strict=True).errors
        finally:
            store.close()
        partial.rename(store_path)
    if not (lake / MANIFEST).exists():
        print(f"exporting it to the record lake {lake} (once) …", flush=True)
        store = open_store(store_path, read_only=True)
        try:
            export_lake(store.conn, lake, source=str(store_path), overwrite=True)
        finally:
            store.close()
    return store_path, lake


def rows_read(lake: Path, statements: list[str]) -> int:
    """Rows of the record tables the statements read (a table read twice counts twice)."""
    from yigai.records.lake import read_manifest

    counts = {n: int(t["rows"]) for n, t in read_manifest(lake)["tables"].items()}
    total = 0
    for sql in statements:
        words = {w.strip("(),") for w in sql.split()}
        total += sum(n for t, n in counts.items() if t in words)
    return total


def measure_one(engine: str, preset: str) -> dict[str, object]:
    """In this (child) process: the full catalogue on ``engine`` over ``preset``."""
    import duckdb

    from yigai.analytics.catalogue import load_catalogue
    from yigai.analytics.engine import compute, periods_within

    store_path, lake = prepare(preset)
    indicators = list(load_catalogue().indicators.values())
    periods = periods_within(str(YEAR))
    out: dict[str, object] = {"engine": engine, "preset": preset}
    if engine == "duckdb":
        # the partial sums are made at load (yigai records load); made here once if the cached store
        # predates them, and timed: they are what the load adds so that compute reads, not scans
        from yigai.analytics import materialised

        con = duckdb.connect(str(store_path))
        if materialised.reader(con) is None:
            started = time.perf_counter()
            materialised.refresh(con)
            out["partials_seconds"] = time.perf_counter() - started
        con.close()
    with PeakSampler() as sampler:
        if engine in ("duckdb", "duckdb-scan"):
            con = duckdb.connect(str(store_path), read_only=True)
            started = time.perf_counter()
            comp = compute(con, indicators, periods, use_materialised=engine == "duckdb")
            out["seconds"] = time.perf_counter() - started
            con.close()
        else:
            from yigai.analytics.spark import open_lake, start_session

            started = time.perf_counter()
            session = start_session(SPARK_MASTER, SPARK_CONF, app_name="yigai scale benchmark")
            with open_lake(lake, session=session) as records:
                out["start_seconds"] = time.perf_counter() - started
                started = time.perf_counter()
                comp = compute(records, indicators, periods)
                out["seconds"] = time.perf_counter() - started
            session.stop()
    out["peak_mib"] = sampler.peak
    out["values"] = len(comp.results)
    out["rows_read"] = rows_read(lake, [sql for sql, _ in comp.statements])
    out["lake_rows"] = sum(rows for rows in _lake_rows(lake).values())
    return out


def _lake_rows(lake: Path) -> dict[str, int]:
    from yigai.records.lake import read_manifest

    return {n: int(t["rows"]) for n, t in read_manifest(lake)["tables"].items()}


def lake_bytes_per_row(lake: Path) -> dict[str, float]:
    rows = _lake_rows(lake)
    return {
        name: sum(f.stat().st_size for f in (lake / name).rglob("*.parquet")) / max(n, 1) for name, n in rows.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--presets", default="small,district,city")
    parser.add_argument("--engines", default="duckdb,duckdb-scan,spark")
    parser.add_argument("--one", nargs=2, metavar=("ENGINE", "PRESET"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print("RESULT " + json.dumps(measure_one(*args.one)), flush=True)
        return 0
    presets = [p for p in args.presets.split(",") if p]
    engines = [e for e in args.engines.split(",") if e]
    results: list[dict] = []
    for preset in presets:
        prepare(preset)
        for engine in engines:
            proc = subprocess.run(
                [sys.executable, __file__, "--one", engine, preset],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "PYSPARK_PYTHON": sys.executable},
            )
            line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
            if proc.returncode or not line:
                print(f"{engine} {preset} failed:\n{proc.stderr[-3000:]}", flush=True)
                return 1
            r = json.loads(line[0][7:])
            results.append(r)
            print(f"{engine} {preset}: {r['seconds']:.2f} s", flush=True)
    # reading the partial sums covers the records the scan reads: rows/s is of the records covered
    scanned = {r["preset"]: r["rows_read"] for r in results if r["engine"] != "duckdb"}
    for r in results:
        if r["engine"] == "duckdb" and r["preset"] in scanned:
            r["rows_read"] = scanned[r["preset"]]
    print()
    for r in results:
        extra = f" (+ {r['start_seconds']:.1f} s session start)" if "start_seconds" in r else ""
        if "partials_seconds" in r:
            extra = f" (the partial sums made at load: {r['partials_seconds']:.1f} s)"
        rate = f"{r['rows_read'] / r['seconds'] / 1e6:6.2f} M rows/s" if r["rows_read"] else ""
        print(
            f"{r['engine']:11s} {r['preset']:9s} {r['seconds']:8.2f} s  {r['rows_read']:>12,} rows  {rate}  "
            f"peak {r['peak_mib']:,.0f} MiB  {r['values']:,} values{extra}",
            flush=True,
        )
    print("\ngrowth from one preset to the next (time should grow no faster than rows):")
    for engine in engines:
        mine = [r for r in results if r["engine"] == engine]
        for a, b in itertools.pairwise(mine):
            print(
                f"{engine:11s} {a['preset']} → {b['preset']}: rows ×{b['rows_read'] / max(a['rows_read'], 1):.2f}, "
                f"time ×{b['seconds'] / a['seconds']:.2f}, peak memory ×{b['peak_mib'] / a['peak_mib']:.2f}"
            )
    for preset in presets:
        lake = CACHE / f"lake-{preset}-{YEAR}-{SEED}"
        per_row = lake_bytes_per_row(lake)
        total = sum(f.stat().st_size for f in lake.rglob("*.parquet"))
        print(
            f"\nlake {preset}: {total / 2**20:,.1f} MiB; bytes per row: "
            + ", ".join(f"{n} {b:.1f}" for n, b in per_row.items())
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
