"""DIP options on the command line (issue 17, item 5): the outlier base and the 0.5 / 2 / 5 thresholds,
recorded with the figures on the console, in JSON and in the XLSX.

Hand figures on the worked example of docs/payment.md (year weights 0.25 / 0.75; levels 三级 H1,
二级 H2, 一级 H3; coefficients 1.2 / 1.0 / 0.8; J18.9 基层 at 1.0).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from yigai.cli.main import app

from .test_dip_cli import _write
from .test_dip_worked_example import CURRENT, Y2022, Y2023


def _score(tmp_path: Path, *extra: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    h22 = _write(tmp_path / "2022.csv", Y2022)
    h23 = _write(tmp_path / "2023.csv", Y2023)
    cur = _write(tmp_path / "2024.csv", CURRENT)
    r = CliRunner().invoke(
        app,
        [
            "dip",
            "score",
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
            "--format",
            "json",
            *extra,
        ],
    )
    return r.exit_code, json.loads(r.stdout) if r.stdout else {}, r.stderr


def _by_case(data: dict) -> dict[str, tuple[str, float, float]]:  # type: ignore[type-arg]
    return {r["case_id"]: (r["label"], r["k_dev"], r["points"]) for r in data["scored"]}


def test_the_default_outlier_base_and_thresholds_are_recorded(tmp_path: Path) -> None:
    code, data, err = _score(tmp_path)
    assert code == 2  # 2024-10 (E11.9) cannot be grouped
    assert data["parameters"]["outlier_base"] == "group"
    assert (data["parameters"]["low"], data["parameters"]["high"], data["parameters"]["extreme"]) == (0.5, 2.0, 5.0)
    assert "outlier_base=group" in err and "low=0.5" in err
    rows = _by_case(data)
    assert rows["2024-02"] == ("高倍率", 1.5, pytest.approx(360))  # A = 16 000 × 1.2, C/A = 2.5
    assert rows["2024-08"][0] == "特例单议"  # C/A = 64 000 / 12 800 = 5


def test_the_same_level_mean_as_outlier_base(tmp_path: Path) -> None:
    """A = the group's year-weighted mean at hospitals of the case's level (by hand from the history):

    K80.1 三级 (H1): 2022 15 000, 2023 (14 000 + 16 000)/2 = 15 000 → 15 000;
    K80.1 二级 (H2): 0.25·17 000 + 0.75·18 000 = 17 750; K80.1 一级: no case → 16 000 × 0.8 = 12 800;
    J18.9 三级: 2023 only, 3 000; J18.9 一级: 0.25·4 000 + 0.75·(4 000 + 5 000)/2 = 4 375;
    K35 三级: 0.25·12 000 + 0.75·10 000 = 10 500; K29 二级: 0.25·4 000 + 0.75·1 000 = 1 750.
    """
    code, data, _ = _score(tmp_path, "--outlier-base", "level")
    assert code == 2
    assert data["parameters"]["outlier_base"] == "level"
    rows = _by_case(data)
    assert rows["2024-01"] == ("正常", 1.0, pytest.approx(240))  # 19 200 / 15 000 = 1.28
    assert rows["2024-02"] == ("高倍率", pytest.approx(2.2), pytest.approx(528))  # 48 000 / 15 000 = 3.2 → 2.2
    assert rows["2024-03"] == ("正常", 1.0, pytest.approx(50))  # 4 000 / 3 000 = 1.33
    assert rows["2024-04"] == ("正常", 1.0, pytest.approx(180))  # 14 400 / 10 500 = 1.37
    assert rows["2024-05"] == ("低倍率", pytest.approx(6400 / 17750), pytest.approx(200 * 6400 / 17750))
    assert rows["2024-07"] == ("正常", 1.0, pytest.approx(31.25))  # 2 500 / 1 750 = 1.43
    assert rows["2024-08"] == ("特例单议", 4.0, pytest.approx(640))  # no 一级 history: 12 800, ratio 5
    assert rows["2024-09"] == ("低倍率", pytest.approx(2000 / 4375), pytest.approx(50 * 2000 / 4375))


def test_thresholds_from_the_command_line(tmp_path: Path) -> None:
    code, data, _ = _score(tmp_path, "--low", "0.3", "--high", "3", "--extreme", "6")
    assert code == 2
    rows = _by_case(data)
    assert rows["2024-02"] == ("正常", 1.0, pytest.approx(240))  # 2.5 is no longer above high
    assert rows["2024-05"] == ("正常", 1.0, pytest.approx(200))  # 0.4 is no longer below low
    assert rows["2024-08"] == ("高倍率", 3.0, pytest.approx(480))  # 5 > 3: k = 5 − (3 − 1); 5 < 6: not 特例单议
    assert (data["parameters"]["low"], data["parameters"]["high"], data["parameters"]["extreme"]) == (0.3, 3.0, 6.0)


def test_thresholds_out_of_order_are_refused(tmp_path: Path) -> None:
    code, _, err = _score(tmp_path, "--low", "1.5")
    assert code == 2
    flat = "".join(err.replace("│", "").split())  # the message as shown in a box, folded
    assert "0<low<1<high" in flat and "偏差病例阈值" in flat


def test_the_settlement_workbook_records_the_parameters(tmp_path: Path) -> None:
    h23 = _write(tmp_path / "2023.csv", Y2022 + Y2023)
    cur = _write(tmp_path / "2024.csv", CURRENT)
    r = CliRunner().invoke(
        app,
        [
            "dip",
            "settle",
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
            "--outlier-base",
            "level",
            "--high",
            "2.5",
            "--xlsx",
            str(tmp_path / "s.xlsx"),
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 2
    assert json.loads(r.stdout)["parameters"]["high"] == 2.5
    params = dict(list(load_workbook(tmp_path / "s.xlsx")["参数"].iter_rows(values_only=True))[1:])
    assert params["outlier_base"] == "level" and params["high"] == 2.5 and params["extreme"] == 5.0
    assert params["level_coefficients"] == "三级=1.2,二级=1,一级=0.8"
