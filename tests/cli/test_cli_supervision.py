"""The supervision commands end to end on seed 004: set-up, reports, values, targets, evaluation, errors."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import Result

from yigai.cli.main import app
from yigai.data import seed_paths

from .conftest import _invoker

Invoke = Callable[..., Result]
SEED_004 = str(seed_paths()[4])
REFERENCE = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text("utf-8")  # the CLI reference


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def _json(result: Result) -> Any:
    return json.loads(_ok(result).stdout)


@pytest.fixture(scope="module")
def supervised_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed 004 as plan 1, the 仓山区 org units, a quarterly schedule and a 卫健委 reporter, set up once."""
    folder = tmp_path_factory.mktemp("supervised")
    invoke = _invoker(folder)
    _ok(invoke("import", SEED_004))
    _ok(invoke("orgunits", "load"))
    _ok(invoke("schedule", "1", "--type", "quarterly", "--from", "2021Q3", "--to", "2023Q4", "--due-days", "15"))
    _ok(invoke("users", "add", "wjw", "--name", "卫健委填报员", "--role", "department_reporter", "--dept", "区卫健局"))
    return folder / "var"


@pytest.fixture
def supervised(supervised_template: Path, tmp_path: Path, yigai: Invoke) -> Invoke:
    """A copy of the template database for one test (``yigai`` runs against ``tmp_path/var``)."""
    shutil.copytree(supervised_template, tmp_path / "var")
    return yigai


def test_setup_commands(supervised: Invoke) -> None:
    units = _json(supervised("orgunits", "list", "--under", "350104101", "--format", "json"))
    assert [u["name"] for u in units] == ["城门镇", "城门镇卫生院", "城门镇林浦村卫生室", "城门镇龙江村卫生室"]
    users = _json(supervised("users", "list", "--format", "json"))
    assert [(u["username"], u["role"], u["departments"]) for u in users] == [
        ("admin", "office_admin", []),
        ("wjw", "department_reporter", ["区卫生健康委"]),
    ]
    periods = _json(
        supervised("schedule", "1", "--type", "quarterly", "--from", "2021Q3", "--to", "2023Q4", "--format", "json")
    )["periods"]
    assert [p["id"] for p in periods][::9] == ["2021Q3", "2023Q4"]
    table = _ok(
        supervised("schedule", "仓医改组〔2021〕1号", "--type", "quarterly", "--from", "2021Q3", "--to", "2023Q4")
    ).stdout
    assert "2023年第4季度" in table and "2024-01-15" in table
    _ok(supervised("departments-alias", "add", "仓山区卫生健康局", "区卫健委"))
    depts = _json(supervised("departments-alias", "list", "--format", "json"))
    health = next(d for d in depts if d["name"] == "区卫生健康委")
    assert "仓山区卫生健康局" in health["aliases"] and health["in_plans"]


