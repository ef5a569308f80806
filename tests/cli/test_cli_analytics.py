"""``yigai compute`` and ``yigai explain`` over a record store file built from the hand-made rows of
tests/analytics/conftest.py (expected values worked out there)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from yigai.cli.analytics_cmds import print_catalogue, register
from yigai.cli.common import OutputFormat
from yigai.cli.edge import EdgeGroup

_spec = importlib.util.spec_from_file_location(
    "analytics_hand_rows", Path(__file__).parents[1] / "analytics" / "conftest.py"
)
assert _spec and _spec.loader
hand = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hand)

app = typer.Typer(cls=EdgeGroup)
register(app)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    var = tmp_path / "var"
    var.mkdir()
    hand.new_store(hand.HAND_ROWS, str(var / "records.duckdb")).close()
    return {
        "YIGAI_DATA_DIR": str(var),
        "YIGAI_DATABASE_URL": f"sqlite:///{(var / 'yigai.sqlite3').as_posix()}",
        "YIGAI_DEBUG": None,
        "COLUMNS": "250",
    }


def _run(env: dict[str, str | None], *args: str):
    return CliRunner().invoke(app, list(args), env=env)


def test_compute_json_for_towns(env) -> None:
    r = _run(env, "compute", "-i", "FD_COVERAGE,DRUG_SHARE", "-p", "2023", "-l", "town", "-f", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    got = {(x["code"], x["org_unit"]): x for x in data["results"]}
    assert got[("FD_COVERAGE", "T1")]["value"] == pytest.approx(25.0)  # P1 of P1-P4
    assert got[("FD_COVERAGE", "T2")]["rounded"] == 33.3  # P6 of P6-P8
    # T1 (H1, C1): drugs 40+100+150+120 + 3000+500 = 3910 of 100+300+500+400 + 14000 = 15300
    assert (got[("DRUG_SHARE", "T1")]["numerator"], got[("DRUG_SHARE", "T1")]["denominator"]) == (3910, 15300)
    assert {x["level"] for x in data["results"]} == {"town"}
    assert data["written"] is None


def test_compute_within_lists_months_quarters_and_the_year(env) -> None:
    r = _run(env, "compute", "-i", "OUTPATIENT_VISITS", "-p", "2023", "-l", "district", "--within", "-f", "json")
    assert r.exit_code == 0, r.output
    periods = [x["period"] for x in json.loads(r.stdout)["results"]]
    assert len(periods) == 17 and periods[-1] == "2023" and "2023Q4" in periods and "202312" in periods


def test_compute_table_and_write_then_rewrite_changes_nothing(env) -> None:
    r = _run(env, "compute", "-i", "SURGERY_SHARE,DAY_SURGERY_SHARE", "-p", "2023", "-l", "all", "--write")
    assert r.exit_code == 0, r.output
    assert "出院患者手术占比" in r.stdout and "denominator is 0" in r.stdout
    # SURGERY_SHARE has a value for D1, T1, T2, H1, C2, H2 (C1 and K1 discharge nobody: 0/0);
    # DAY_SURGERY_SHARE for D1, T1, H1 only (the elective surgeries D1, D2 are at H1 in T1) → 9 values
    assert "新版本 new versions 9," in r.stderr
    again = _run(
        env, "compute", "-i", "SURGERY_SHARE,DAY_SURGERY_SHARE", "-p", "2023", "-l", "all", "--write", "-f", "json"
    )
    written = json.loads(again.stdout)["written"]
    assert (written["created"], written["unchanged"], written["without_value"]) == (0, 9, 2 + 5)
    assert written["not_stored_level"] == 2 * 4  # types general_hospital, chc, township_hc, clinic
    assert written["orgunits_added"] == 0


def test_table_shows_the_first_rows_and_says_how_many_more(env) -> None:
    r = _run(env, "compute", "-i", "OUTPATIENT_VISITS", "-p", "2023", "-l", "institution", "--rows", "2")
    assert r.exit_code == 0, r.output
    # institutions C1, C2, H1, H2, K1: 5 results, 2 shown
    assert "C1" in r.stdout and "C2" in r.stdout and "K1" not in r.stdout and "3 more" in r.stderr


def test_unknown_indicator_and_level_are_refused(env) -> None:
    r = _run(env, "compute", "-i", "NO_SUCH", "-p", "2023")
    assert r.exit_code == 2 and "NO_SUCH" in r.stderr and "指标目录中没有" in r.stderr
    r = _run(env, "explain", "no_such", "-o", "D1", "-p", "2023")
    assert r.exit_code == 2 and "NO_SUCH" in r.stderr
    r = _run(env, "compute", "-p", "2023", "-l", "province")
    assert r.exit_code == 2 and "province" in r.stderr


def test_explain_prints_the_sql_parameters_and_counts(env) -> None:
    r = _run(env, "explain", "FD_COVERAGE", "--orgunit", "T1", "--period", "2023")
    assert r.exit_code == 0, r.output
    assert "SELECT" in r.stdout and "as_of=2023-12-31" in r.stdout and "org_unit=T1" in r.stdout
    assert "25.0 %" in r.stdout
    j = json.loads(_run(env, "explain", "OP_COST_GROWTH", "-o", "D1", "-p", "2023Q1", "-f", "json").stdout)
    assert [(t["period"], t["measure"], t["value"], t["records"]) for t in j["terms"]] == [
        ("2023Q1", "op_total_cost", 400, 2),
        ("2023Q1", "op_visits", 2, 2),
        ("2022Q4", "op_total_cost", 250, 1),
        ("2022Q4", "op_visits", 1, 1),
    ]
    assert j["value"] == pytest.approx(-20.0) == j["engine"]["value"]


def test_explain_refuses_a_level_the_indicator_does_not_have(env) -> None:
    r = _run(env, "explain", "BEDS_PER_1000", "--orgunit", "H1", "--period", "2023")
    assert r.exit_code == 1 and "institution" in r.stderr


def test_missing_record_store_is_an_error_naming_it(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["compute", "-p", "2023", "--records", str(tmp_path / "none.duckdb")])
    assert r.exit_code != 0 and "none.duckdb" in r.stderr


def test_print_catalogue_json(capsys) -> None:
    print_catalogue(OutputFormat.JSON)
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 40 and {"code", "name", "source", "edition", "levels", "aggregation"} <= set(rows[0])
