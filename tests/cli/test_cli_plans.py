"""``yigai import / plans / show / departments / export / demo`` end to end on SQLite."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import Result

from yigai.cli.main import app
from yigai.data import seed_paths
from yigai.parsing import parse_file
from yigai.reports.xlsx_export import TARGET_SHEET, TASK_SHEET
from yigai.services.plans import department_matrix

Invoke = Callable[..., Result]
SEEDS = seed_paths()


def _json(result: Result) -> object:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _names(items: list[dict[str, object]], key: str) -> list[list[str]]:
    return [[d["name"] for d in item[key]] for item in items]  # type: ignore[index,union-attr]


def test_builtin_import_is_idempotent_and_replace_replaces(yigai: Invoke) -> None:
    first = _json(yigai("import", "--builtin", "--format", "json"))
    assert [r["status"] for r in first] == ["imported"] * 5  # type: ignore[index,union-attr]
    assert [r["source_name"] for r in first] == [p.name for p in SEEDS]  # type: ignore[index,union-attr]
    again = _json(yigai("import", str(SEEDS[0]), "--builtin", "--format", "json"))
    assert [r["status"] for r in again] == ["already imported"] * 6  # type: ignore[index,union-attr]
    assert [r["plan_id"] for r in again] == [1, 1, 2, 3, 4, 5]  # type: ignore[index,union-attr]
    replaced = _json(yigai("import", str(SEEDS[1]), "--replace", "--format", "json"))
    assert [(r["status"], r["plan_id"]) for r in replaced] == [("replaced", 2)]  # type: ignore[index,union-attr]
    assert len(_json(yigai("plans", "--format", "json"))) == 5  # type: ignore[arg-type]


def test_import_table_names_each_result(yigai: Invoke) -> None:
    result = yigai("import", str(SEEDS[0]))
    assert result.exit_code == 0 and "imported" in result.stdout and SEEDS[0].name in result.stdout
    again = yigai("import", str(SEEDS[0]))
    assert "already imported" in again.stdout


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
        [imported] = _json(yigai("import", str(seed), "--format", "json"))  # type: ignore[misc]
        shown = _json(yigai("show", str(imported["plan_id"]), "--tasks", "--targets", "--format", "json"))
        assert shown["meta"] == parsed["meta"]  # type: ignore[index]
        assert len(shown["tasks"]) == len(parsed["tasks"])  # type: ignore[index,arg-type]
        assert len(shown["targets"]) == len(parsed["targets"])  # type: ignore[index,arg-type]
        assert _names(shown["tasks"], "lead") == _names(parsed["tasks"], "lead")  # type: ignore[index,arg-type]
        assert _names(shown["tasks"], "cooperating") == _names(parsed["tasks"], "cooperating")  # type: ignore[index,arg-type]
        assert shown["tasks"] == parsed["tasks"]  # type: ignore[index]


def test_plans_lists_counts(yigai: Invoke) -> None:
    yigai("import", "--builtin")
    data = _json(yigai("plans", "--format", "json"))
    drafts = [parse_file(p) for p in SEEDS]
    assert [(p["doc_number"], p["tasks"], p["measures"], p["targets"]) for p in data] == [  # type: ignore[index,union-attr]
        (d.meta.doc_number, len(d.tasks), len(d.measures()), len(d.targets)) for d in drafts]
    table = yigai("plans")
    assert table.exit_code == 0 and all(d.meta.doc_number in table.stdout for d in drafts)


def test_plans_on_an_empty_database(yigai: Invoke) -> None:
    assert _json(yigai("plans", "--format", "json")) == []
    assert "yigai import --builtin" in yigai("plans").stderr


@pytest.mark.parametrize("ref", ["1", "青卫健医政〔2022〕14号", "青卫健医政〔２０２２〕１４ 号"])
def test_show_by_id_or_document_number(yigai: Invoke, ref: str) -> None:
    yigai("import", str(SEEDS[0]))
    data = _json(yigai("show", ref, "--format", "json"))
    assert data["id"] == 1 and data["meta"]["doc_number"] == "青卫健医政〔2022〕14号"  # type: ignore[index]
    assert "tasks" not in data and "targets" not in data  # type: ignore[operator]
    table = yigai("show", ref, "--tasks", "--targets")
    assert table.exit_code == 0 and "青卫健医政〔2022〕14号" in table.stdout


def test_show_unknown_plan_exits_1_in_both_languages(yigai: Invoke) -> None:
    result = yigai("show", "沪府办发〔2099〕1号")
    assert result.exit_code == 1
    assert "未找到计划" in result.stderr and "no plan" in result.stderr and result.stdout == ""


def test_show_dept_filters_tasks(yigai: Invoke) -> None:
    yigai("import", str(SEEDS[4]))
    everything = _json(yigai("show", "1", "--tasks", "--format", "json"))["tasks"]  # type: ignore[index]
    loads = department_matrix(parse_file(SEEDS[4]))
    busiest = loads[0].name
    mine = _json(yigai("show", "1", "--dept", busiest, "--format", "json"))["tasks"]  # type: ignore[index]
    assert 0 < len(mine) <= len(everything)  # type: ignore[arg-type]
    for task in mine:  # type: ignore[union-attr]
        names = {d["name"] for d in task["lead"] + task["cooperating"]}
        names |= {d["name"] for m in task["measures"] for d in m["lead"] + m["cooperating"]}
        assert busiest in names
    missing = yigai("show", "1", "--dept", "不存在的部门")
    assert missing.exit_code == 1 and "不存在的部门" in missing.stderr


def test_departments_matrix(yigai: Invoke) -> None:
    yigai("import", str(SEEDS[4]))
    data = _json(yigai("departments", "仓医改组〔2021〕1号", "--format", "json"))
    expected = department_matrix(parse_file(SEEDS[4]))
    assert [(d["name"], d["lead"], d["cooperating"]) for d in data] == [  # type: ignore[index,union-attr]
        (d.name, d.lead, d.cooperating) for d in expected]
    assert yigai("departments", "1").exit_code == 0


def test_export_writes_the_task_list(yigai: Invoke, tmp_path: Path) -> None:
    yigai("import", str(SEEDS[4]))
    out = tmp_path / "任务清单.xlsx"
    result = yigai("export", "1", "--xlsx", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    draft = parse_file(SEEDS[4])
    wb = load_workbook(out)
    assert wb[TASK_SHEET].max_row == 1 + sum(max(1, len(t.measures)) for t in draft.tasks)
    assert wb[TARGET_SHEET].max_row == 1 + len(draft.targets)


def test_export_to_a_missing_folder_is_a_clear_error(yigai: Invoke, tmp_path: Path) -> None:
    yigai("import", str(SEEDS[0]))
    result = yigai("export", "1", "--xlsx", str(tmp_path / "no" / "such" / "dir.xlsx"))
    assert result.exit_code == 1 and "无法写入" in result.stderr


def test_demo_builds_a_fresh_database_each_time(yigai: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    for _ in range(2):
        result = yigai("demo", "--data-dir", str(folder))
        assert result.exit_code == 0, result.stderr
        assert all(parse_file(p).meta.doc_number in result.stdout for p in SEEDS)
    assert (folder / "demo.sqlite3").exists()
    assert not (tmp_path / "var" / "yigai.sqlite3").exists()  # the configured database is untouched
    listed = _json(yigai("plans", "--format", "json",
                         YIGAI_DATABASE_URL=f"sqlite:///{(folder / 'demo.sqlite3').as_posix()}"))
    assert [p["id"] for p in listed] == [1, 2, 3, 4, 5]  # type: ignore[index,union-attr]


def test_bad_database_url_is_a_configuration_error(yigai: Invoke) -> None:
    result = yigai("plans", YIGAI_DATABASE_URL="nosuchdb://nowhere")
    assert result.exit_code == 1 and "YIGAI_DATABASE_URL" in result.stderr


COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")


def test_the_command_set() -> None:
    assert COMMANDS == ["demo", "departments", "export", "import", "parse", "plans", "show"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_documents_an_example(yigai: Invoke, command: str) -> None:
    result = yigai(command, "--help")
    assert result.exit_code == 0
    assert "Example: yigai " + command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"yigai {command}" in README
