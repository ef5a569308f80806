"""Web benchmark: the demo server under a bounded load of concurrent clients on loopback.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/web.py``). It builds the demo
district in a temporary folder (``yigai demo --no-serve``), starts the real server on it
(``yigai serve`` in a subprocess, one uvicorn worker, on a free loopback port), signs the
clients in (office, 区卫生健康委 reporters, viewers), and then drives two closed-loop runs,
each client sending its next request as soon as the previous one is answered:

* baseline: one client for ``--baseline-seconds`` (default 5 s): the unloaded latency;
* load: ``--clients`` clients (default 50) for ``--seconds`` (default 30 s), mixing the
  dashboard, the plan page, task pages, the review desk and its count (the office), the to-do (a
  reporter), API reads and report submissions (each a new
  report submitted by a 区卫生健康委 reporter for an item and period not reported yet).

It prints the throughput, p50/p95/p99/max per route and the error count (a status other
than 2xx, or a failed request) of each run, the server's peak resident memory, and checks
the targets under load: p95 under 200 ms for pages and under 100 ms for API reads, no errors.
The request mix is seeded, so every run asks for the same sequence.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich import box
from rich.console import Console
from rich.table import Table

from yigai.bootstrap import build
from yigai.clock import now
from yigai.domain.periods import PeriodType, period_containing
from yigai.services.demo import DEMO_DATABASE, DEMO_USERS, build_demo, demo_settings
from yigai.services.items import report_items
from yigai.services.plans import get_plan
from yigai.settings import Settings
from yigai.storage.evidence_store import EvidenceStore

PAGE_P95_MS, API_P95_MS = 200.0, 100.0
PLAN = 5  # the 仓山区 plan: the richest history
HEALTH = "区卫生健康委"
PASSWORDS = {u.username: u.password for u in DEMO_USERS}
# route label → (kind, weight); the kinds are checked against their own target
MIX = {
    "GET / (dashboard)": ("page", 12),
    "GET /plans/5": ("page", 12),
    "GET /plans/5/tasks/{item}": ("page", 22),
    "GET /api/v1/plans": ("api", 10),
    "GET /api/v1/plans/5": ("api", 10),
    "GET /api/v1/plans/5/items": ("api", 8),
    "GET /api/v1/plans/5/reports/{item}/{period}": ("api", 16),
    "POST /api/v1/plans/5/reports/{item}/{period}": ("write", 10),
    "GET /review (review desk)": ("page", 6),
    "GET /workspace (to-do)": ("page", 6),
    "GET /api/v1/review/count": ("api", 4),
}
# routes only some users ask for: the office reviews, a reporter works from its to-do
ONLY = {
    "GET /review (review desk)": {"admin"},
    "GET /api/v1/review/count": {"admin"},
    "GET /workspace (to-do)": {"wjw"},
}


@dataclass
class Demo:
    items: list[str]  # every reportable item of plan 5
    health_items: list[str]  # those 区卫生健康委 leads
    periods: list[str]  # the schedule's periods
    open_periods: list[str]  # the current period and those after it (nothing submitted there yet)
    # (item, period) → current report version: what a save names as base_version (the clients keep it current)
    versions: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class Run:
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    server_cpu_s: float | None = None  # the server's CPU time over the run, sign-ins excluded
    load_before: float = 0.0  # the machine's 1-minute load average as the run began

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(folder: Path, settings: Settings | None = None) -> Demo:
    with build(settings or demo_settings(folder)) as app:
        build_demo(app.uow, EvidenceStore(app.settings.evidence_dir))
        draft = get_plan(app.uow(), PLAN).draft
        with app.uow() as uow:
            schedule = uow.reports.schedule(PLAN)
            versions: dict[tuple[str, str], int] = {}
            for r in uow.reports.for_plan(PLAN):
                versions[(r.item_id, r.period_id)] = max(r.version, versions.get((r.item_id, r.period_id), 0))
    assert schedule is not None
    items = report_items(draft)
    current = period_containing(PeriodType.QUARTERLY, now().date())
    periods = [p.id for p in schedule.periods]
    return Demo(
        [i.item_id for i in items],
        [i.item_id for i in items if HEALTH in i.lead],
        periods,
        [p for p in periods if p >= current.id],
        versions,
    )


def start_server(folder: Path, port: int, workers: int, database_url: str | None = None) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "YIGAI_DATA_DIR": str(folder),
        "YIGAI_DATABASE_URL": database_url or f"sqlite:///{(folder / DEMO_DATABASE).as_posix()}",
    }
    command = [
        sys.executable,
        "-c",
        "from yigai.cli.main import app; app()",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    # the server's messages go to a file: a pipe nobody reads would fill up and stall a long run
    log = open(folder / "server.log", "w", encoding="utf-8")  # noqa: SIM115 — closed with the process
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
            return process
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.communicate()
                raise RuntimeError(f"the server did not start: {server_log(folder)}") from None
            time.sleep(0.2)


def server_log(folder: Path, lines: int = 20) -> str:
    """The last lines the server wrote to its log."""
    path = folder / "server.log"
    return "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _peak_kib(pid: int) -> int | None:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return None
    return next((int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmHWM:")), None)


def _server_pids(process: subprocess.Popen[str]) -> list[int]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [process.pid, *(int(p) for p in children.read_text().split())] if children.exists() else [process.pid]


def server_cpu_s(process: subprocess.Popen[str]) -> float | None:
    """CPU seconds (user + system) the server's processes have used so far (Linux), else None.

    Per request it says what the server costs whatever else the machine runs: the latencies do
    not, since clients and server share the cores.
    """
    total, ticks = 0, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for pid in _server_pids(process):
        stat = Path(f"/proc/{pid}/stat")
        if not stat.exists():
            return None
        fields = stat.read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of proc(5)
    return total / ticks


def stop_server(process: subprocess.Popen[str]) -> int | None:
    """Ctrl-C the server; returns the peak resident memory (KiB, Linux) of its largest process, read just before."""
    peaks = [k for k in map(_peak_kib, _server_pids(process)) if k is not None]
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
    return max(peaks) if peaks else None


class Client:
    """One signed-in user sending requests one after another."""

    def __init__(self, base: str, username: str, demo: Demo, rng: random.Random, pool: list[tuple[str, str]]) -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False)
        self.username, self.demo, self.rng, self.pool = username, demo, rng, pool
        self.csrf = ""
        self.saving: tuple[str, str] | None = None  # the report the pending write saves

    def save_body(self, item: str, period: str, body: dict[str, object]) -> dict[str, object]:
        """A save names the version it edits, as the pages and every API client do."""
        self.saving = (item, period)
        return {**body, "base_version": self.demo.versions.get((item, period), 0)}

    def learn(self, response: httpx.Response) -> None:
        """The report's version after a save (201), or the newer one a stale save was shown (409)."""
        if self.saving is None or response.status_code not in (201, 409):
            return
        data = response.json()
        report = data if response.status_code == 201 else data["error"].get("current") or {}
        if "version" in report:
            self.demo.versions[self.saving] = max(report["version"], self.demo.versions.get(self.saving, 0))
        self.saving = None

    async def sign_in(self) -> None:
        response = await self.http.post(
            "/api/v1/auth/login", json={"username": self.username, "password": PASSWORDS[self.username]}
        )
        response.raise_for_status()
        self.csrf = response.json()["csrf_token"]

    def next_request(self) -> tuple[str, str, str, dict[str, object] | None]:
        """(route label, method, url, json body) — a write only for a reporter with something left to report."""
        labels = [
            k
            for k in MIX
            if (MIX[k][0] != "write" or (self.username == "wjw" and self.pool))
            and (k not in ONLY or self.username in ONLY[k])
        ]
        label = self.rng.choices(labels, weights=[MIX[k][1] for k in labels])[0]
        item = self.rng.choice(self.demo.items)
        period = self.rng.choice(self.demo.periods)
        if label.startswith("POST"):
            item, period = self.pool.pop()
            body = self.save_body(
                item,
                period,
                {
                    "department": HEALTH,
                    "status": "推进中",
                    "percent": 50,
                    "narrative": "压力测试：按计划推进。",
                    "submit": True,
                },
            )
            return label, "POST", f"/api/v1/plans/{PLAN}/reports/{item}/{period}", body
        url = label.split(" ", 1)[1].split(" (")[0].replace("{item}", item).replace("{period}", period)
        if label.startswith("GET / "):
            url = f"/?plan={PLAN}"
        return label, "GET", url, None

    async def loop(self, run: Run, until: float, think: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, think))  # the clients do not all start at once
        while time.perf_counter() < until:
            label, method, url, body = self.next_request()
            start = time.perf_counter()
            try:
                response = await self.http.request(
                    method, url, json=body, headers={"X-CSRF-Token": self.csrf} if body else None
                )
                ok = 200 <= response.status_code < 300
                self.learn(response)
                detail = f"{response.status_code} {response.text[:160]!r}"
            except httpx.HTTPError as exc:
                ok, detail = False, repr(exc)
            elapsed = time.perf_counter() - start
            run.latencies[label].append(elapsed)
            if not ok:
                run.errors[label] += 1
                if len(run.error_samples) < 5:
                    run.error_samples.append(f"{method} {url}: {detail}")
            if think:
                await asyncio.sleep(self.rng.uniform(0.5 * think, 1.5 * think))

    async def close(self) -> None:
        await self.http.aclose()


