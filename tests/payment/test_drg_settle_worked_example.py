"""The DRG settlement worked example of docs/payment.md, computed by hand, run through ``yigai drg settle``.

A regional weight list (HC13 2.0, ES25 0.8, GB15 1.5, KZ19 listed without a weight), base cost
10 000 (the cost of RW 1), points = RW × 100, level coefficients 三级 1.2 / 二级 1.0 (一级 none),
F_DRG 118 240, r 0.8, terms: H1 advances 50 000; H2 考核系数 0.95, advances 40 000, booked fund
50 000. Patients pay 20 % and the fund 80 % of every cost.

| case | hospital | DRG | cost | A = RW × 10 000 × k | C/A | k_dev | points = RW × 100 × k × k_dev |
| d1 | H1 三级 | HC13 | 24 000 | 24 000 | 1   | 1   | 240 |
| d2 | H1 三级 | HC13 | 60 000 | 24 000 | 2.5 | 1.5 (高倍率) | 360 |
| d3 | H1 三级 | ES25 |  9 600 |  9 600 | 1   | 1   | 96 |
| d4 | H2 二级 | ES25 |  3 200 |  8 000 | 0.4 | 0.4 (低倍率) | 32 |
| d5 | H2 二级 | GB15 | 15 000 | 15 000 | 1   | 1   | 150 |
| d6 | H2 二级 | GB15 | 75 000 | 15 000 | 5   | 4 (特例单议) | 600 |
| d7 | H2 二级 | KZ19 |  5 000 | not settled: KZ19 has no weight |
| d8 | H3 一级 | ES25 |  6 000 | not settled: 一级 has no level coefficient |
| d9 | H1 三级 | 0000 |  7 000 | not settled: 0000 is not in the list |

Σ points = 696 (H1) + 782 (H2) = 1 478; PV = (118 240 / 0.8) / 1 478 = 147 800 / 1 478 = 100.
H1: entitlement 69 600; patients 18 720 (20 % of 93 600); fund due 50 880; booked 74 880 (80 %):
overrun 24 000, counted up to 0.2 × 50 880 = 10 176, fund shares half: 5 088; payment 55 968;
final 55 968 − 50 000 = 5 968.
H2: entitlement 78 200; patients 18 640 (20 % of 93 200); fund due 59 560; × 0.95 = 56 582;
booked 50 000: surplus 6 582 ≤ 0.2 × 56 582, kept in full; payment 56 582; final 16 582.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from yigai.cli.main import app
from yigai.payment.drg import demo_pack_dir

HEADER = "case_id,hospital,hospital_level,main_dx,total_cost,fund_paid,patient_paid,admission,discharge,drg\n"
LEVEL = {"H1": "三级", "H2": "二级", "H3": "一级"}
DX = {"HC13": "K80.100", "ES25": "J18.900", "GB15": "C16.900", "KZ19": "E11.900", "0000": "R69.x00"}


def _cases(rows: list[tuple[str, str, str, int]]) -> str:
    lines = [
        f"{cid},{h},{LEVEL[h]},{DX[drg]},{cost},{cost * 4 // 5},{cost // 5},2024-03-01,2024-03-08,{drg}\n"
        for cid, h, drg, cost in rows
    ]
    return HEADER + "".join(lines)


CURRENT = _cases(
    [
        ("d1", "H1", "HC13", 24000),
        ("d2", "H1", "HC13", 60000),
        ("d3", "H1", "ES25", 9600),
        ("d4", "H2", "ES25", 3200),
        ("d5", "H2", "GB15", 15000),
        ("d6", "H2", "GB15", 75000),
        ("d7", "H2", "KZ19", 5000),
        ("d8", "H3", "ES25", 6000),
        ("d9", "H1", "0000", 7000),
    ]
)
WEIGHTS = (
    "DRG编码,DRG名称,RW\nHC13,胆囊切除术，伴并发症或合并症,2.0\nES25,呼吸系统感染/炎症，不伴并发症或合并症,0.8\n"
    "GB15,食管、胃、十二指肠大手术，不伴并发症或合并症,1.5\nKZ19,其他内分泌代谢疾病,\n"
)
TERMS = "机构,考核系数,月度预拨,医保已记账\nH1,,50000,\nH2,0.95,40000,50000\n"


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, ["drg", "settle", *args])
    return r.exit_code, r.stdout, r.stderr


def _file(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path / name)


def test_the_worked_example_by_hand(tmp_path: Path) -> None:
    code, out, err = _run(
        tmp_path,
        "--current",
        _file(tmp_path, "2024.csv", CURRENT),
        "--weights",
        _file(tmp_path, "w.csv", WEIGHTS),
        "--base-cost",
        "10000",
        "--level",
        "三级=1.2",
        "--level",
        "二级=1.0",
        "--budget",
        "118240",
        "--ratio",
        "0.8",
        "--terms",
        _file(tmp_path, "terms.csv", TERMS),
        "--xlsx",
        str(tmp_path / "drg.xlsx"),
        "--format",
        "json",
    )
    assert code == 2  # three cases set aside, each listed with its reason
    data = json.loads(out)
    assert data["point_value"] == pytest.approx(100)
    assert data["total_points"] == pytest.approx(1478)
    cases = {c["case_id"]: (c["label"], c["expected_cost"], c["k_dev"], c["points"]) for c in data["cases"]}
    assert cases == {
        "d1": ("正常", pytest.approx(24000), 1.0, pytest.approx(240)),
        "d2": ("高倍率", pytest.approx(24000), pytest.approx(1.5), pytest.approx(360)),
        "d3": ("正常", pytest.approx(9600), 1.0, pytest.approx(96)),
        "d4": ("低倍率", pytest.approx(8000), pytest.approx(0.4), pytest.approx(32)),
        "d5": ("正常", pytest.approx(15000), 1.0, pytest.approx(150)),
        "d6": ("特例单议", pytest.approx(15000), pytest.approx(4), pytest.approx(600)),
    }
    assert data["special_review"] == ["d6"]
    h = {x["hospital"]: x for x in data["hospitals"]}
    expected = {
        "H1": dict(
            points=696,
            entitlement=69600,
            patient_paid=18720,
            fund_due=50880,
            assessed_due=50880,
            booked_fund=74880,
            retained=0,
            shared_overrun=5088,
            payment=55968,
            advances=50000,
            final=5968,
        ),
        "H2": dict(
            points=782,
            entitlement=78200,
            patient_paid=18640,
            fund_due=59560,
            assessed_due=56582,
            booked_fund=50000,
            retained=6582,
            shared_overrun=0,
            payment=56582,
            advances=40000,
            final=16582,
        ),
    }
    for name, figures in expected.items():
        assert {k: h[name][k] for k in figures} == {k: pytest.approx(v) for k, v in figures.items()}, name
    unsettled = {u["case_id"]: u["reason"] for u in data["unsettled"]}
    assert set(unsettled) == {"d7", "d8", "d9"}
    assert "KZ19" in unsettled["d7"] and "没有权重" in unsettled["d7"]
    assert "一级" in unsettled["d8"] and "0000" in unsettled["d9"]
    assert "3 例未结算" in err and "d7" in err and "d8" in err and "d9" in err
    assert "特例单议 special review (1): d6" in err
    assert data["parameters"]["base_cost"] == 10000 and data["parameters"]["weights"] == "w"
    wb = load_workbook(tmp_path / "drg.xlsx")
    assert wb.sheetnames == ["年度清算", "病例点数", "未入组病例", "参数"]
    assert [r[0] for r in wb["未入组病例"].iter_rows(min_row=2, values_only=True)] == ["d7", "d8", "d9"]


HISTORY = _cases(
    [("h1", "H1", "HC13", 35000), ("h2", "H2", "HC13", 25000), ("h3", "H1", "ES25", 10000), ("h4", "H2", "ES25", 10000)]
).replace("2024-03", "2023-03")


def test_weights_and_level_coefficients_from_local_history(tmp_path: Path) -> None:
    """History 2023: HC13 35 000 (三级) and 25 000 (二级), ES25 10 000 and 10 000 → M = 80 000 / 4 = 20 000;
    RW HC13 = 30 000 / 20 000 = 1.5 (150 points), ES25 = 0.5 (50); k 三级 = 45 000 / 40 000 = 1.125,
    k 二级 = 35 000 / 40 000 = 0.875. 2024: e1 H1 HC13 33 750 = A (30 000 × 1.125) → 168.75 points;
    e2 H2 ES25 8 750 = A → 43.75. PV = (17 000 / 0.8) / 212.5 = 100: H1 16 875, H2 4 375."""
    current = _cases([("e1", "H1", "HC13", 33750), ("e2", "H2", "ES25", 8750)])
    code, out, _ = _run(
        tmp_path,
        "--current",
        _file(tmp_path, "2024.csv", current),
        "--history",
        _file(tmp_path, "2023.csv", HISTORY),
        "--year-weights",
        "1",
        "--budget",
        "17000",
        "--ratio",
        "0.8",
        "--format",
        "json",
    )
    assert code == 0  # every record read, every case settled
    data = json.loads(out)
    assert data["point_value"] == pytest.approx(100)
    assert {c["case_id"]: c["points"] for c in data["cases"]} == {
        "e1": pytest.approx(168.75),
        "e2": pytest.approx(43.75),
    }
    assert {x["hospital"]: x["entitlement"] for x in data["hospitals"]} == {
        "H1": pytest.approx(16875),
        "H2": pytest.approx(4375),
    }
    assert data["parameters"]["level_coefficients"] == "三级=1.125,二级=0.875"
    assert data["unsettled"] == [] and data["bad"] == []


def test_the_shipped_fuzhou_list(tmp_path: Path) -> None:
    """福州2022: FR25 RW 0.9113, GB15 7.2659. Base cost 10 000, 三级 1: costs at A score RW × 100 points:
    91.13 + 726.59 = 817.72; budget 8 177.2 at r = 1 → point value 10."""
    current = HEADER + (
        "f1,H1,三级,I50.900,9113,7290,1823,2024-03-01,2024-03-08,FR25\n"
        "f2,H1,三级,C16.900,72659,58127,14532,2024-03-01,2024-03-08,GB15\n"
    )
    code, out, err = _run(
        tmp_path,
        "--current",
        _file(tmp_path, "2024.csv", current),
        "--weights",
        "福州2022",
        "--base-cost",
        "10000",
        "--level",
        "三级=1",
        "--budget",
        "8177.2",
        "--ratio",
        "1",
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert {c["case_id"]: c["rw"] for c in data["cases"]} == {"f1": 0.9113, "f2": 7.2659}
    assert data["point_value"] == pytest.approx(10)
    assert data["parameters"]["weights"] == "福州2022"


def test_cases_without_a_drg_are_grouped_by_the_pack(tmp_path: Path) -> None:
    """The illustrative pack groups K80.100 + 51.2300 (with N17.900 an MCC) to HC11 (yigai drg group's example)."""
    current = (
        "case_id,hospital,hospital_level,main_dx,other_dx,main_proc,total_cost,fund_paid,patient_paid,"
        "admission,discharge\n"
        "g1,H1,三级,K80.100,N17.900,51.2300,16000,12800,3200,2024-03-01,2024-03-08\n"
    )
    weights = "DRG编码,RW\nHC11,1.6\n"
    code, out, err = _run(
        tmp_path,
        "--current",
        _file(tmp_path, "2024.csv", current),
        "--weights",
        _file(tmp_path, "w.csv", weights),
        "--base-cost",
        "10000",
        "--level",
        "三级=1",
        "--budget",
        "1600",
        "--ratio",
        "1",
        "--format",
        "json",
        "--pack",
        str(demo_pack_dir()),
    )
    assert code == 0, err
    data = json.loads(out)
    assert [(c["drg"], c["points"]) for c in data["cases"]] == [("HC11", pytest.approx(160))]
    assert "已按规则包" in err


def test_no_weight_source_is_an_input_error(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "--current", _file(tmp_path, "2024.csv", CURRENT), "--budget", "1", "--ratio", "1")
    assert code == 2 and "内部错误" not in err
    code, _, err = _run(
        tmp_path,
        "--current",
        _file(tmp_path, "2024.csv", CURRENT),
        "--weights",
        "无此地2099",
        "--budget",
        "1",
        "--ratio",
        "1",
    )
    assert code == 2 and "福州2022" in "".join(err.replace("│", "").split())


def test_the_same_level_mean_as_outlier_base(tmp_path: Path) -> None:
    """e3 H2 (二级) HC13 60 000. Group base: A = 30 000 × 0.875 = 26 250, C/A = 2.2857…, k = 1.2857…;
    level base: A = H2's own HC13 mean 25 000, C/A = 2.4, k = 1.4 → 150 × 0.875 × 1.4 = 183.75 points."""
    current = _file(tmp_path, "2024.csv", _cases([("e3", "H2", "HC13", 60000)]))
    history = _file(tmp_path, "2023.csv", HISTORY)
    common = [
        "--current",
        current,
        "--history",
        history,
        "--year-weights",
        "1",
        "--budget",
        "1000",
        "--ratio",
        "1",
        "--format",
        "json",
    ]
    _, group, _ = _run(tmp_path, *common)
    _, level, _ = _run(tmp_path, *common, "--outlier-base", "level")
    assert json.loads(group)["cases"][0]["k_dev"] == pytest.approx(60000 / 26250 - 1)
    case = json.loads(level)["cases"][0]
    assert (case["expected_cost"], case["k_dev"], case["points"]) == (25000, pytest.approx(1.4), pytest.approx(183.75))
    assert json.loads(level)["parameters"]["outlier_base"] == "level"
