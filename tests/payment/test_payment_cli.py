"""``yigai drg group`` and ``yigai vbp retain`` on small files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from yigai.cli.main import app
from yigai.payment.drg import demo_pack_dir

DEMO = str(demo_pack_dir())


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_drg_group_with_the_demo_pack(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "case_id,main_diagnosis,other_diagnoses,main_procedure,cost\n"
        "c1,K80.100,N17.900,51.2300,16000\n"  # HC11
        "c2,K80.100,,51.2200,4000\n"  # HC15; mean of both 10000 → RW 1.6 and 0.4
        "c3,Z99.000,,,5000\n"  # 0000, left out of the weights
        "c4,,,,1\n",  # row 5: main diagnosis missing
        encoding="utf-8",
    )
    result = _run("drg", "group", str(path), "--pack", DEMO, "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert [c["drg"] for c in data["cases"]] == ["HC11", "HC15", "0000"]
    assert data["weights"] == {"HC11": "1.6", "HC15": "0.4"}
    assert data["bad"] == [{"row": 5, "field": "main_diagnosis", "reason": "missing / 缺失"}]
    assert all(c["trace"] for c in data["cases"])
    table = _run("drg", "group", str(path), "--pack", DEMO, "--trace")
    assert "HC11" in table.stdout and "MDCH" in table.stdout


def test_drg_group_rejects_a_missing_pack(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("case_id,main_diagnosis\nc1,K80.100\n", encoding="utf-8")
    result = _run("drg", "group", str(path), "--pack", str(tmp_path))
    assert result.exit_code == 2 and "pack.yaml" in result.output


def test_vbp_retain(tmp_path: Path) -> None:
    path = tmp_path / "vbp.csv"
    # budget 1000 × 2 × 0.7 = 1400, actual 400, saving 1000; share 0.8 capped at 0.5, k 0.9 → 450
    path.write_text(
        "hospital,year,generic,base_volume,base_price,ratio,actual_fund,assessment\n甲,2024,X,1000,2,0.7,400,0.9\n",
        encoding="utf-8",
    )
    result = _run("vbp", "retain", str(path), "--share", "0.8", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["hospitals"][0]["saving"] == "1000.0" and float(data["retained"]) == 450
    assert "甲" in _run("vbp", "retain", str(path)).stdout


def test_drg_group_and_vbp_retain_write_workbooks(tmp_path: Path) -> None:
    from decimal import Decimal

    from openpyxl import load_workbook

    cases = tmp_path / "cases.csv"
    cases.write_text(
        "case_id,main_diagnosis,other_diagnoses,main_procedure,cost,hospital\n"
        "c1,K80.100,N17.900,51.2300,16000,=cmd|' /C calc'!A0\n"
        "c2,K80.100,,51.2200,4000,H2\n"
        "c3,Z99.000,,,5000,H2\n",
        encoding="utf-8",
    )
    out = tmp_path / "drg.xlsx"
    assert _run("drg", "group", str(cases), "--pack", DEMO, "--xlsx", str(out)).exit_code == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["DRG分组", "DRG权重"]
    rows = list(wb["DRG分组"].iter_rows(min_row=2, values_only=True))
    assert [r[:3] for r in rows] == [("c1", "'=cmd|' /C calc'!A0", "HC11"), ("c2", "H2", "HC15"), ("c3", "H2", "0000")]
    assert rows[0][5] == 1.6 and rows[2][5] is None  # RW; 0000 has none
    assert " → " in rows[0][7]  # the grouping trace
    # HC11: 1 case, mean 16 000, RW 16 000 / 10 000; HC15: 4 000 / 10 000
    assert list(wb["DRG权重"].iter_rows(min_row=2, values_only=True)) == [
        ("HC11", 1, 16000, 1.6),
        ("HC15", 1, 4000, 0.4),
    ]

    vbp = tmp_path / "vbp.csv"
    vbp.write_text(
        "hospital,year,generic,base_volume,base_price,ratio,actual_fund,assessment,agreed_volume,"
        "completed_volume\n"
        "甲,2024,X,1000,2,0.7,400,0.9,,\n"  # 1400 − 400 = 1000 × 0.5 × 0.9 = 450
        "甲,2024,Y,100,10,0.5,300,0.9,50,40\n",  # 500 − 300 = 200, agreed volume not met → 0
        encoding="utf-8",
    )
    out = tmp_path / "vbp.xlsx"
    assert _run("vbp", "retain", str(vbp), "--xlsx", str(out)).exit_code == 0
    wb = load_workbook(out)
    assert list(wb["结余留用"].iter_rows(min_row=2, values_only=True)) == [("甲", 2024, 1900, 700, 1200, 450, "Y")]
    generics = {r[2]: r for r in wb["通用名明细"].iter_rows(min_row=2, values_only=True)}
    assert generics["X"][5:] == (1000, 0.5, 0.9, "是", 450)
    assert generics["Y"][5:] == (200, 0.5, 0.9, "否", 0)
    assert Decimal(str(generics["X"][3])) == Decimal("1400")


def test_drg_group_on_the_national_pack_states_the_scheme_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "清单.csv"
    path.write_text(
        "病案号,性别,年龄,年龄（天）,新生儿出生体重,住院天数,离院方式,主要诊断,其他诊断,手术操作,总费用\n"
        "c1,男,70,,,8,1,J18.900,R57.000,,9000\n"  # ES31: 休克 is an MCC
        "c2,女,0,3,1800,12,1,P07.300,,,20000\n"  # PS25 by birth weight
        "c3,男,50,,,5,1,A01.000x002,,,3000\n"  # 国临版 → A01.003, SR15
        "c4,男,50,,,5,1,K80.100,,,3000\n"  # 灰码 on no MDC table → 0000
        "c5,女,60,,,5,1,J18.900,,81.5400,50000\n",  # knee replacement for pneumonia → EQY
        encoding="utf-8",
    )
    result = _run("drg", "group", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [c["drg"] for c in data["cases"]] == ["ES31", "PS25", "SR15", "0000", "EQY"]
    assert data["summary"] == {
        "ungroupable": 1,
        "qy": 1,
        "grey_principal": 1,
        "mapped": 1,
        "mapped_codes": {"A01.000x002": 1},
        "unknown": 0,
        "unknown_codes": {},
    }
    assert "CHS-DRG 1.1" in result.stderr
    assert "1 0000 未入组 ungroupable, 1 QY 歧义组, 1 灰码主诊断" in " ".join(result.stderr.split())
