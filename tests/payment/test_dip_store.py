"""DIP straight from the record store: the synthetic district's discharges settle exactly as the same
cases exported to CSV files do."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from yigai.cli.main import app
from yigai.payment.cases import FIELDS
from yigai.payment.store_cases import load_store_cases
from yigai.records.loader import load_records
from yigai.records.store import open_store
from yigai.synth import generate

# written out by hand from src/yigai/data/records/tables.yaml, independently of yigai.payment.store_cases
LEVELS = {"tertiary": "三级", "secondary": "二级", "primary": "一级", "unrated": "未定级"}
INSURANCE = {"employee": "职工", "resident": "居民"}


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data dir whose record store holds the small synthetic district's 2023 and 2024."""
    root = tmp_path_factory.mktemp("dip-store")
    (root / "data").mkdir()
    with open_store(root / "data" / "records.duckdb") as store:
        for year in (2023, 2024):
            generate("small", year, 21, root / f"synth{year}")
            assert load_records(store, [root / f"synth{year}"], strict=True).saved
    return root


def _export(store: Path, year: int, out: Path) -> tuple[Path, int]:
    """The year's insured discharges as a case file, and how many self-pay ones were left out."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = con.execute(
            "SELECT d.*, i.level FROM inpatient_discharges d JOIN institutions i USING (institution_id) "
            "WHERE year(d.discharge_date) = ?",
            [year],
        ).fetchall()
        names = [c[0] for c in con.description]
    finally:
        con.close()
    self_pay = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        for values in rows:
            r = dict(zip(names, values, strict=True))
            if r["insurance"] == "none":
                self_pay += 1
                continue
            w.writerow(
                {
                    "case_id": r["case_id"],
                    "hospital": r["institution_id"],
                    "hospital_level": LEVELS[r["level"]],
                    "insurance": INSURANCE[r["insurance"]],
                    "admission": r["admission_date"],
                    "discharge": r["discharge_date"],
                    "los": r["los"],
                    "main_dx": r["main_dx"],
                    "other_dx": r["other_dx"] or "",
                    "main_proc": r["main_proc"] or "",
                    "other_procs": r["other_procs"] or "",
                    "total_cost": r["total_cost"],
                    "fund_paid": r["fund_paid"],
                    "patient_paid": r["patient_paid"],
                    "discharge_status": "",
                    "year": "",
                }
            )
    return out, self_pay


def test_settling_from_the_store_equals_settling_the_exported_files(district: Path) -> None:
    store = district / "data" / "records.duckdb"
    past, _ = _export(store, 2023, district / "2023.csv")
    now, self_pay = _export(store, 2024, district / "2024.csv")
    runner = CliRunner()
    common = ["dip", "settle", "--budget", "4e7", "--ratio", "0.7", "--threshold", "5", "--format", "json"]
    env = {"YIGAI_DATA_DIR": str(district / "data")}
    from_files = runner.invoke(app, [*common, "--history", str(past), "--current", str(now)], env=env)
    from_store = runner.invoke(app, [*common, "--history-year", "2023", "--current-year", "2024"], env=env)
    assert from_files.exit_code == from_store.exit_code, from_store.stderr
    files, stored = json.loads(from_files.stdout), json.loads(from_store.stdout)
    assert stored == files and len(stored["hospitals"]) > 3 and stored["point_value"] > 0
    assert self_pay > 0 and f"2024 年 {len(now.read_text().splitlines()) - 1:,} 例" in from_store.stderr
    assert f"自费 {self_pay:,} 例" in from_store.stderr  # left out, and said so

    scored = runner.invoke(
        app,
        ["dip", "score", "--history-year", "2023", "--current-year", "2024", "--threshold", "5", "--format", "json"],
        env=env,
    )
    scored_files = runner.invoke(
        app,
        ["dip", "score", "--history", str(past), "--current", str(now), "--threshold", "5", "--format", "json"],
        env=env,
    )

    def by_case(out: str) -> list[dict[str, object]]:
        return sorted(json.loads(out)["scored"], key=lambda r: str(r["case_id"]))  # the store reads by date

    assert by_case(scored.stdout) == by_case(scored_files.stdout) and len(by_case(scored.stdout)) > 100


def test_the_store_loader_counts_self_pay_and_names_a_bad_record_by_case_id(district: Path, tmp_path: Path) -> None:
    copy = tmp_path / "records.duckdb"
    copy.write_bytes((district / "data" / "records.duckdb").read_bytes())
    con = duckdb.connect(str(copy))
    try:
        (first,) = con.execute(
            "SELECT case_id FROM inpatient_discharges WHERE insurance <> 'none' "
            "AND year(discharge_date) = 2024 ORDER BY case_id LIMIT 1"
        ).fetchone() or ("",)
        con.execute("UPDATE inpatient_discharges SET main_dx = 'not-a-code' WHERE case_id = ?", [first])
        got = load_store_cases(con, [2024])
        insured, self_pay = con.execute(
            "SELECT count(*) FILTER (WHERE insurance <> 'none'), count(*) FILTER (WHERE insurance = 'none') "
            "FROM inpatient_discharges WHERE year(discharge_date) = 2024"
        ).fetchone() or (0, 0)
    finally:
        con.close()
    assert [(b.case_id, b.field) for b in got.load.bad] == [(first, "main_dx")]
    assert len(got.load.cases) == insured - 1 and got.self_pay == self_pay
    assert got.years == (2024,) and got.missing == () and len(got.digest) == 64
    assert _missing_years(copy) == (2019,)


def _missing_years(store: Path) -> tuple[int, ...]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return load_store_cases(con, [2019, 2024]).missing
    finally:
        con.close()


def test_one_source_per_input_and_a_year_the_store_lacks_is_refused(district: Path) -> None:
    runner = CliRunner()
    env = {"YIGAI_DATA_DIR": str(district / "data")}
    both = runner.invoke(app, ["dip", "build", "--history", "x.csv", "--history-year", "2023"], env=env)
    neither = runner.invoke(
        app, ["dip", "settle", "--history-year", "2023", "--budget", "1", "--ratio", "0.7"], env=env
    )
    missing = runner.invoke(app, ["dip", "build", "--history-year", "2019", "--history-year", "2023"], env=env)
    assert both.exit_code == neither.exit_code == missing.exit_code == 2
    assert "二选一" in both.stderr and "--current-year" in neither.stderr
    assert "2019" in missing.stderr and "记录库中没有" in missing.stderr


def test_settle_write_from_the_store_saves_each_hospitals_values(district: Path, tmp_path: Path) -> None:
    """The hospitals are the store's institutions: they become org units, so each gets its own values."""
    from yigai.bootstrap import build
    from yigai.domain.orgunits import OrgUnitLevel
    from yigai.settings import Settings

    data = tmp_path / "var"
    data.mkdir()
    (data / "records.duckdb").write_bytes((district / "data" / "records.duckdb").read_bytes())
    env = {"YIGAI_DATA_DIR": str(data), "YIGAI_DATABASE_URL": f"sqlite:///{(data / 'yigai.sqlite3').as_posix()}"}
    args = [
        "dip",
        "settle",
        "--history-year",
        "2023",
        "--current-year",
        "2024",
        "--budget",
        "4e7",
        "--ratio",
        "0.7",
        "--threshold",
        "5",
        "--write",
    ]
    runner = CliRunner()
    first = runner.invoke(app, args, env=env)
    assert first.exit_code in (0, 2), first.output
    assert "已加入机构档案" in first.output and "not org units" not in first.output
    settled = {
        h["hospital"]
        for h in json.loads(runner.invoke(app, [*args[:-1], "--format", "json"], env=env).stdout)["hospitals"]
    }
    with build(Settings.from_env(env)) as built, built.uow() as uow:
        units = {u.code: u for u in uow.orgunits.all()}
        stored = uow.values.current_versions(["DIP_CORE_SHARE"], ["2024"])
    assert settled <= set(units) and all(units[h].level is OrgUnitLevel.INSTITUTION for h in settled)
    assert {org for (_, org, _) in stored} == settled | {
        next(c for c, u in units.items() if u.level is OrgUnitLevel.DISTRICT)
    }
    again = runner.invoke(app, args, env=env)
    assert "新版本 new versions 0" in again.output and "已加入机构档案" not in again.output