def test_a_report_through_the_review_workflow(supervised: Invoke, tmp_path: Path) -> None:
    evidence = tmp_path / "专家名单.pdf"
    evidence.write_bytes(b"%PDF-1.4 minimal")
    base = ["1", "T4.M2", "--period", "2023Q4"]
    saved = _ok(
        supervised(
            "report",
            "save",
            *base,
            "--dept",
            "仓山区卫健局",
            "--status",
            "推进中",
            "--percent",
            "60",
            "--narrative",
            "已组建专家咨询委员会",
            "--evidence",
            str(evidence),
            "--user",
            "wjw",
        )
    )
    assert "第 1 版" in saved.stderr and "草稿" in saved.stderr
    _ok(supervised("report", "submit", *base, "--user", "wjw"))
    _ok(supervised("report", "return", *base, "--comment", "请补充名单"))
    _ok(supervised("report", "resubmit", *base, "--user", "wjw"))
    _ok(supervised("report", "accept", *base))
    _ok(
        supervised(
            "report",
            "contribute",
            "1",
            "T14.M2",
            "--period",
            "2023Q4",
            "--dept",
            "区卫健委",
            "--text",
            "提供护理机构名单",
            "--user",
            "wjw",
        )
    )
    versions = _json(supervised("report", "history", *base, "--format", "json"))
    assert [(v["version"], v["state"]) for v in versions] == [
        (1, "draft"),
        (2, "submitted"),
        (3, "returned"),
        (4, "submitted"),
        (5, "accepted"),
    ]
    assert versions[2]["review_comment"] == "请补充名单" and versions[0]["department"] == "区卫生健康委"
    assert versions[-1]["evidence"][0]["filename"] == "专家名单.pdf"
    sha = versions[-1]["evidence"][0]["sha256"]
    stored = tmp_path / "var" / "evidence" / sha[:2] / sha[2:]
    assert stored.read_bytes() == evidence.read_bytes()
    assert "请补充名单" in _ok(supervised("report", "history", *base)).stdout
    owed = _json(supervised("report", "owed", "1", "--dept", "区卫健委", "--period", "2023Q4", "--format", "json"))
    assert "T4.M2" not in {r["item_id"] for r in owed} and all(r["owed"] for r in owed)
    every = _json(
        supervised("report", "owed", "1", "--dept", "区卫健委", "--period", "2023Q4", "--all", "--format", "json")
    )
    assert {r["item_id"]: r["label"] for r in every}["T4.M2"] == "已采纳"
    assert "待报" in _ok(supervised("report", "owed", "1", "--period", "2023Q4")).stdout


@pytest.mark.parametrize(
    ("args", "code", "fragments"),
    [
        (
            [
                "report",
                "save",
                "1",
                "T14.M2",
                "--period",
                "2023Q4",
                "--dept",
                "区卫健委",
                "--status",
                "推进中",
                "--percent",
                "10",
                "--user",
                "wjw",
            ],
            2,
            ["配合部门而非牵头部门", "does not lead"],
        ),
        (
            [
                "report",
                "save",
                "1",
                "T27.M4",
                "--period",
                "2023Q4",
                "--dept",
                "区医保局",
                "--status",
                "推进中",
                "--percent",
                "10",
                "--user",
                "wjw",
            ],
            1,
            ["无权", "may not report"],
        ),
        (
            [
                "report",
                "save",
                "1",
                "T4.M2",
                "--period",
                "2025Q1",
                "--dept",
                "区卫健委",
                "--status",
                "推进中",
                "--percent",
                "10",
            ],
            2,
            ["period:", "不在本计划的报送期内"],
        ),
        (
            [
                "report",
                "save",
                "1",
                "T4.M2",
                "--period",
                "2023Q4",
                "--dept",
                "区卫健委",
                "--status",
                "推进中",
                "--percent",
                "150",
            ],
            2,
            ["percent:", "0-100"],
        ),
        (["report", "accept", "1", "T4.M2", "--period", "2023Q4"], 2, ["尚无报告", "no report"]),
        (["values", "enter", "NO_SUCH", "350104", "2023Q4", "1"], 2, ["indicator:", "未知指标"]),
        (["values", "enter", "FD_COVERAGE", "350104", "2024Q3", "70", "--plan", "1"], 2, ["period:", "报送期"]),
        (["values", "enter", "FD_COVERAGE", "350104", "2023Q9", "70"], 2, ["period:", "报告期格式错误"]),
        (["values", "enter", "FD_COVERAGE", "350104", "2023Q4", "147.2"], 2, ["value:", "超过 100%", "over 100 %"]),
        (["values", "enter", "FD_COVERAGE", "350104", "2023Q4", "147.2", "--confirm"], 2, ["超过 100%"]),
        (["values", "enter", "FD_COVERAGE", "350104", "2099年第4季度", "70"], 2, ["period:", "尚未结束", "not ended"]),
        (["values", "enter", "FD_COVERAGE", "350104", "2099Q4", "70", "--confirm"], 2, ["period:", "尚未结束"]),
        (["report", "history", "1", "T4.M2", "--period", "2023Q4", "--user", "nobody"], 2, ["No such option"]),
        (["report", "submit", "1", "T4.M2", "--period", "2023Q4", "--user", "nobody"], 1, ["不存在", "no user"]),
    ],
)
def test_refusals_are_bilingual_and_save_nothing(
    supervised: Invoke, args: list[str], code: int, fragments: list[str]
) -> None:
    result = supervised(*args)
    assert result.exit_code == code, result.output
    for fragment in fragments:
        assert fragment in result.stderr
    assert _json(supervised("report", "history", "1", "T14.M2", "--period", "2023Q4", "--format", "json")) == []
    assert _json(supervised("values", "list", "--format", "json")) == []


