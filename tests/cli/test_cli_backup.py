"""yigai backup / restore through the command line (SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from yigai.cli.main import app


def test_backup_then_restore_into_another_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("YIGAI_DATA_DIR", str(tmp_path / "live"))
    assert runner.invoke(app, ["import", "--builtin"]).exit_code == 0
    archive = tmp_path / "b.tar.gz"
    done = runner.invoke(app, ["backup", "--out", str(archive)])
    assert done.exit_code == 0, done.output
    assert "backed up" in done.stderr
    monkeypatch.setenv("YIGAI_DATA_DIR", str(tmp_path / "new"))
    done = runner.invoke(app, ["restore", str(archive)])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["plans", "--format", "json"])
    assert listed.exit_code == 0 and listed.stdout.count('"id"') == 5
    again = runner.invoke(app, ["restore", str(archive)])  # the instance now has data: refused
    assert again.exit_code != 0 and "空" in again.stderr
