"""``yigai synth``: generate the synthetic district as Parquet files (one per record table)."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from yigai.cli.common import info
from yigai.cli.edge import stderr, stdout

SYNTH_HELP = (
    "Generate a synthetic district (模拟区县数据): residents, institutions, staff, outpatient visits, "
    "discharges, family-doctor contracts, referrals and drug purchases at national rates, one Parquet "
    "file per record table plus manifest.json. Same preset, year and seed: byte-identical files. "
    "Rates and sources: docs/synthetic.md.\n\n"
    "Example: yigai synth --preset district --year 2023 --out var/synth --seed 1 --check"
)


class Preset(StrEnum):
    SMALL = "small"
    DISTRICT = "district"
    CITY = "city"


def synth(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the Parquet files (created if missing).", show_default=False)
    ],
    preset: Annotated[
        Preset,
        typer.Option(
            "--preset", help="small ≈ 50,000 residents; district ≈ 1.3 million (≈15 million visits); city ≈ 5 million."
        ),
    ] = Preset.SMALL,
    year: Annotated[int, typer.Option("--year", help="Calendar year of the records.")] = 2023,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (non-negative).")] = 0,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace synthetic files already in --out.")] = False,
    lake: Annotated[
        bool,
        typer.Option(
            "--lake",
            help="Write the record-lake layout Spark reads (a folder per "
            "table, event tables by month: table/month=YYYY-MM/part-0.parquet).",
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Measure the key rates on the files and compare them with the documented ranges."),
    ] = False,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from yigai.synth import generate, load_config  # Arrow and NumPy: loaded by the command, not by the CLI
    from yigai.synth.measure import measure

    started = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=stderr(), transient=True) as progress:
        bar = progress.add_task("生成 generating", total=None)

        def advance(done: int, total: int, what: str) -> None:
            progress.update(bar, completed=done, total=total, description=f"生成 generating {what}")

        result = generate(preset.value, year, seed, out, overwrite=overwrite, lake=lake, progress=advance)
    seconds = time.perf_counter() - started
    rows = Table(title=f"{out} — {preset.value} {year} seed {seed}")
    rows.add_column("表 table")
    rows.add_column("行数 rows", justify="right")
    for name, count in result.rows.items():
        rows.add_row(name, f"{count:,}")
    rows.add_row("常住居民 residents", f"{result.residents:,}")
    rows.add_row("用时 wall time", f"{seconds:.1f} s")
    stdout().print(rows)
    if check:
        ranges = load_config().checks
        rates = Table(title="关键指标 key rates")
        for col in ("指标 rate", "值 value", "文档范围 documented range", ""):
            rates.add_column(col, justify="left" if col.startswith("指标") else "right")
        for name, value in measure(out, year).items():
            lo, hi = ranges[name]
            rates.add_row(name, f"{value:.3f}", f"{lo:g} – {hi:g}", "✓" if lo <= value <= hi else "✗ 超出 outside")
        stdout().print(rates)
    info(f"已写入 written: {out}")


def register(app: typer.Typer) -> None:
    app.command("synth", help=SYNTH_HELP)(synth)
