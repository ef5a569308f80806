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
            w.writerow({"case_id": c.case_id, "hospital": c.hospital, "hospital_level": c.hospital_level,
                        "main_dx": c.main_dx, "total_cost": c.total_cost, "admission": c.admission.isoformat(),
                        "discharge": c.discharge.isoformat(), "main_proc": c.main_proc,
                        "fund_paid": c.fund_paid, "patient_paid": c.patient_paid} | {
                            k: "" for k in FIELDS if k not in {"case_id", "hospital", "hospital_level", "main_dx",
                                                                "total_cost", "admission", "discharge", "main_proc",
                                                                "fund_paid", "patient_paid"}})
    return path


def test_settle_and_whatif_through_the_cli(tmp_path: Path) -> None:
    h22 = _write(tmp_path / "2022.csv", worked.Y2022)
    h23 = _write(tmp_path / "2023.csv", worked.Y2023)
    cur = _write(tmp_path / "2024.csv", worked.CURRENT)
    common = ["--history", str(h22), "--history", str(h23), "--current", str(cur), "--threshold", "5",
              "--year-weights", "1,3", "--level", "三级=1.2", "--level", "二级=1.0", "--level", "一级=0.8",
              "--primary", "J18.9|-", "--budget", "107600", "--ratio", "0.8"]
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

    rename = {"H1": "=HYPERLINK(\"x\")"}  # a hospital name a spreadsheet would run as a formula
    cur = [dataclasses.replace(c, hospital=rename.get(c.hospital, c.hospital)) for c in worked.CURRENT]
    h22 = _write(tmp_path / "2022.csv", worked.Y2022)
    h23 = _write(tmp_path / "2023.csv", worked.Y2023)
    cur_path = _write(tmp_path / "2024.csv", cur)
    common = ["dip", "settle", "--history", str(h22), "--history", str(h23), "--current", str(cur_path),
              "--threshold", "5", "--year-weights", "1,3", "--level", "三级=1.2", "--level", "二级=1.0",
              "--level", "一级=0.8", "--primary", "J18.9|-", "--budget", "107600", "--ratio", "0.8", "--format", "json"]
    runner = CliRunner()
    ref = runner.invoke(app, [*common, "--engine", "reference"])
    col = runner.invoke(app, [*common, "--engine", "columnar", "--xlsx", str(tmp_path / "s.xlsx")])
    assert ref.exit_code == col.exit_code == 2
    assert json.loads(ref.stdout) == json.loads(col.stdout)
    wb = load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames == ["年度清算", "病种目录", "未入组病例"]
    settle_rows = list(wb["年度清算"].iter_rows(values_only=True))
    assert settle_rows[0][0] == "机构 hospital" and len(settle_rows) == 4
    assert settle_rows[1][0] == "'=HYPERLINK(\"x\")"           # escaped: shown as text, never run
    assert settle_rows[1][3] == 66400                          # entitlement, as worked out by hand
    assert [r[0] for r in wb["未入组病例"].iter_rows(min_row=2, values_only=True)] == ["2024-10"]
    assert {r[0] for r in wb["病种目录"].iter_rows(min_row=2, values_only=True)} == {
        "K80.1|51.2300", "J18.9|-", "K35|相关手术", "K29|诊断性操作"}
