"""``yigai records export --parquet`` and ``yigai compute --engine spark`` over the hand-made record
store of tests/analytics/conftest.py: the same results and saved versions as DuckDB, and bad lakes
or masters refused in both languages with nothing written."""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
import sqlite3
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from yigai.cli import analytics_cmds, records_cmds
from yigai.cli.edge import EdgeGroup

_spec = importlib.util.spec_from_file_location(
    "analytics_hand_rows", Path(__file__).parents[1] / "analytics" / "conftest.py"
)
assert _spec and _spec.loader
hand = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hand)

app = typer.Typer(cls=EdgeGroup)
analytics_cmds.register(app)
records_cmds.register(app)
STORED = ("data_values", "indicators", "org_units", "audit_log")


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


def _run(env: dict[str, str | None], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def _lake(env: dict[str, str | None], folder: Path) -> Path:
    r = _run(env, "records", "export", "--parquet", str(folder))
    assert r.exit_code == 0, r.output
    assert "outpatient_visits" in r.stdout and "2022-06–2023-12" in r.stdout
    return folder


def _stored(env: dict[str, str | None]) -> dict[str, int]:
    with sqlite3.connect(str(Path(str(env["YIGAI_DATA_DIR"])) / "yigai.sqlite3")) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in STORED}


def test_spark_gives_duckdbs_results_and_saves_the_same_versions(env, tmp_path: Path, spark_session) -> None:
    lake = _lake(env, tmp_path / "lake")
    # a flow ratio and a stock ratio (four sources); the whole catalogue is compared in
    # tests/analytics/test_engines_small.py
    args = ("compute", "-i", "DRUG_SHARE,FD_COVERAGE", "-p", "2023", "--within", "-f", "json")
    on_spark = _run(env, *args, "--engine", "spark", "--lake", str(lake), "--write")
    assert on_spark.exit_code == 0, on_spark.output
    spark_data = json.loads(on_spark.stdout)
    on_duck = _run(env, *args)
    assert on_duck.exit_code == 0, on_duck.output
    assert spark_data["results"] == json.loads(on_duck.stdout)["results"]  # values, hashes, versions: all of it
    created = spark_data["written"]["created"]
    assert created > 50 and spark_data["written"]["orgunits_added"] == 8  # D1, T1, T2, five institutions
    again = _run(env, *args, "--write")  # DuckDB finds nothing to change in what Spark saved
    assert json.loads(again.stdout)["written"]["created"] == 0
    assert json.loads(again.stdout)["written"]["unchanged"] == created
    assert spark_session.getActiveSession() is not None  # the CLI left the shared session running


def test_a_lake_missing_a_table_or_an_unreachable_master_fails_in_both_languages_writing_nothing(
    env, tmp_path: Path
) -> None:
    first = _run(env, "compute", "-i", "DRUG_SHARE", "-p", "2023", "--write")  # something already stored
    assert first.exit_code == 0, first.output
    before = _stored(env)
    lake = _lake(env, tmp_path / "lake")
    shutil.rmtree(lake / "referrals")
    r = _run(env, "compute", "-p", "2023", "--engine", "spark", "--lake", str(lake), "--write")
    assert r.exit_code == 1
    assert "缺少记录表：referrals（双向转诊）" in r.output and "has no Parquet for table(s) referrals" in r.output
    assert _stored(env) == before

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _lake(env, tmp_path / "whole")
    for master in (f"spark://127.0.0.1:{port}", f"sc://127.0.0.1:{port}"):
        r = _run(
            env,
            "compute",
            "-p",
            "2023",
            "--engine",
            "spark",
            "--spark-master",
            master,
            "--lake",
            str(tmp_path / "whole"),
            "--write",
        )
        assert r.exit_code == 1, r.output
        assert (
            f"Spark 主节点 {master} 无法连接" in r.output and f"the Spark master {master} does not answer" in r.output
        )
        assert _stored(env) == before

    r = _run(
        env,
        "compute",
        "-p",
        "2023",
        "--engine",
        "spark",
        "--spark-master",
        "mesos://x:5050",
        "--lake",
        str(tmp_path / "whole"),
    )
    assert r.exit_code == 1 and "无法识别的 Spark 主节点地址" in r.output and "unknown Spark master" in r.output
    r = _run(env, "compute", "-p", "2023", "--engine", "spark")
    assert r.exit_code == 2 and "--lake" in r.output and "记录湖" in r.output
    r = _run(env, "compute", "-p", "2023", "--engine", "spark", "--lake", str(tmp_path))  # not a lake
    assert r.exit_code == 1 and "不是记录湖" in r.output and "not a record lake" in r.output
    assert _stored(env) == before
