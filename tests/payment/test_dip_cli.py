"""``yigai dip`` on the worked example of docs/payment.md: the same figures as the library."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from yigai.cli.main import app
from yigai.payment.cases import FIELDS

_spec = importlib.util.spec_from_file_location("dip_worked", Path(__file__).with_name("test_dip_worked_example.py"))
assert _spec and _spec.loader
worked = importlib.util.module_from_spec(_spec)
sys.modules["dip_worked"] = worked
_spec.loader.exec_module(worked)


def _write(path: Path, cases: list) -> Path:  # type: ignore[type-arg]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        for c in cases:
            w.writerow(
                {
                    "case_id": c.case_id,
                    "hospital": c.hospital,
                    "hospital_level": c.hospital_level,
                    "main_dx": c.main_dx,
                    "total_cost": c.total_cost,
                    "admission": c.admission.isoformat(),
                    "discharge": c.discharge.isoformat(),
                    "main_proc": c.main_proc,
                    "fund_paid": c.fund_paid,
                    "patient_paid": c.patient_paid,
                }
                | {
                    k: ""
                    for k in FIELDS
                    if k
                    not in {
                        "case_id",
                        "hospital",
                        "hospital_level",
                        "main_dx",
                        "total_cost",
                        "admission",
                        "discharge",
                        "main_proc",
                        "fund_paid",
                        "patient_paid",
                    }
                }
            )
    return path


def test_settle_and_whatif_through_the_cli(tmp_path: Path) -> None:
    h22 = _write(tmp_path / "2022.csv", worked.Y2022)
    h23 = _write(tmp_path / "2023.csv", worked.Y2023)
    cur = _write(tmp_path / "2024.csv", worked.CURRENT)
    common = [
        "--history",
        str(h22),
        "--history",
        str(h23),
        "--current",
        str(cur),
        "--threshold",
        "5",
        "--year-weights",
        "1,3",
        "--level",
        "三级=1.2",
        "--level",
        "二级=1.0",
        "--level",
        "一级=0.8",
        "--primary",
        "J18.9|-",
        "--budget",
        "107600",
        "--ratio",
        "0.8",
    ]
    runner = CliRunner()
    result = runner.invoke(app, ["dip", "settle", *common, "--format", "json", "--xlsx", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 2  # one case (E11.9) cannot be grouped: reported, the rest settle
    data = json.loads(result.stdout)
    assert data["point_value"] == 80
    entitlements = {h["hospital"]: h["entitlement"] for h in data["hospitals"]}
    assert entitlements == {"H1": 66400, "H2": 12900, "H3": 55200}
    assert (tmp_path / "s.xlsx").exists()
    diff = runner.invoke(app, ["dip", "whatif", *common, "--alt-budget", "121050", "--format", "json"])
    rows = {r["hospital"]: r for r in json.loads(diff.stdout)}
    assert round(rows["H1"]["entitlement"]) == 8300


def test_both_engines_give_the_same_settlement_and_the_workbook_has_its_sheets(tmp_path: Path) -> None:
    import dataclasses

    from openpyxl import load_workbook

    rename = {"H1": '=HYPERLINK("x")'}  # a hospital name a spreadsheet would run as a formula
    cur = [dataclasses.replace(c, hospital=rename.get(c.hospital, c.hospital)) for c in worked.CURRENT]
    h22 = _write(tmp_path / "2022.csv", worked.Y2022)
    h23 = _write(tmp_path / "2023.csv", worked.Y2023)
    cur_path = _write(tmp_path / "2024.csv", cur)
    common = [
        "dip",
        "settle",
        "--history",
        str(h22),
        "--history",
        str(h23),
        "--current",
        str(cur_path),
        "--threshold",
        "5",
        "--year-weights",
        "1,3",
        "--level",
        "三级=1.2",
        "--level",
        "二级=1.0",
        "--level",
        "一级=0.8",
        "--primary",
        "J18.9|-",
        "--budget",
        "107600",
        "--ratio",
        "0.8",
        "--format",
        "json",
    ]
    runner = CliRunner()
    ref = runner.invoke(app, [*common, "--engine", "reference"])
    col = runner.invoke(app, [*common, "--engine", "columnar", "--xlsx", str(tmp_path / "s.xlsx")])
    assert ref.exit_code == col.exit_code == 2
    assert json.loads(ref.stdout) == json.loads(col.stdout)
    wb = load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames == ["年度清算", "病种目录", "未入组病例", "参数"]
    settle_rows = list(wb["年度清算"].iter_rows(values_only=True))
    assert settle_rows[0][0] == "机构 hospital" and len(settle_rows) == 4
    assert settle_rows[1][0] == '\'=HYPERLINK("x")'  # escaped: shown as text, never run
    assert settle_rows[1][3] == 66400  # entitlement, as worked out by hand
    assert [r[0] for r in wb["未入组病例"].iter_rows(min_row=2, values_only=True)] == ["2024-10"]
    assert {r[0] for r in wb["病种目录"].iter_rows(min_row=2, values_only=True)} == {
        "K80.1|51.2300",
        "J18.9|-",
        "K35|相关手术",
        "K29|诊断性操作",
    }


def test_settle_and_retain_write_their_indicators_into_the_store(tmp_path: Path) -> None:
    from yigai.bootstrap import build
    from yigai.domain.orgunits import OrgUnit, OrgUnitLevel
    from yigai.settings import Settings

    env = {
        "YIGAI_DATA_DIR": str(tmp_path / "var"),
        "YIGAI_DATABASE_URL": f"sqlite:///{(tmp_path / 'var' / 'yigai.sqlite3').as_posix()}",
        "YIGAI_DEBUG": None,
    }
    settings = Settings.from_env({k: v for k, v in env.items() if v is not None})
    with build(settings) as built, built.uow() as uow:
        uow.orgunits.upsert(
            [OrgUnit("D1", "一区", OrgUnitLevel.DISTRICT), OrgUnit("H1", "一院", OrgUnitLevel.INSTITUTION, "D1")]
        )  # H2, H3 are not org units
        uow.commit()
    h22 = _write(tmp_path / "2022.csv", worked.Y2022)
    h23 = _write(tmp_path / "2023.csv", worked.Y2023)
    cur = _write(tmp_path / "2024.csv", worked.CURRENT)
    args = [
        "dip",
        "settle",
        "--history",
        str(h22),
        "--history",
        str(h23),
        "--current",
        str(cur),
        "--threshold",
        "5",
        "--year-weights",
        "1,3",
        "--level",
        "三级=1.2",
        "--level",
        "二级=1.0",
        "--level",
        "一级=0.8",
        "--primary",
        "J18.9|-",
        "--budget",
        "107600",
        "--ratio",
        "0.8",
        "--write",
    ]
    runner = CliRunner()
    first = runner.invoke(app, args, env=env)
    assert first.exit_code == 2, first.output  # E11.9 ungrouped: reported; the rest settle and save
    assert "H2、H3" in first.output  # named: counted in the district only
    vbp = tmp_path / "vbp.csv"
    vbp.write_text(
        "hospital,year,generic,base_volume,base_price,ratio,actual_fund,assessment\nH1,2024,X,1000,2,0.7,400,0.9\n",
        encoding="utf-8",
    )  # saving 1 000, retained 450
    assert runner.invoke(app, ["vbp", "retain", str(vbp), "--write"], env=env).exit_code == 0
    with build(settings) as built, built.uow() as uow:
        stored = uow.values.current_versions(
            ["DIP_INSTITUTIONS", "DIP_CORE_SHARE", "DIP_RETAINED", "DIP_POINT_VALUE", "VBP_RETAINED", "VBP_SAVING"],
            ["2024"],
        )
    got = {(k, org): v.value for (k, org, _), v in stored.items()}
    assert got == {
        ("DIP_INSTITUTIONS", "D1"): 3.0,  # H1, H2, H3 settled DIP cases
        ("DIP_POINT_VALUE", "D1"): 80.0,  # as worked out by hand
        ("DIP_RETAINED", "D1"): 1000.0,  # only H2 keeps a surplus: fund due 10 520 − booked 9 520
        ("DIP_RETAINED", "H1"): 0.0,  # H1 overran
        ("DIP_CORE_SHARE", "D1"): 70.0,  # 7 of 10 cases in core groups (K35, K29: comprehensive; E11: none)
        ("DIP_CORE_SHARE", "H1"): 75.0,  # 3 of H1's 4 cases
        ("VBP_RETAINED", "D1"): 450.0,
        ("VBP_RETAINED", "H1"): 450.0,
        ("VBP_SAVING", "D1"): 1000.0,
        ("VBP_SAVING", "H1"): 1000.0,
    }
    again = runner.invoke(app, args, env=env)  # the same inputs: nothing new
    assert "新版本 new versions 0" in again.output and "未变 unchanged 6" in again.output


def test_settle_takes_each_hospitals_assessment_and_advances_from_a_terms_sheet(tmp_path: Path) -> None:
    """The worked example's clearing (docs/payment.md) through the CLI: finals 14 208, 1 994 and 6 200."""
    h22 = _write(tmp_path / "2022.csv", worked.Y2022)
    h23 = _write(tmp_path / "2023.csv", worked.Y2023)
    cur = _write(tmp_path / "2024.csv", worked.CURRENT)
    terms = tmp_path / "terms.csv"
    terms.write_text('机构,考核系数,月度预拨\nH1,,"40,000"\nH2,0.95,8000\nH3,,40000\nH9,1.0,5000\n', encoding="utf-8")
    common = [
        "--history",
        str(h22),
        "--history",
        str(h23),
        "--current",
        str(cur),
        "--threshold",
        "5",
        "--year-weights",
        "1,3",
        "--level",
        "三级=1.2",
        "--level",
        "二级=1.0",
        "--level",
        "一级=0.8",
        "--primary",
        "J18.9|-",
        "--budget",
        "107600",
        "--ratio",
        "0.8",
    ]
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "dip",
            "settle",
            *common,
            "--terms",
            str(terms),
            "--band",
            "0.2",
            "--surplus-share",
            "1",
            "--overrun-share",
            "0.5",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 2, result.stderr  # the one ungrouped case, as without terms
    by_h = {h["hospital"]: h for h in json.loads(result.stdout)["hospitals"]}
    assert {h: round(v["final"], 6) for h, v in by_h.items()} == {"H1": 14208, "H2": 1994, "H3": 6200}
    assert (by_h["H2"]["assessment"], by_h["H1"]["assessment"], by_h["H1"]["advances"]) == (0.95, 1.0, 40000)
    assert "H9" in result.stderr and "未参与清算" in result.stderr  # advances paid, no case to clear them against

    wider = runner.invoke(app, ["dip", "settle", *common, "--terms", str(terms), "--band", "0.5", "--format", "json"])
    h1 = {h["hospital"]: h for h in json.loads(wider.stdout)["hospitals"]}["H1"]
    assert round(h1["shared_overrun"], 6) == 0.5 * 19_200  # the whole overrun now inside the band

    diff = runner.invoke(
        app, ["dip", "whatif", *common, "--terms", str(terms), "--alt-budget", "121050", "--format", "json"]
    )
    rows = {r["hospital"]: r for r in json.loads(diff.stdout)}
    assert round(rows["H1"]["entitlement"]) == 8300 and set(rows) == {"H1", "H2", "H3"}


def test_a_bad_terms_sheet_stops_the_settlement_and_names_every_problem(tmp_path: Path) -> None:
    h23 = _write(tmp_path / "2023.csv", worked.Y2023)
    cur = _write(tmp_path / "2024.csv", worked.CURRENT)
    terms = tmp_path / "terms.csv"
    terms.write_text("机构,考核系数,月度预拨\nH1,高,100\nH2,0.9,-5\nH1,1,1\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "dip",
            "settle",
            "--history",
            str(h23),
            "--current",
            str(cur),
            "--budget",
            "107600",
            "--ratio",
            "0.8",
            "--terms",
            str(terms),
        ],
    )
    assert result.exit_code == 2 and result.stdout == ""
    for where in ("第2行 row 2 考核系数", "第3行 row 3 月度预拨", "第4行 row 4 机构"):
        assert where in result.stderr
