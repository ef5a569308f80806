"""``yigai synth`` through its own Typer app: summary table, key-rate check, refusals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import typer
from typer.testing import CliRunner

from yigai.cli import synth_cmds
from yigai.cli.edge import EXIT_BAD_INPUT, EdgeGroup

app = typer.Typer(cls=EdgeGroup)
synth_cmds.register(app)


@app.command()
def _other() -> None:
    """A second command keeps ``synth`` a named sub-command, as in the real app."""


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["synth", *args], env={"COLUMNS": "200", "YIGAI_DEBUG": None})
    return result.exit_code, result.output


def test_synth_writes_the_files_and_prints_row_counts_and_checked_rates(tmp_path: Path) -> None:
    code, output = _run("--preset", "small", "--year", "2024", "--seed", "11", "--out", str(tmp_path), "--check")
    assert code == 0, output
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["seed"], manifest["year"]) == (11, 2024)
    dates = pq.read_table(tmp_path / "outpatient_visits.parquet", columns=["visit_date"]).column(0)
    assert (str(pc.min(dates)), str(pc.max(dates))) == ("2024-01-01", "2024-12-31")
    assert pc.any(pc.equal(dates, pa.scalar(dt.date(2024, 2, 29)))).as_py()  # a leap year has its 29 February
    for table, rows in manifest["rows"].items():
        assert f"{table}" in output and f"{rows:,}" in output
    assert "用时 wall time" in output
    assert "visits_per_resident" in output and "✗" not in output
    # a second run into the same folder is refused, bilingually, and changes nothing
    before = (tmp_path / "outpatient_visits.parquet").read_bytes()
    code, output = _run("--seed", "12", "--out", str(tmp_path))
    assert code == EXIT_BAD_INPUT
    assert "--overwrite" in output and "如需替换请加 --overwrite" in output
    assert (tmp_path / "outpatient_visits.parquet").read_bytes() == before


def test_synth_refuses_an_unknown_preset_and_a_bad_seed(tmp_path: Path) -> None:
    code, output = _run("--preset", "village", "--out", str(tmp_path))
    assert code == 2 and "village" in output
    code, output = _run("--seed", "-3", "--out", str(tmp_path / "x"))
    assert code == EXIT_BAD_INPUT and "随机种子" in output
    assert not (tmp_path / "x").exists()


def test_synth_help_has_a_worked_example() -> None:
    result = CliRunner().invoke(app, ["synth", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Example: yigai synth --preset district --year 2023 --out var/synth --seed 1" in result.output
