"""Run the CLI in-process against databases under pytest's temporary folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from yigai.cli.main import app

Invoke = Callable[..., Result]


def _invoker(folder: Path) -> Invoke:
    env = {
        "YIGAI_DATA_DIR": str(folder / "var"),
        "YIGAI_DATABASE_URL": f"sqlite:///{(folder / 'var' / 'yigai.sqlite3').as_posix()}",
        "YIGAI_DEBUG": None,
        "YIGAI_MAX_DOCUMENT_BYTES": None,
        "COLUMNS": "200",
    }

    def invoke(*args: str, input: str | None = None, **extra_env: str | None) -> Result:  # noqa: A002
        return CliRunner().invoke(app, list(args), input=input, env={**env, **extra_env})

    return invoke


@pytest.fixture
def yigai(tmp_path: Path) -> Invoke:
    """``yigai("plans", "--format", "json")`` on an empty database of its own."""
    return _invoker(tmp_path)


@pytest.fixture(scope="module")
def yigai_builtin(tmp_path_factory: pytest.TempPathFactory) -> Invoke:
    """The same, on one database per module holding the five built-in plans (ids 1-5).

    For read-only commands only: a test that writes must use ``yigai``.
    """
    invoke = _invoker(tmp_path_factory.mktemp("builtin"))
    result = invoke("import", "--builtin")
    assert result.exit_code == 0, result.output
    return invoke
