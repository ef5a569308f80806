"""``yigai import / plans / show / departments / export / demo`` end to end on SQLite."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import Result

from yigai.cli.main import app
from yigai.data import seed_paths
from yigai.domain.plan import PlanDraft
from yigai.reports.xlsx_export import TARGET_SHEET, TASK_SHEET
from yigai.services.plans import department_matrix

Invoke = Callable[..., Result]
SEEDS = seed_paths()


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _names(items: list[dict[str, Any]], key: str) -> list[list[str]]:
    return [[d["name"] for d in item[key]] for item in items]


def test_builtin_import_is_idempotent_and_replace_replaces(yigai: Invoke) -> None:
    first = _json(yigai("import", "--builtin", "--format", "json"))
    assert [r["status"] for r in first] == ["imported"] * 5
    assert [r["source_name"] for r in first] == [p.name for p in SEEDS]
    again = _json(yigai("import", str(SEEDS[0]), "--builtin", "--format", "json"))
    assert [r["status"] for r in again] == ["already imported"] * 6
    assert [r["plan_id"] for r in again] == [1, 1, 2, 3, 4, 5]
    replaced = _json(yigai("import", str(SEEDS[1]), "--replace", "--format", "json"))
    assert [(r["status"], r["plan_id"]) for r in replaced] == [("replaced", 2)]
    assert len(_json(yigai("plans", "--format", "json"))) == 5


def test_import_table_names_each_result(yigai: Invoke) -> None:
    result = yigai("import", str(SEEDS[0]))
    assert result.exit_code == 0 and "imported" in result.stdout and SEEDS[0].name in result.stdout
    again = yigai("import", str(SEEDS[0]))
    assert "already imported" in again.stdout and "use --replace" in again.stderr


def test_a_bad_file_among_good_ones_is_reported_and_the_rest_imported(yigai: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip")
    result = yigai("import", str(SEEDS[0]), str(bad), str(SEEDS[3]), "--format", "json")
    assert result.exit_code == 2
    assert "broken.docx" in result.stderr and "1 file(s) not imported" in result.stderr
    assert [r["source_name"] for r in json.loads(result.stdout)] == [SEEDS[0].name, SEEDS[3].name]


def test_import_needs_a_file_or_builtin(yigai: Invoke) -> None:
    result = yigai("import")
    assert result.exit_code == 2 and "--builtin" in result.output


def test_round_trip_parse_import_show(yigai: Invoke) -> None:
    """What ``parse`` prints is what ``show`` reads back from the database."""
    for seed in SEEDS:
        parsed = _json(yigai("parse", str(seed)))
        [imported] = _json(yigai("import", str(seed), "--format", "json"))
        shown = _json(yigai("show", str(imported["plan_id"]), "--tasks", "--targets", "--format", "json"))
        assert shown["meta"] == parsed["meta"]
        assert len(shown["tasks"]) == len(parsed["tasks"])
        assert len(shown["targets"]) == len(parsed["targets"])
        assert _names(shown["tasks"], "lead") == _names(parsed["tasks"], "lead")
        assert _names(shown["tasks"], "cooperating") == _names(parsed["tasks"], "cooperating")
        assert shown["tasks"] == parsed["tasks"]


def test_plans_lists_counts(yigai_builtin: Invoke, seed_drafts: list[PlanDraft]) -> None:
    data = _json(yigai_builtin("plans", "--format", "json"))
    drafts = seed_drafts
    assert [(p["doc_number"], p["tasks"], p["measures"], p["targets"]) for p in data] == [
        (d.meta.doc_number, len(d.tasks), len(d.measures()), len(d.targets)) for d in drafts
    ]
    table = yigai_builtin("plans")
    assert table.exit_code == 0 and all(d.meta.doc_number in table.stdout for d in drafts)


def test_plans_on_an_empty_database(yigai: Invoke) -> None:
    assert _json(yigai("plans", "--format", "json")) == []
    assert "yigai import --builtin" in yigai("plans").stderr


@pytest.mark.parametrize("ref", ["1", "青卫健医政〔2022〕14号", "青卫健医政〔２０２２〕１４ 号"])
def test_show_by_id_or_document_number(yigai_builtin: Invoke, ref: str) -> None:
    data = _json(yigai_builtin("show", ref, "--format", "json"))
    assert data["id"] == 1 and data["meta"]["doc_number"] == "青卫健医政〔2022〕14号"
    assert "tasks" not in data and "targets" not in data
    table = yigai_builtin("show", ref, "--tasks", "--targets")
    assert table.exit_code == 0 and "青卫健医政〔2022〕14号" in table.stdout


def test_show_unknown_plan_exits_1_in_both_languages(yigai_builtin: Invoke) -> None:
    result = yigai_builtin("show", "沪府办发〔2099〕1号")
    assert result.exit_code == 1
    assert "未找到计划" in result.stderr and "no plan" in result.stderr and result.stdout == ""


def test_show_dept_filters_tasks(yigai_builtin: Invoke, seed_drafts: list[PlanDraft]) -> None:
    everything = _json(yigai_builtin("show", "5", "--tasks", "--format", "json"))["tasks"]
    busiest = department_matrix(seed_drafts[4])[0].name
    mine = _json(yigai_builtin("show", "5", "--dept", busiest, "--format", "json"))["tasks"]
    assert 0 < len(mine) <= len(everything)
    for task in mine:
        names = {d["name"] for d in task["lead"] + task["cooperating"]}
        names |= {d["name"] for m in task["measures"] for d in m["lead"] + m["cooperating"]}
        assert busiest in names
    missing = yigai_builtin("show", "5", "--dept", "不存在的部门")
    assert missing.exit_code == 1 and "不存在的部门" in missing.stderr


def test_departments_matrix(yigai_builtin: Invoke, seed_drafts: list[PlanDraft]) -> None:
    data = _json(yigai_builtin("departments", "仓医改组〔2021〕1号", "--format", "json"))
    expected = department_matrix(seed_drafts[4])
    assert [(d["name"], d["lead"], d["cooperating"]) for d in data] == [
        (d.name, d.lead, d.cooperating) for d in expected
    ]
    assert yigai_builtin("departments", "1").exit_code == 0


def test_export_writes_the_task_list(yigai_builtin: Invoke, tmp_path: Path, seed_drafts: list[PlanDraft]) -> None:
    out = tmp_path / "任务清单.xlsx"
    result = yigai_builtin("export", "5", "--xlsx", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    draft = seed_drafts[4]
    wb = load_workbook(out)
    assert wb[TASK_SHEET].max_row == 1 + sum(max(1, len(t.measures)) for t in draft.tasks)
    assert wb[TARGET_SHEET].max_row == 1 + len(draft.targets)


def test_export_to_a_missing_folder_is_a_clear_error(yigai_builtin: Invoke, tmp_path: Path) -> None:
    result = yigai_builtin("export", "1", "--xlsx", str(tmp_path / "no" / "such" / "dir.xlsx"))
    assert result.exit_code == 1 and "无法写入" in result.stderr


def test_demo_builds_a_fresh_database_each_time(yigai: Invoke, tmp_path: Path, seed_drafts: list[PlanDraft]) -> None:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "demo.sqlite3").write_bytes(b"an old demo, or anything else")
    result = yigai("demo", "--no-serve", "--data-dir", str(folder))
    assert result.exit_code == 0, result.stderr
    assert all(d.meta.doc_number in result.stdout for d in seed_drafts)
    for username, password in (("admin", "demo-admin"), ("wjw", "demo-wjw"), ("leader", "demo-leader")):
        assert f"{username}" in result.stderr and password in result.stderr  # the demo prints its passwords
    assert "serving on" not in result.stderr
    assert not (tmp_path / "var" / "yigai.sqlite3").exists()  # the configured database is untouched
    listed = _json(
        yigai("plans", "--format", "json", YIGAI_DATABASE_URL=f"sqlite:///{(folder / 'demo.sqlite3').as_posix()}")
    )
    assert [p["id"] for p in listed] == [1, 2, 3, 4, 5]


def test_bad_database_url_is_a_configuration_error(yigai: Invoke) -> None:
    result = yigai("plans", YIGAI_DATABASE_URL="nosuchdb://nowhere")
    assert result.exit_code == 1 and "YIGAI_DATABASE_URL" in result.stderr


COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
REFERENCE = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text("utf-8")  # the CLI reference


def test_the_command_set() -> None:
    assert COMMANDS == [
        "backup",
        "bulletin",
        "compare",
        "compute",
        "demo",
        "departments",
        "departments-alias",
        "dip",
        "drg",
        "evaluate",
        "explain",
        "export",
        "import",
        "indicators",
        "orgunits",
        "parse",
        "plans",
        "records",
        "report",
        "restore",
        "schedule",
        "serve",
        "show",
        "synth",
        "targets",
        "template",
        "users",
        "values",
        "vbp",
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_documents_an_example(yigai: Invoke, command: str) -> None:
    result = yigai(command, "--help")
    assert result.exit_code == 0
    assert "Example: yigai " + command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_cli_reference(command: str) -> None:
    assert f"yigai {command}" in REFERENCE