async def drive(
    base: str,
    demo: Demo,
    clients: int,
    seconds: float,
    seed: int,
    think: float,
    cpu: Callable[[], float | None] = lambda: None,
) -> Run:
    """The closed-loop run; ``cpu`` (the server's CPU seconds so far) is read after the sign-ins and at the end."""
    rng = random.Random(seed)
    pool = [(i, p) for p in demo.open_periods for i in demo.health_items]
    rng.shuffle(pool)
    users = ["admin", "wjw", "leader"]
    crowd = [Client(base, users[n % len(users)], demo, random.Random(rng.random()), pool) for n in range(clients)]
    for client in crowd:  # sign-ins are not timed (argon2 is meant to be slow)
        await client.sign_in()
    run = Run(seconds)
    run.load_before, cpu_before = os.getloadavg()[0], cpu()
    until = time.perf_counter() + seconds
    await asyncio.gather(*(c.loop(run, until, think) for c in crowd))
    cpu_after = cpu()
    if cpu_before is not None and cpu_after is not None:
        run.server_cpu_s = cpu_after - cpu_before
    for client in crowd:
        await client.close()
    return run


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def figures(run: Run) -> dict[str, dict[str, float]]:
    out = {}
    for label in MIX:
        values = run.latencies.get(label, [])
        if values:
            out[label] = {
                "count": len(values),
                "per_s": len(values) / run.seconds,
                "p50_ms": 1000 * statistics.median(values),
                "p95_ms": 1000 * quantile(values, 0.95),
                "p99_ms": 1000 * quantile(values, 0.99),
                "max_ms": 1000 * max(values),
                "errors": run.errors.get(label, 0),
            }
    return out


