"""``yigai parse``: structured output on stdout only, clear errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import Result

from yigai.data import seed_paths
from yigai.domain.serialize import plan_to_dict
from yigai.parsing import parse_file

Invoke = Callable[..., Result]
SEED = seed_paths()[4]  # 004: tasks, measures, targets


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text


def test_json_goes_to_stdout_and_the_summary_to_stderr(yigai: Invoke) -> None:
    result = yigai("parse", str(SEED))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)  # stdout is exactly one JSON document
    assert data == json.loads(json.dumps(plan_to_dict(parse_file(SEED))))
    assert list(data) == ["source", "meta", "sections", "tasks", "projects", "targets", "warnings"]
    assert "任" in result.stdout  # ensure_ascii=False: Chinese is not escaped
    assert f"{len(data['tasks'])} 任务 tasks" in result.stderr


def test_yaml_is_the_same_structure(yigai: Invoke) -> None:
    result = yigai("parse", str(SEED), "--format", "yaml")
    assert result.exit_code == 0, result.stderr
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert yaml.load(result.stdout, Loader=loader) == json.loads(json.dumps(plan_to_dict(parse_file(SEED))))


def test_text_is_a_readable_outline(yigai: Invoke) -> None:
    draft = parse_file(SEED)
    result = yigai("parse", str(SEED), "-f", "text")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"标题 title: {draft.meta.title}\n")
    assert f"文号 document number: {draft.meta.doc_number}" in out
    assert f"任务 tasks ({len(draft.tasks)})" in out and f"指标 targets ({len(draft.targets)})" in out
    assert all(t.title in out for t in draft.tasks)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", bytes(range(256)) * 40, "binary"),
        ("plan.exe", "一、总体要求".encode(), ".exe"),
        ("plan.xyz", "一、总体要求".encode(), ".xyz"),
        ("blank.md", b" \n\n\t\n", "no text"),
    ],
)
def test_bad_documents_exit_2_with_a_bilingual_message(
    yigai: Invoke, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = yigai("parse", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert name in result.stderr and expected in result.stderr
    assert "错误 / error" in result.stderr
    _no_traceback(result.output)


def test_missing_file(yigai: Invoke, tmp_path: Path) -> None:
    result = yigai("parse", str(tmp_path / "nowhere.txt"))
    assert result.exit_code == 2
    assert "nowhere.txt" in result.stderr and "文件不存在" in result.stderr


def test_text_without_structure_is_an_empty_draft_with_a_warning(yigai: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "prose.txt"
    path.write_text("今天天气很好，我们去公园散步。\n明天也许会下雨。\n", encoding="utf-8")
    result = yigai("parse", str(path))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["tasks"] == [] and data["warnings"]


def test_a_5_mb_document_parses(yigai: Invoke, tmp_path: Path) -> None:
    seeds = "\n".join(p.read_text("utf-8") for p in seed_paths())
    big = tmp_path / "big.txt"
    big.write_text(seeds * (5 * 1024 * 1024 // len(seeds.encode()) + 1), encoding="utf-8")
    assert big.stat().st_size >= 5 * 1024 * 1024
    result = yigai("parse", str(big), "--format", "text")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("标题 title:")


def test_a_document_over_the_configured_limit_is_refused(yigai: Invoke, tmp_path: Path) -> None:
    result = yigai("parse", str(SEED), YIGAI_MAX_DOCUMENT_BYTES="1000")
    assert result.exit_code == 2
    assert SEED.name in result.stderr and "文件超过" in result.stderr


def test_bad_setting_exits_1_with_the_variable_named(yigai: Invoke) -> None:
    result = yigai("parse", str(SEED), YIGAI_MAX_DOCUMENT_BYTES="lots")
    assert result.exit_code == 1
    assert "YIGAI_MAX_DOCUMENT_BYTES" in result.stderr and "必须是整数" in result.stderr


def test_an_unexpected_error_is_a_short_message_not_a_traceback(yigai: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("yigai.parsing.parse_file", explode)  # imported when the command runs
    result = yigai("parse", str(SEED))
    assert result.exit_code == 1
    assert "内部错误 / internal error: RuntimeError: disk on fire" in result.stderr
    _no_traceback(result.output)
    debug = yigai("parse", str(SEED), YIGAI_DEBUG="1")
    assert isinstance(debug.exception, RuntimeError)  # YIGAI_DEBUG lets it through


def test_the_installed_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "binary.pdf"
    path.write_bytes(b"\x00\x01garbage")
    proc = subprocess.run(
        [sys.executable, "-c", "from yigai.cli.main import app; app()", "parse", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.returncode == 2
    assert "binary.pdf" in proc.stderr and proc.stdout == ""
    _no_traceback(proc.stderr)
