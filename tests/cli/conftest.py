"""Run the CLI in-process against a database under tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from yigai.cli.main import app

Invoke = Callable[..., Result]


@pytest.fixture
def yigai(tmp_path: Path) -> Invoke:
    """``yigai("plans", "--format", "json")`` with YIGAI_* pointing into tmp_path."""
    env = {"YIGAI_DATA_DIR": str(tmp_path / "var"),
           "YIGAI_DATABASE_URL": f"sqlite:///{(tmp_path / 'var' / 'yigai.sqlite3').as_posix()}",
           "YIGAI_DEBUG": None, "YIGAI_MAX_DOCUMENT_BYTES": None, "COLUMNS": "200"}

    def invoke(*args: str, **extra_env: str | None) -> Result:
        return CliRunner().invoke(app, list(args), env={**env, **extra_env})

    return invoke
