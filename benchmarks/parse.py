"""Parser benchmark: in-process time of ``yigai.parsing.parse_text`` on the seeds.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/parse.py``). It prints

* per seed: characters, UTF-8 bytes, median time in ms and throughput in MB/s;
* the total for all five seeds (target: under 300 ms);
* linearity: the five seeds concatenated ten times, against ten times one pass
  over the five-seed concatenation (target: ratio at most 1.2);
* the peak Python memory (tracemalloc) while parsing the 10x document.

Files are read and decoded before timing starts, so only parsing is measured.
Each figure is the median of several runs after a warm-up run; the garbage
collector runs between runs, not during the timed call's set-up.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from yigai.data import seed_paths
from yigai.parsing import parse_text
from yigai.parsing.extract import read_document

TOTAL_TARGET_MS = 300.0
LINEARITY_TARGET = 1.2
SCALE = 10
SEPARATOR = "\n\n"


@dataclass(frozen=True, slots=True)
class Timing:
    """Median and spread of repeated runs, in milliseconds."""

    name: str
    chars: int
    utf8_bytes: int
    median_ms: float
    min_ms: float
    max_ms: float
    runs: int

    @property
    def mb_per_s(self) -> float:
        return self.utf8_bytes / 1e6 / (self.median_ms / 1e3) if self.median_ms else float("inf")


def time_parse(name: str, text: str, *, runs: int, warmup: int = 1, min_seconds: float = 0.3) -> Timing:
    """Median of at least ``runs`` timed calls after ``warmup`` untimed ones (caches,
    imports, compiled regexes); fast documents get more runs, up to ``min_seconds``
    of timed work or 200 runs, so that timer noise does not dominate."""
    parse = _parser(name)
    for _ in range(warmup):
        parse(text)
    samples: list[float] = []
    while len(samples) < runs or (sum(samples) < min_seconds * 1e3 and len(samples) < 200):
        gc.collect()
        start = time.perf_counter()
        parse(text)
        samples.append((time.perf_counter() - start) * 1e3)
    return Timing(
        name=name,
        chars=len(text),
        utf8_bytes=len(text.encode("utf-8", "surrogatepass")),
        median_ms=statistics.median(samples),
        min_ms=min(samples),
        max_ms=max(samples),
        runs=len(samples),
    )


def _parser(name: str) -> Callable[[str], object]:
    def parse(text: str) -> object:
        return parse_text(text, source_name=name)

    return parse


def peak_memory_mib(name: str, text: str) -> float:
    """Peak traced allocation while parsing once (tracemalloc slows the run; not timed)."""
    gc.collect()
    tracemalloc.start()
    try:
        parse_text(text, source_name=name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=9, help="timed runs per seed (median reported)")
    parser.add_argument("--big-runs", type=int, default=5, help="timed runs for the concatenated documents")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    console = Console()
    seeds = [(path.stem, read_document(path).text) for path in seed_paths()]

    per_seed = [time_parse(name, text, runs=args.runs) for name, text in seeds]
    total_ms = sum(t.median_ms for t in per_seed)
    total_bytes = sum(t.utf8_bytes for t in per_seed)

    one_pass_text = SEPARATOR.join(text for _, text in seeds)
    big_text = SEPARATOR.join([one_pass_text] * SCALE)
    one_pass = time_parse("five seeds ×1", one_pass_text, runs=args.big_runs)
    big = time_parse(f"five seeds ×{SCALE}", big_text, runs=args.big_runs)
    linear_ms = SCALE * one_pass.median_ms
    ratio = big.median_ms / linear_ms if linear_ms else float("inf")
    peak_mib = peak_memory_mib(big.name, big_text)

    table = Table(title="yigai.parsing.parse_text — median of runs after warm-up", box=box.SIMPLE_HEAD)
    table.add_column("document", no_wrap=True)
    for column in ("UTF-8 KB", "median ms", "min ms", "max ms", "runs", "MB/s"):
        table.add_column(column, justify="right")
    for t in [*per_seed, one_pass, big]:
        if t is one_pass:
            table.add_section()
        table.add_row(
            t.name,
            f"{t.utf8_bytes / 1000:,.1f}",
            f"{t.median_ms:,.2f}",
            f"{t.min_ms:,.2f}",
            f"{t.max_ms:,.2f}",
            str(t.runs),
            f"{t.mb_per_s:,.1f}",
        )
    console.print(table)

    total_ok = total_ms < TOTAL_TARGET_MS
    linear_ok = ratio <= LINEARITY_TARGET
    total_rate = total_bytes / 1e6 / (total_ms / 1e3) if total_ms else float("inf")
    console.print(
        f"total, five seeds: {total_ms:,.2f} ms ({total_bytes / 1000:,.1f} KB, {total_rate:,.2f} MB/s)"
        f"  target < {TOTAL_TARGET_MS:.0f} ms: {_verdict(total_ok)}"
    )
    console.print(
        f"linearity: ×{SCALE} document {big.median_ms:,.2f} ms / ({SCALE} × {one_pass.median_ms:,.2f} ms)"
        f" = {ratio:.3f}  target ≤ {LINEARITY_TARGET}: {_verdict(linear_ok)}"
    )
    console.print(
        f"peak memory (tracemalloc), ×{SCALE} document of {big.utf8_bytes / 1e6:,.2f} MB: {peak_mib:,.1f} MiB"
    )
    console.print(f"[dim]Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs[/dim]")

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "per_seed": [asdict(t) | {"mb_per_s": t.mb_per_s} for t in per_seed],
                    "total_ms": total_ms,
                    "one_pass": asdict(one_pass),
                    "scaled": asdict(big),
                    "linearity_ratio": ratio,
                    "peak_mib": peak_mib,
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                },
                indent=2,
            )
        )
    return 0 if (total_ok and linear_ok) or not args.check else 1


def _verdict(ok: bool) -> str:
    return "[green]met[/green]" if ok else "[red]missed[/red]"


if __name__ == "__main__":
    sys.exit(main())
