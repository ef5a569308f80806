"""Payment inputs refused or set aside are said, and every importer exits by one rule (issue 16, item 6).

The rule: exit 0 when every record was read and every case settled; exit 2 when anything was
refused (a bad record, an empty file) or set aside (a case that could not be grouped or scored),
each listed with its reason on the console and in JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from yigai.cli.main import app

HEADER = "case_id,hospital,hospital_level,main_dx,main_proc,total_cost,fund_paid,patient_paid,admission,discharge\n"
HISTORY = HEADER + "".join(
    f"h{i},H1,三级,K80.100,51.2300,{10000 + 1000 * i},{8000 + 800 * i},{2000 + 200 * i},2023-03-01,2023-03-05\n"
    for i in range(3)
)
CURRENT = HEADER + (
    "c1,H1,三级,K80.100,51.2300,11000,8800,2200,2024-03-01,2024-03-05\n"
    "c2,H1,三级,K80.100,51.2300,12000,9600,2400,2024-04-01,2024-04-05\n"
)
SETTLE = [
    "--threshold",
    "1",
    "--year-weights",
    "1",
    "--level",
    "三级=1",
    "--budget",
    "160",
    "--ratio",
    "0.8",
    "--format",
    "json",
]


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _settle(tmp_path: Path, history: str, current: str) -> tuple[int, str, str]:
    h = _file(tmp_path, "history.csv", history)
    c = _file(tmp_path, "current.csv", current)
    r = CliRunner().invoke(app, ["dip", "settle", "--history", str(h), "--current", str(c), *SETTLE])
    return r.exit_code, r.stdout, r.stderr


def test_clean_inputs_settle_with_exit_0(tmp_path: Path) -> None:
    code, out, _ = _settle(tmp_path, HISTORY, CURRENT)
    assert code == 0
    data = json.loads(out)
    assert data["point_value"] == 1.0  # (160 / 0.8) / (100 + 100) points: M = 11 000, both cases within 0.5-2 ×
    assert data["unsettled"] == [] and data["bad"] == []


def test_a_header_only_current_file_is_an_error_not_a_point_value_of_0(tmp_path: Path) -> None:
    code, out, err = _settle(tmp_path, HISTORY, HEADER)
    assert code == 2
    assert out == ""  # nothing settled, nothing printed as a result
    assert "current.csv" in err and "没有病例" in err and "no case records" in err


def test_an_empty_current_file_is_an_error(tmp_path: Path) -> None:
    code, _, err = _settle(tmp_path, HISTORY, "")
    assert code == 2
    assert "current.csv" in err and "没有病例" in err


def test_an_empty_or_header_only_history_file_is_an_input_error_not_an_internal_one(tmp_path: Path) -> None:
    for text in ("", HEADER):
        code, _, err = _settle(tmp_path, text, CURRENT)
        assert code == 2, err
        assert "内部错误" not in err and "history.csv" in err and "没有病例" in err


def test_a_history_of_only_bad_records_is_an_input_error(tmp_path: Path) -> None:
    code, _, err = _settle(tmp_path, HEADER + "h1,H1,三级,K80.100,51.2300,abc,0,0,2023-03-01,2023-03-05\n", CURRENT)
    assert code == 2
    assert "内部错误" not in err and "没有可用病例" in err


def test_cases_not_settled_are_counted_and_listed_with_their_reason_on_the_console_and_in_json(tmp_path: Path) -> None:
    current = (
        CURRENT + "c3,H2,四级,K80.100,51.2300,11000,8800,2200,2024-05-01,2024-05-05\n"
        "c4,H1,三级,E11.900,,11000,8800,2200,2024-05-01,2024-05-05\n"
    )
    code, out, err = _settle(tmp_path, HISTORY, current)
    assert code == 2
    data = json.loads(out)
    unsettled = {u["case_id"]: u for u in data["unsettled"]}
    assert set(unsettled) == {"c3", "c4"}
    assert unsettled["c3"]["hospital"] == "H2" and "四级" in unsettled["c3"]["reason"]
    assert "E11" in unsettled["c4"]["reason"]
    assert "2 例未结算" in err and "2 cases not settled" in err
    assert "c3" in err and "四级" in err and "c4" in err
    assert data["point_value"] == 1.0  # the two settled cases settle as before


def test_a_zero_cost_case_is_refused_with_its_row_and_field(tmp_path: Path) -> None:
    current = CURRENT + "c5,H1,三级,K80.100,51.2300,0,0,0,2024-05-01,2024-05-05\n"
    code, out, err = _settle(tmp_path, HISTORY, current)
    assert code == 2
    data = json.loads(out)
    assert data["bad"] == [
        {
            "file": "current.csv",
            "row": 4,
            "field": "total_cost",
            "case_id": "c5",
            "reason": "总费用为 0 / zero total cost",
        }
    ]
    assert "current.csv 第4行" in err and "总费用为 0" in err
    assert data["point_value"] == 1.0


def test_dip_exits_2_on_a_bad_record_even_when_every_good_case_settles(tmp_path: Path) -> None:
    current = CURRENT + "c6,H1,三级,K80.100,51.2300,abc,0,0,2024-05-01,2024-05-05\n"
    code, out, err = _settle(tmp_path, HISTORY, current)
    assert code == 2
    assert json.loads(out)["unsettled"] == []
    assert "金额不是数字" in err
    h = _file(tmp_path, "history.csv", HISTORY + "h9,H1,三级,K80.100,51.2300,abc,0,0,2023-03-01,2023-03-05\n")
    built = CliRunner().invoke(app, ["dip", "build", "--history", str(h), "--threshold", "1", "--format", "json"])
    assert built.exit_code == 2


def test_drg_group_and_vbp_retain_refuse_a_header_only_file(tmp_path: Path) -> None:
    drg = _file(tmp_path, "drg.csv", "case_id,main_diagnosis,cost\n")
    r = CliRunner().invoke(app, ["drg", "group", str(drg), "--format", "json"])
    assert r.exit_code == 2 and "没有病例" in r.stderr
    vbp = _file(
        tmp_path,
        "vbp.csv",
        "hospital,year,generic,product,base_volume,base_price,ratio,actual_fund,"
        "agreed_volume,completed_volume,assessment\n",
    )
    r = CliRunner().invoke(app, ["vbp", "retain", str(vbp), "--format", "json"])
    assert r.exit_code == 2 and "表头下没有记录" in r.stderr