def table(title: str, run: Run, stats: dict[str, dict[str, float]]) -> Table:
    out = Table(
        title=f"{title}: {run.requests} requests in {run.seconds:.0f} s, "
        f"{run.requests / run.seconds:.1f} req/s, {sum(run.errors.values())} errors",
        box=box.SIMPLE_HEAVY,
    )
    for name in ("route", "kind", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"):
        out.add_column(name, justify="left" if name in ("route", "kind") else "right")
    for label, s in stats.items():
        out.add_row(
            label,
            MIX[label][0],
            f"{s['count']:.0f}",
            f"{s['per_s']:.1f}",
            f"{s['p50_ms']:.1f}",
            f"{s['p95_ms']:.1f}",
            f"{s['p99_ms']:.1f}",
            f"{s['max_ms']:.1f}",
            f"{s['errors']:.0f}",
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the loaded run")
    parser.add_argument("--baseline-seconds", type=float, default=5.0, help="length of the one-client run")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause of a loaded client between its requests, in seconds (0: none)",
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes (yigai serve --workers)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    console = Console(width=150)

    with tempfile.TemporaryDirectory(prefix="yigai-bench-web-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        demo = prepare(folder)
        console.print(
            f"demo built in {time.perf_counter() - started:.1f} s: plan {PLAN} with {len(demo.items)} items, "
            f"{len(demo.open_periods)} open periods"
        )
        port = _free_port()
        server = start_server(folder, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            baseline = asyncio.run(drive(base, demo, 1, args.baseline_seconds, args.seed, 0.0))
            loaded = asyncio.run(
                drive(base, demo, args.clients, args.seconds, args.seed + 1, args.think, lambda: server_cpu_s(server))
            )
        finally:
            peak_kib = stop_server(server)

    base_stats, load_stats = figures(baseline), figures(loaded)
    console.print(table("baseline, 1 client", baseline, base_stats))
    console.print(table(f"load, {args.clients} clients", loaded, load_stats))
    if peak_kib is not None:
        console.print(f"server peak resident memory (VmHWM, largest process): {peak_kib / 1024:.0f} MiB")
    server_ms = None
    if loaded.server_cpu_s is not None and loaded.requests:
        server_ms = 1000 * loaded.server_cpu_s / loaded.requests
        console.print(
            f"server CPU under load: {loaded.server_cpu_s:.1f} s for {loaded.requests} requests "
            f"({server_ms:.1f} ms a request); machine load average {loaded.load_before:.2f} as the "
            f"loaded run began"
        )
    misses = []
    for label, s in load_stats.items():
        kind = MIX[label][0]
        limit = PAGE_P95_MS if kind == "page" else API_P95_MS if kind == "api" else None
        if limit is not None and s["p95_ms"] >= limit:
            misses.append(f"{label}: p95 {s['p95_ms']:.0f} ms (target < {limit:.0f} ms)")
    errors = sum(loaded.errors.values()) + sum(baseline.errors.values())
    if errors:
        misses.append(f"{errors} errors, e.g. {'; '.join((baseline.error_samples + loaded.error_samples)[:3])}")
    for line in misses:
        console.print(f"[red]target missed[/]: {line}")
    if not misses:
        console.print(
            f"[green]targets met[/]: p95 < {PAGE_P95_MS:.0f} ms pages, < {API_P95_MS:.0f} ms API reads, no errors"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": {
                        "cpus": os.cpu_count(),
                        "python": platform.python_version(),
                        "system": platform.system(),
                    },
                    "clients": args.clients,
                    "seconds": args.seconds,
                    "baseline": base_stats,
                    "load": load_stats,
                    "throughput": {
                        "baseline": baseline.requests / baseline.seconds,
                        "load": loaded.requests / loaded.seconds,
                    },
                    "errors": errors,
                    "server_cpu_ms_per_request": server_ms,
                    "server_peak_rss_mib": None if peak_kib is None else peak_kib / 1024,
                    "misses": misses,
                },
                ensure_ascii=False,
                indent=2,
            ),
            "utf-8",
        )
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    sys.exit(main())
