"""Evaluation benchmark: ``yigai.evaluation.evaluate`` over a synthetic portfolio of plans.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/evaluation.py``). It builds, in
memory and before any timing, a portfolio of 100 plans, each with 50 tasks, 20 quarterly
periods (2021Q1-2025Q4) of progress reports (about one in ten item × period has several
versions: returned and resubmitted, or a draft over a submission; one in ten is missing;
some are late) and 30 targets with a 20-point indicator series, and prints

* the time to evaluate the whole portfolio (median of several runs after a warm-up;
  target: under 2 s);
* linearity: the first 10 plans timed the same way, against a tenth of the portfolio time
  (ratio = time(100 plans) / (10 × time(10 plans)); 1.0 is perfectly linear);
* the peak Python memory (tracemalloc) of evaluating the whole portfolio, in a separate
  untimed run, and the traced size of the inputs themselves.

The generator is seeded, so every run evaluates the same portfolio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from yigai.domain.indicators import Direction
from yigai.domain.periods import Period, periods_between
from yigai.domain.plan import (
    Comparator,
    Deadline,
    DeadlineKind,
    DepartmentRef,
    Measure,
    PlanDraft,
    PlanMeta,
    Responsibility,
    Task,
)
from yigai.domain.reports import ProgressReport, ProgressStatus, ReviewState
from yigai.evaluation import evaluate
from yigai.evaluation.results import EvaluationInput, ItemStatus, Observation, PlanEvaluation, TargetInput

TOTAL_TARGET_S = 2.0
BASELINE_PLANS = 10
FIRST_PERIOD, LAST_PERIOD = "2021Q1", "2025Q4"
AT = dt.date(2026, 1, 31)  # every period has ended and its reports are due
DEPARTMENTS = [
    "区卫健局",
    "区医保局",
    "区财政局",
    "区人社局",
    "区市场监管局",
    "区委编办",
    "区发改局",
    "区民政局",
    "区教育局",
    "区大数据中心",
    "区妇联",
    "各镇街（园区）",
]
SECTIONS = [
    "构建公共卫生体系",
    "构建分级诊疗体系",
    "构建医疗保障体系",
    "构建基层卫生服务体系",
    "构建综合监管体系",
    "构建药品供应保障体系",
]
KINDS = (
    [DeadlineKind.CONTINUOUS] * 4
    + [DeadlineKind.DATE] * 2
    + [DeadlineKind.BY_SCHEDULE] * 2
    + [DeadlineKind.BY_SUPERIORS] * 2
)
COMPARATORS = [Comparator.GE, Comparator.GE, Comparator.LE, Comparator.APPROX, Comparator.RANGE, Comparator.EQ]


def _lead(rng: random.Random) -> Responsibility:
    names = rng.sample(DEPARTMENTS, rng.choice((1, 1, 2)))
    return Responsibility(lead=[DepartmentRef(n, n) for n in names])


def _deadline(rng: random.Random) -> Deadline:
    kind = rng.choice(KINDS)
    if kind is DeadlineKind.DATE:
        return Deadline(kind, dt.date(rng.randint(2021, 2025), 12, 31))
    return Deadline(kind)


def make_draft(rng: random.Random, plan_id: int, tasks: int, measures: int) -> PlanDraft:
    out = []
    for t in range(1, tasks + 1):
        ms = [
            Measure(id=f"T{t}.M{m}", no=str(m), text=f"措施{t}.{m}", responsibility=_lead(rng), deadline=_deadline(rng))
            for m in range(1, measures + 1)
        ]
        out.append(
            Task(
                id=f"T{t}",
                no=str(t),
                path=["主要任务", SECTIONS[t % len(SECTIONS)]],
                section_id=None,
                title=f"任务{t}",
                text="",
                responsibility=_lead(rng),
                deadline=_deadline(rng),
                measures=ms,
            )
        )
    meta = PlanMeta(title=f"合成方案{plan_id}", doc_number=f"合医改〔2021〕{plan_id}号")
    return PlanDraft(f"plan{plan_id}.txt", "txt", "", f"{plan_id:064x}", meta=meta, tasks=out)


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def make_reports(rng: random.Random, plan_id: int, draft: PlanDraft, periods: list[Period]) -> list[ProgressReport]:
    """About 90 % of item × period reported, 15 % of those late, 10 % with several versions."""
    items = [m.id for t in draft.tasks for m in t.measures] + [t.id for t in draft.tasks if not t.measures]
    out: list[ProgressReport] = []
    for item in items:
        pace = rng.uniform(2.0, 7.0)  # percent per quarter
        for i, period in enumerate(periods):
            if rng.random() < 0.10:
                continue
            percent = min(100.0, round(pace * (i + 1), 1))
            status = (
                ProgressStatus.COMPLETED
                if percent >= 100
                else rng.choices(
                    [
                        ProgressStatus.IN_PROGRESS,
                        ProgressStatus.DELAYED,
                        ProgressStatus.BLOCKED,
                        ProgressStatus.NOT_STARTED,
                    ],
                    [85, 8, 3, 4],
                )[0]
            )
            submitted = period.end + dt.timedelta(
                days=rng.randint(16, 40) if rng.random() < 0.15 else rng.randint(1, 15)
            )
            shape = rng.random()
            if shape < 0.07:  # returned, redrafted, resubmitted
                out.append(
                    ProgressReport(
                        plan_id,
                        item,
                        period.id,
                        "x",
                        status,
                        max(0.0, percent - 10),
                        state=ReviewState.RETURNED,
                        version=1,
                        submitted_at=_at(submitted),
                        reviewed_at=_at(submitted + dt.timedelta(days=2)),
                    )
                )
                out.append(
                    ProgressReport(
                        plan_id,
                        item,
                        period.id,
                        "x",
                        status,
                        percent,
                        state=ReviewState.DRAFT,
                        version=2,
                        saved_at=_at(submitted + dt.timedelta(days=3)),
                    )
                )
                out.append(
                    ProgressReport(
                        plan_id,
                        item,
                        period.id,
                        "x",
                        status,
                        percent,
                        state=ReviewState.SUBMITTED,
                        version=3,
                        submitted_at=_at(submitted + dt.timedelta(days=4)),
                    )
                )
            elif shape < 0.10:  # a submission with a newer draft on top
                out.append(
                    ProgressReport(
                        plan_id,
                        item,
                        period.id,
                        "x",
                        status,
                        percent,
                        state=ReviewState.ACCEPTED,
                        version=1,
                        submitted_at=_at(submitted),
                    )
                )
                out.append(
                    ProgressReport(
                        plan_id,
                        item,
                        period.id,
                        "x",
                        status,
                        min(100.0, percent + 5),
                        state=ReviewState.DRAFT,
                        version=2,
                        saved_at=_at(submitted + dt.timedelta(days=1)),
                    )
                )
            else:
                out.append(
                    ProgressReport(
                        plan_id,
                        item,
                        period.id,
                        "x",
                        status,
                        percent,
                        state=ReviewState.SUBMITTED,
                        version=1,
                        submitted_at=_at(submitted),
                    )
                )
    rng.shuffle(out)  # storage order is not period order
    return out


def make_targets(rng: random.Random, periods: list[Period], count: int, points: int) -> list[TargetInput]:
    out = []
    for i in range(count):
        comparator = COMPARATORS[i % len(COMPARATORS)]
        direction = Direction.LOWER_IS_BETTER if comparator is Comparator.LE else Direction.HIGHER_IS_BETTER
        target = rng.uniform(20, 90)
        start, step = rng.uniform(10, 80), rng.uniform(-1.5, 2.5)
        series = [
            Observation(p, round(max(0.0, start + step * k + rng.gauss(0, 1.5)), 2))
            for k, p in enumerate(periods[:points])
        ]
        out.append(
            TargetInput(
                index=i,
                metric=f"指标{i}",
                comparator=comparator,
                value=round(target, 1),
                value_high=round(target * 1.1, 1) if comparator is Comparator.RANGE else None,
                unit="%",
                due=dt.date(2025, 12, 31),
                direction=direction,
                indicator_code=f"IND{i:03d}",
                series=series,
            )
        )
    return out


def make_portfolio(
    plans: int, tasks: int, measures: int, targets: int, points: int, seed: int = 20231231
) -> list[EvaluationInput]:
    rng = random.Random(seed)
    periods = periods_between(FIRST_PERIOD, LAST_PERIOD)
    out = []
    for plan_id in range(1, plans + 1):
        draft = make_draft(rng, plan_id, tasks, measures)
        out.append(
            EvaluationInput(
                plan_id=plan_id,
                draft=draft,
                periods=periods,
                reports=make_reports(rng, plan_id, draft, periods),
                targets=make_targets(rng, periods, targets, points),
                at=AT,
            )
        )
    return out


def evaluate_all(portfolio: list[EvaluationInput]) -> list[PlanEvaluation]:
    return [evaluate(inp) for inp in portfolio]


def time_median(fn: Callable[[], object], *, runs: int, min_seconds: float = 0.3) -> tuple[float, list[float]]:
    """Median seconds of at least ``runs`` timed calls after one untimed warm-up call;
    short work is repeated until ``min_seconds`` of timed work (at most 50 runs)."""
    fn()
    samples: list[float] = []
    while len(samples) < runs or (sum(samples) < min_seconds and len(samples) < 50):
        gc.collect()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def traced_peak_mib(fn: Callable[[], object]) -> tuple[float, object]:
    """Peak traced allocation of one call (tracemalloc slows the run; not timed)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--plans", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=50, help="tasks per plan")
    parser.add_argument("--measures", type=int, default=0, help="measures per task (0: tasks are the items)")
    parser.add_argument("--targets", type=int, default=30, help="targets per plan")
    parser.add_argument("--points", type=int, default=20, help="observations per target (at most 20)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (median reported)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--check", action="store_true", help="exit 1 when the time target is missed")
    args = parser.parse_args(argv)
    console = Console()

    build_start = time.perf_counter()
    input_mib, built = traced_peak_mib(
        lambda: make_portfolio(args.plans, args.tasks, args.measures, args.targets, args.points)
    )
    portfolio: list[EvaluationInput] = built  # type: ignore[assignment]
    build_s = time.perf_counter() - build_start
    baseline = portfolio[:BASELINE_PLANS]
    items = sum(len(inp.draft.tasks) * max(1, args.measures) for inp in portfolio)
    reports = sum(len(inp.reports) for inp in portfolio)
    observations = sum(len(t.series) for inp in portfolio for t in inp.targets)

    full_s, full_samples = time_median(lambda: evaluate_all(portfolio), runs=args.runs)
    base_s, base_samples = time_median(lambda: evaluate_all(baseline), runs=args.runs)
    scale = len(portfolio) / len(baseline)
    ratio = full_s / (scale * base_s) if base_s else float("inf")
    peak_mib, result = traced_peak_mib(lambda: evaluate_all(portfolio))
    evaluations: list[PlanEvaluation] = result  # type: ignore[assignment]

    table = Table(title="yigai.evaluation.evaluate — median of runs after warm-up", box=box.SIMPLE_HEAD)
    table.add_column("workload", no_wrap=True)
    for column in ("plans", "median s", "min s", "max s", "runs", "ms / plan"):
        table.add_column(column, justify="right")
    for name, n, med, samples in [
        (f"baseline: first {len(baseline)} plans", len(baseline), base_s, base_samples),
        (f"portfolio: {len(portfolio)} plans", len(portfolio), full_s, full_samples),
    ]:
        table.add_row(
            name,
            str(n),
            f"{med:.3f}",
            f"{min(samples):.3f}",
            f"{max(samples):.3f}",
            str(len(samples)),
            f"{1e3 * med / n:.2f}",
        )
    console.print(table)
    console.print(
        f"inputs: {len(portfolio)} plans × {args.tasks} tasks"
        f"{f' × {args.measures} measures' if args.measures else ''} = {items:,} items, "
        f"{len(portfolio[0].periods)} quarterly periods, {reports:,} report versions, "
        f"{sum(len(inp.targets) for inp in portfolio):,} targets with {observations:,} observations "
        f"(built in {build_s:.1f} s, not timed)"
    )
    total_ok = full_s < TOTAL_TARGET_S
    console.print(f"total, whole portfolio: {full_s:.3f} s  target < {TOTAL_TARGET_S:.0f} s: {_verdict(total_ok)}")
    console.print(f"linearity: {full_s:.3f} s / ({scale:g} × {base_s:.3f} s) = {ratio:.3f}")
    console.print(
        f"peak memory (tracemalloc), evaluating the portfolio: {peak_mib:,.1f} MiB "
        f"(inputs themselves: {input_mib:,.1f} MiB)"
    )
    statuses = {s.value: sum(e.counts[s] for e in evaluations) for s in ItemStatus}
    console.print(
        f"[dim]statuses: {statuses}; mean plan score {statistics.mean(e.score for e in evaluations):.1f}[/dim]"
    )
    console.print(f"[dim]Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs[/dim]")

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "plans": len(portfolio),
                    "tasks": args.tasks,
                    "measures": args.measures,
                    "items": items,
                    "report_versions": reports,
                    "targets": args.targets,
                    "observations": observations,
                    "portfolio_s": full_s,
                    "portfolio_samples": full_samples,
                    "baseline_plans": len(baseline),
                    "baseline_s": base_s,
                    "baseline_samples": base_samples,
                    "linearity_ratio": ratio,
                    "peak_mib": peak_mib,
                    "input_mib": input_mib,
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                },
                indent=2,
            )
        )
    return 0 if total_ok or not args.check else 1


def _verdict(ok: bool) -> str:
    return "[green]met[/green]" if ok else "[red]missed[/red]"


if __name__ == "__main__":
    sys.exit(main())