def test_values_targets_and_evaluation(supervised: Invoke, tmp_path: Path) -> None:
    sheet = tmp_path / "指标.csv"
    sheet.write_text(
        "指标,机构,报告期,数值\n"
        "REFERRAL_BOOKED_SHARE,350104,2021Q4,18\n"
        "REFERRAL_BOOKED_SHARE,350104,2022Q4,23.5\n"
        "REFERRAL_BOOKED_SHARE,350104,2023Q2,26\n"
        "FD_CONTRACTED,350104,2023,500000\n"
        "POP_RESIDENT,350104,2023,450000\n",
        encoding="utf-8",
    )
    imported = _ok(supervised("values", "import", str(sheet), "--plan", "1"))
    assert "5 行" in imported.stderr
    entered = _ok(
        supervised(
            "values",
            "enter",
            "预约转诊占公立医院门诊就诊量比例",
            "仓山区",
            "2023年第4季度",
            "2.6%",
            "--plan",
            "1",
            "--confirm",
        )
    )
    assert "已确认并标记" in entered.stderr and "2023年第2季度数值（26）" in entered.stderr
    _ok(supervised("values", "enter", "REFERRAL_BOOKED_SHARE", "350104", "2023Q4", "28", "--comment", "更正"))
    history = _json(
        supervised(
            "values", "list", "--key", "REFERRAL_BOOKED_SHARE", "--period", "2023Q4", "--history", "--format", "json"
        )
    )
    assert [(v["version"], v["value"], v["outlier"]) for v in history] == [(1, 2.6, True), (2, 28.0, False)]
    failed = _json(supervised("values", "validate", "2023", "--format", "json"))
    assert [v["rule"]["code"] for v in failed] == ["FD_CONTRACTED_LE_POP"]
    _ok(supervised("values", "bounds", "REFERRAL_BOOKED_SHARE", "--min", "0", "--max", "60"))
    assert len(_json(supervised("indicators", "list", "--format", "json"))) >= 20
    suggestions = _json(supervised("targets", "suggest", "1", "--format", "json"))
    assert {s["index"]: s["indicator_code"] for s in suggestions}[22] == "REFERRAL_BOOKED_SHARE"
    _ok(supervised("targets", "link", "1", "22", "REFERRAL_BOOKED_SHARE"))
    links = _json(supervised("targets", "list", "1", "--format", "json"))
    assert [(link["index"], link["confirmed"]) for link in links if link["confirmed"]] == [(22, True)]
    _ok(
        supervised(
            "report",
            "save",
            "1",
            "T4.M2",
            "--period",
            "2023Q4",
            "--dept",
            "区卫健委",
            "--status",
            "推进中",
            "--percent",
            "60",
            "--submit",
        )
    )
    ev = _json(supervised("evaluate", "1", "--at", "2023-12-31", "--format", "json"))
    assert ev["plan_id"] == 1 and ev["period_id"] == "2023Q4" and len(ev["items"]) == 133
    referral = ev["targets"][22]
    assert referral["indicator_code"] == "REFERRAL_BOOKED_SHARE" and referral["latest"]["value"] == 28.0
    assert referral["attainment"]["met"] is False
    table = _ok(supervised("evaluate", "仓医改组〔2021〕1号", "--at", "2023-12-31")).stdout
    assert "部门排名" in table and "预约转诊" in table and "未达标" in table
    weights = tmp_path / "weights.yaml"
    weights.write_text("parts: {tasks: 100, indicators: 0}\n", encoding="utf-8")
    assert (
        _json(supervised("evaluate", "1", "--at", "2023-12-31", "--weights", str(weights), "--format", "json"))[
            "plan_id"
        ]
        == 1
    )
    bad = supervised("evaluate", "1", "--at", "31/12/2023")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_template_and_bulletin_commands(supervised: Invoke, tmp_path: Path) -> None:
    import docx
    import openpyxl

    template = tmp_path / "医保局-2023Q4.xlsx"
    _ok(supervised("template", "write", "1", "--dept", "区医保局", "--period", "2023Q4", "--out", str(template)))
    wb = openpyxl.load_workbook(template)
    ws = wb["进展填报"]
    header = next(r for r in range(1, 6) if any(c.value == "进展状态" for c in ws[r]))
    cols = {c.value: c.column for c in ws[header]}
    ws.cell(header + 1, cols["进展状态"]).value = "推进中"
    ws.cell(header + 1, cols["完成百分比"]).value = 40
    wb.save(template)
    imported = _ok(
        supervised("template", "import", "1", "--dept", "区医保局", "--period", "2023Q4", str(template), "--submit")
    )
    assert "保存 saved 1" in imported.stderr and f"进展填报 第{header + 1}行 row {header + 1}" in imported.stdout
    again = _ok(
        supervised("template", "import", "1", "--dept", "区医保局", "--period", "2023Q4", str(template), "--submit")
    )
    assert (
        "保存 saved 0" in again.stderr
        and "未变化 unchanged 1" in again.stderr
        and "与本期第1版（已提交）相同" in again.stdout
    )
    ws.cell(header + 1, cols["完成百分比"]).value = "四十"
    wb.save(template)
    bad = supervised("template", "import", "1", "--dept", "区医保局", "--period", "2023Q4", str(template))
    assert bad.exit_code == 2 and "完成百分比" in bad.output
    ws.cell(header + 1, cols["完成百分比"]).value = 45  # submitted and awaiting review: refused
    ws.cell(header + 2, cols["进展状态"]).value = "滞后"
    ws.cell(header + 2, cols["完成百分比"]).value = 10
    wb.save(template)
    refused = supervised("template", "import", "1", "--dept", "区医保局", "--period", "2023Q4", str(template))
    assert refused.exit_code == 2 and "1 行不能保存" in refused.output and "正等待医改办审核" in refused.output
    rest = _ok(
        supervised("template", "import", "1", "--dept", "区医保局", "--period", "2023Q4", str(template), "--save-rest")
    )
    assert "保存 saved 1" in rest.stderr and "不能保存 refused 1" in rest.stderr and "不能保存 refused" in rest.stdout
    out = tmp_path / "通报.docx"
    _ok(supervised("bulletin", "1", "--period", "2023Q4", "--format", "docx", "--out", str(out)))
    assert "一、总体情况" in [p.text for p in docx.Document(str(out)).paragraphs]
    html = tmp_path / "通报.html"
    _ok(supervised("bulletin", "1", "--period", "2023Q4", "--format", "html", "--out", str(html)))
    assert "http://" not in html.read_text(encoding="utf-8") and "https://" not in html.read_text(encoding="utf-8")


