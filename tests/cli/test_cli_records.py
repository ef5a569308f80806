"""``yigai records load`` and ``yigai records status`` end to end, through the records command group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from yigai.cli.records_cmds import register

from ..records.conftest import INSTITUTIONS, TOWNS, visit, write_csv

_APP = typer.Typer()
register(_APP)


@pytest.fixture
def records(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {"YIGAI_DATA_DIR": str(tmp_path / "var"), "YIGAI_DEBUG": None, "COLUMNS": "220"}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(_APP, ["records", *args], env=env)

    return invoke


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "records"
    d.mkdir()
    write_csv(d / "towns.csv", TOWNS)
    write_csv(d / "institutions.csv", INSTITUTIONS)
    write_csv(d / "outpatient_visits-2023-01.csv", [visit("V1", "2023-01-05"), visit("V2", "2023-01-06")])
    return d


def test_load_a_folder_then_status(records, folder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loaded = records("load", str(folder))
    assert loaded.exit_code == 0, loaded.output
    assert "已载入 loaded 7 条记录 records" in loaded.output
    assert (tmp_path / "var" / "records.duckdb").exists()
    status = records("status", "--format", "json")
    assert status.exit_code == 0, status.output
    data = json.loads(status.stdout)
    rows = {t["table"]: (t["rows"], t["periods"]) for t in data["tables"]}
    assert rows["towns"] == (2, []) and rows["outpatient_visits"] == (2, ["202301"])
    assert [(e["table"], e["rows"]) for e in data["loads"]] == [
        ("outpatient_visits", 2),
        ("institutions", 3),
        ("towns", 2),
    ]
    table = records("status")
    assert "outpatient_visits" in table.stdout and "202301" in table.stdout


def test_bad_records_are_listed_the_good_ones_load_and_the_exit_code_says_so(  # type: ignore[no-untyped-def]
    records, folder: Path
) -> None:
    write_csv(folder / "outpatient_visits-2023-01.csv", [visit("V1", "2023-01-05"), visit("V2", "2023-02-06")])
    result = records("load", str(folder), "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    visits = data["files"][-1]
    assert data["saved"] and (visits["loaded"], visits["set_aside"], visits["errors"]) == (1, 1, 1)
    assert visits["problems"] == [
        {
            "row": 3,
            "column": "visit_date",
            "severity": "error",
            "kind": "period",
            "message": "2023-02-06 is outside the period 202301",
            "message_zh": "2023-02-06 不在报告期 202301 内",
        }
    ]


def test_strict_saves_nothing_and_says_so_in_both_languages(records, folder: Path) -> None:  # type: ignore[no-untyped-def]
    write_csv(folder / "outpatient_visits-2023-01.csv", [visit("V1", "2023-01-05"), visit("V1", "2023-01-06")])
    result = records("load", str(folder), "--strict")
    assert result.exit_code == 2
    assert "未保存任何数据" in result.output and "nothing was saved (--strict)" in result.output
    assert "重复的键" in result.output and "duplicate key 'V1' (first at row 2)" in result.output
    status = json.loads(records("status", "--format", "json").stdout)
    assert all(t["rows"] == 0 for t in status["tables"]) and status["loads"] == []


def test_a_file_naming_no_table_needs_the_table_option(records, tmp_path: Path, folder: Path) -> None:  # type: ignore[no-untyped-def]
    assert records("load", str(folder / "towns.csv"), str(folder / "institutions.csv")).exit_code == 0
    f = write_csv(tmp_path / "一月门诊.csv", [visit("V9", "2023-01-09")])
    refused = records("load", str(f))
    assert refused.exit_code == 2 and "--table" in refused.output
    assert records("load", str(f), "--table", "outpatient_visits", "--period", "202301").exit_code == 0
    bad_period = records("load", str(f), "--table", "outpatient_visits", "--period", "2023年13月")
    assert bad_period.exit_code == 2 and "报告期格式错误" in bad_period.output


def test_status_before_any_load_explains_what_to_do(records) -> None:  # type: ignore[no-untyped-def]
    result = records("status")
    assert result.exit_code == 1 and "yigai records load" in result.output


def test_help_carries_a_worked_example(records) -> None:  # type: ignore[no-untyped-def]
    for command in ("load", "status"):
        assert "Example: yigai records " + command in records(command, "--help").output


def test_a_missing_path_is_refused_before_any_store_is_created(records, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = records("load", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "文件或目录不存在" in result.output
    assert not (tmp_path / "var" / "records.duckdb").exists()


def test_a_load_materialises_the_catalogue_partials_and_the_next_load_renews_them(  # type: ignore[no-untyped-def]
    records, folder: Path, tmp_path: Path
) -> None:
    import duckdb

    from yigai.analytics.catalogue import load_catalogue
    from yigai.analytics.engine import compute

    visits = load_catalogue().select("OUTPATIENT_VISITS")
    assert records("load", str(folder)).exit_code == 0
    with duckdb.connect(str(tmp_path / "var" / "records.duckdb"), read_only=True) as con:
        comp = compute(con, visits, ["202301"])
        assert comp.materialised == ["visits"] and comp.results[0].numerator == 2
    write_csv(folder / "outpatient_visits-2023-01.csv", [visit("V1", "2023-01-05")])
    assert records("load", str(folder / "outpatient_visits-2023-01.csv")).exit_code == 0
    with duckdb.connect(str(tmp_path / "var" / "records.duckdb"), read_only=True) as con:
        comp = compute(con, visits, ["202301"])
        assert comp.materialised == ["visits"] and comp.results[0].numerator == 1
