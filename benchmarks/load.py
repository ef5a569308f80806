"""Load and soak: the server on PostgreSQL under 200 clients in the quarter-end pattern.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/load.py``). It starts a private
PostgreSQL server (``yigai.storage.local_postgres``: Debian's binaries, a Unix socket in a
temporary directory), builds the demo district in it, starts ``yigai serve`` on that database
(``--workers``, default 2) on a free loopback port and drives ``--clients`` (default 200) signed-in
clients for ``--seconds`` (default 600) in the pattern of the day everyone reports: mostly
report saves by the 区卫生健康委 reporters (each a new version of a draft) and the office's
dashboard, then report and plan reads.

Prints throughput, p50/p95/p99/max per route and errors, and the server's resident memory
(all its processes) after the warm-up minute and at the end. Targets: no errors, p95 under
300 ms on every route, memory growth under 10 % over the soak.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console

import web
from yigai.settings import Settings
from yigai.storage.local_postgres import create_database, postgres_bin, running_postgres

P95_MS = 300.0
GROWTH_LIMIT = 0.10
WARM_UP_S = 60.0
PLAN = web.PLAN
# the quarter-end mix: saves and the dashboard dominate
MIX = {
    "POST /api/v1/plans/5/reports/{item}/{period} (save)": ("write", 35),
    "GET / (dashboard)": ("page", 25),
    "GET /api/v1/plans/5/reports/{item}/{period}": ("api", 15),
    "GET /plans/5/tasks/{item}": ("page", 10),
    "GET /api/v1/plans/5/items": ("api", 8),
    "GET /api/v1/plans": ("api", 7),
}


class QuarterEndClient(web.Client):
    """A reporter saves drafts of the items 区卫生健康委 leads; the office and leaders read."""

    def next_request(self) -> tuple[str, str, str, dict[str, object] | None]:
        labels = [k for k in MIX if MIX[k][0] != "write" or self.username == "wjw"]
        label = self.rng.choices(labels, weights=[MIX[k][1] for k in labels])[0]
        period = self.rng.choice(self.demo.open_periods or self.demo.periods)
        if label.startswith("POST"):
            item = self.rng.choice(self.demo.health_items)
            body = self.save_body(
                item,
                period,
                {
                    "department": web.HEALTH,
                    "status": "推进中",
                    "percent": self.rng.randint(10, 90),
                    "narrative": "季末集中填报：按计划推进。",
                    "submit": False,
                },
            )
            return label, "POST", f"/api/v1/plans/{PLAN}/reports/{item}/{period}", body
        item = self.rng.choice(self.demo.items)
        url = label.split(" ", 1)[1].split(" (")[0].replace("{item}", item).replace("{period}", period)
        if label.startswith("GET / "):
            url = f"/?plan={PLAN}"
        return label, "GET", url, None


async def drive(base: str, demo: web.Demo, clients: int, seconds: float, seed: int, think: float) -> web.Run:
    rng = random.Random(seed)
    users = ["wjw", "wjw", "admin", "leader"]  # half of the crowd are reporters
    crowd = [
        QuarterEndClient(base, users[n % len(users)], demo, random.Random(rng.random()), []) for n in range(clients)
    ]
    for client in crowd:
        await client.sign_in()
    run = web.Run(seconds)
    until = time.perf_counter() + seconds
    await asyncio.gather(*(c.loop(run, until, think) for c in crowd))
    for client in crowd:
        await client.close()
    return run


def _rss_kib(root_pid: int) -> int:
    """Resident memory of the server and its worker processes (Linux /proc)."""
    pids = [root_pid]
    children = Path(f"/proc/{root_pid}/task/{root_pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            total += next(
                (int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmRSS:")), 0
            )
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=600.0, help="length of the soak")
    parser.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="mean pause of a person between two requests, in seconds (reading, typing)",
    )
    parser.add_argument("--workers", type=int, default=2, help="server processes (yigai serve --workers)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    parser.add_argument(
        "--probe",
        type=Path,
        metavar="DIR",
        help="sample each server worker's heap into DIR every 30 s (benchmarks/heap_probe)",
    )
    args = parser.parse_args(argv)
    if args.probe:  # the server inherits the environment: its workers import heap_probe/sitecustomize.py
        args.probe.mkdir(parents=True, exist_ok=True)
        probe = Path(__file__).resolve().with_name("heap_probe")
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(probe), os.environ.get("PYTHONPATH")]))
        os.environ["YIGAI_PROBE_DIR"] = str(args.probe.resolve())
    console = Console(width=150)
    web.MIX.update(MIX)  # the tables label and classify routes by this mix
    bindir = postgres_bin()
    if bindir is None:
        console.print("[red]PostgreSQL is not installed[/] (apt-get install postgresql)")
        return 1
    base_dir = Path(tempfile.mkdtemp(prefix="yigai-bench-load-"))
    pg_dir = Path(tempfile.mkdtemp(prefix="yigai-bench-pg-"))  # its own top folder: the server user owns it
    try:
        with running_postgres(pg_dir, bindir, max_connections=200) as dsn:
            url = create_database(dsn, "yigai")
            folder = base_dir / "var"
            started = time.perf_counter()
            demo = web.prepare(folder, Settings.from_env({}, data_dir=folder, database_url=url))
            console.print(
                f"demo built on PostgreSQL in {time.perf_counter() - started:.1f} s: plan {PLAN}, "
                f"{len(demo.items)} items, {len(demo.health_items)} led by {web.HEALTH}"
            )
            port = web._free_port()
            server = web.start_server(folder, port, args.workers, url)
            samples: dict[str, int] = {}
            series: list[tuple[float, int]] = []
            done = threading.Event()

            def sample_memory() -> None:
                begun = time.perf_counter()
                warm_up = min(WARM_UP_S, args.seconds / 4)
                while not done.wait(min(30.0, warm_up)):
                    at = time.perf_counter() - begun
                    series.append((at, _rss_kib(server.pid)))
                    if "start" not in samples and at >= warm_up:
                        samples["start"] = series[-1][1]

            sampler = threading.Thread(target=sample_memory, daemon=True)
            try:
                sampler.start()
                run = asyncio.run(
                    drive(f"http://127.0.0.1:{port}", demo, args.clients, args.seconds, args.seed, args.think)
                )
                samples["end"] = _rss_kib(server.pid)
            finally:
                done.set()
                log_tail = web.server_log(folder)
                web.stop_server(server)
    finally:
        shutil.rmtree(base_dir, ignore_errors=True)
        shutil.rmtree(pg_dir, ignore_errors=True)

    stats = web.figures(run)
    console.print(web.table(f"soak, {args.clients} clients on PostgreSQL, {args.workers} workers", run, stats))
    start_mib, end_mib = samples.get("start", 0) / 1024, samples.get("end", 0) / 1024
    growth = (end_mib / start_mib - 1) if start_mib else float("nan")
    console.print(
        f"server memory (all processes): {start_mib:.0f} MiB after warm-up, {end_mib:.0f} MiB at the end "
        f"({growth:+.1%}); every 30 s: " + ", ".join(f"{kib / 1024:.0f}" for _, kib in series)
    )
    misses = [
        f"{label}: p95 {s['p95_ms']:.0f} ms (target < {P95_MS:.0f} ms)"
        for label, s in stats.items()
        if s["p95_ms"] >= P95_MS
    ]
    errors = sum(run.errors.values())
    if errors:
        misses.append(f"{errors} errors, e.g. {'; '.join(run.error_samples[:3])}")
        console.print(f"the server's log ends with:\n{log_tail}")
    if not growth < GROWTH_LIMIT:
        misses.append(f"memory grew {growth:+.1%} (target < {GROWTH_LIMIT:.0%})")
    for line in misses:
        console.print(f"[red]target missed[/]: {line}")
    if not misses:
        console.print(
            f"[green]targets met[/]: no errors, p95 < {P95_MS:.0f} ms on every route, "
            f"memory growth < {GROWTH_LIMIT:.0%}"
        )
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