def test_the_plan_with_reports_is_not_replaced(supervised: Invoke) -> None:
    _ok(
        supervised(
            "report",
            "save",
            "1",
            "T4.M2",
            "--period",
            "2023Q4",
            "--dept",
            "区卫健委",
            "--status",
            "推进中",
            "--percent",
            "60",
        )
    )
    result = supervised("import", SEED_004, "--replace")
    assert result.exit_code == 2 and "已有 1 个进展报告版本" in result.stderr


GROUPS = {
    name: sorted(group.commands)  # type: ignore[attr-defined]
    for name, group in typer.main.get_command(app).commands.items()  # type: ignore[attr-defined]
    if hasattr(group, "commands")
}
SUBCOMMANDS = [(g, c) for g, commands in sorted(GROUPS.items()) for c in commands]


def test_the_supervision_groups() -> None:
    assert GROUPS == {
        "departments-alias": ["add", "class", "list", "rename"],
        "dip": ["build", "score", "settle", "whatif"],
        "drg": ["group", "settle", "weights"],
        "indicators": ["list", "load"],
        "orgunits": ["list", "load"],
        "records": ["export", "load", "status"],
        "report": ["accept", "contribute", "history", "owed", "resubmit", "return", "save", "submit"],
        "targets": ["link", "list", "suggest"],
        "template": ["import", "write"],
        "users": ["add", "disable", "enable", "list", "password", "set"],
        "values": ["bounds", "enter", "import", "list", "validate"],
        "vbp": ["retain"],
    }


