"""Command-line start-up: wall time of ``yigai --help`` and ``yigai parse`` of seed 000, against a baseline.

Run with ``.venv/bin/python benchmarks/cli_start.py`` (``--baseline REV``: the git revision to
compare with, default f6146d8, the last one that imported SQLAlchemy, Alembic and openpyxl before
knowing the command). It prints, for this tree and for the baseline's ``src`` (extracted with
``git archive`` into a temporary folder, run by the same interpreter, alternately with this tree),
the median and the best of ``--runs`` runs of each command, the CPU time of the median run, and
the load average before and after: the targets (``--help`` under 0.4 s, ``parse`` under 0.6 s wall)
are for an idle machine, and a busy one stretches wall time far more than CPU time.

Each run is a fresh process, as a user typing the command starts one; ``python -c pass`` is the floor.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "src" / "yigai" / "data" / "seeds" / "000_d359bff5a27b31b6.txt"
ENTRY = "import sys; from yigai.cli.main import app; sys.argv[0] = 'yigai'; sys.exit(app())"
TARGETS = {"yigai --help": 0.4, "yigai parse 000": 0.6}


def commands() -> dict[str, list[str]]:
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "yigai --help": [sys.executable, "-c", ENTRY, "--help"],
        "yigai parse 000": [sys.executable, "-c", ENTRY, "parse", str(SEED_000)],
    }


def timed(argv: list[str], src: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``argv`` with ``src`` first on the import path."""
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "120"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[-2:])} failed: {done.stderr.decode(errors='replace')[-400:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def baseline_src(rev: str, folder: Path) -> Path:
    """The ``src`` folder of ``rev``, extracted from git."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", default="f6146d8", help="git revision to compare with ('' for none)")
    args = parser.parse_args()
    trees = {"this tree": ROOT / "src"}
    with tempfile.TemporaryDirectory() as tmp:
        if args.baseline:
            try:
                trees[f"baseline {args.baseline}"] = baseline_src(args.baseline, Path(tmp))
            except (OSError, subprocess.CalledProcessError):
                print(f"no baseline: revision {args.baseline} is not in a git checkout here", file=sys.stderr)
        load_before = os.getloadavg()
        samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for name, argv in commands().items():
            for src in trees.values():
                timed(argv, src)  # warm the file cache and the .pyc files
            for _ in range(args.runs):
                for tree, src in trees.items():  # alternately, so that load changes hit both alike
                    samples.setdefault((name, tree), []).append(timed(argv, src))
        load_after = os.getloadavg()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average before "
        f"{load_before[0]:.2f} / after {load_after[0]:.2f}; {args.runs} runs each"
    )
    print(f"{'command':<18} {'tree':<18} {'median s':>9} {'best s':>8} {'CPU s':>7}  target")
    for (name, tree), runs in samples.items():
        walls = sorted(w for w, _ in runs)
        median = statistics.median(walls)
        cpu = sorted(runs)[len(runs) // 2][1]
        target = TARGETS.get(name)
        verdict = (
            ""
            if target is None or tree != "this tree"
            else (f"< {target} s: {'met' if median < target else 'missed'} (median)")
        )
        print(f"{name:<18} {tree:<18} {median:>9.3f} {walls[0]:>8.3f} {cpu:>7.3f}  {verdict}")


if __name__ == "__main__":
    main()