@pytest.mark.parametrize(("group", "command"), SUBCOMMANDS)
def test_every_subcommand_documents_an_example(yigai: Invoke, group: str, command: str) -> None:
    result = yigai(group, command, "--help")
    assert result.exit_code == 0
    assert f"Example: yigai {group} {command}" in " ".join(result.stdout.split())


@pytest.mark.parametrize(("group", "command"), SUBCOMMANDS)
def test_every_subcommand_is_in_the_cli_reference(group: str, command: str) -> None:
    assert f"yigai {group} {command}" in " ".join(REFERENCE.split())


def test_a_bulletin_only_for_a_period_of_the_schedule_that_has_ended(supervised: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "通报.docx"
    outside = supervised("bulletin", "1", "--period", "2025Q4", "--out", str(out))
    assert outside.exit_code == 2 and "不在本计划的报送期内" in outside.stderr
    assert "2021年第3季度至2023年第4季度" in outside.stderr and "not one of this plan's" in outside.stderr
    assert not out.exists()
    _ok(supervised("schedule", "1", "--type", "quarterly", "--from", "2021Q3", "--to", "2099Q4"))
    future = supervised("bulletin", "1", "--period", "2099年第四季度", "--out", str(out))
    assert future.exit_code == 2 and "尚未结束" in future.stderr and "has not ended" in future.stderr
    assert not out.exists()
    _ok(supervised("bulletin", "1", "--period", "2023年第4季度", "--out", str(out)))
    import docx

    assert any("2023年第4季度" in p.text for p in docx.Document(str(out)).paragraphs)


def test_a_tenfold_jump_is_saved_only_with_confirm(supervised: Invoke) -> None:
    _ok(supervised("values", "enter", "家庭医生签约覆盖率", "350104", "2025年第3季度", "7.1"))
    jump = supervised("values", "enter", "家庭医生签约覆盖率", "350104", "2025年第4季度", "71")
    assert jump.exit_code == 2 and "2025年第3季度数值（7.1）的 10 倍" in jump.stderr and "--confirm" in jump.stderr
    assert [v["period_id"] for v in _json(supervised("values", "list", "--format", "json"))] == ["2025Q3"]
    confirmed = _ok(supervised("values", "enter", "家庭医生签约覆盖率", "350104", "2025年第4季度", "71", "--confirm"))
    assert "FD_COVERAGE 350104 2025年第4季度 = 71" in confirmed.stderr
    values = _json(supervised("values", "list", "--period", "2025年第4季度", "--format", "json"))
    assert [(v["period_id"], v["value"], v["outlier"]) for v in values] == [("2025Q4", 71.0, True)]
