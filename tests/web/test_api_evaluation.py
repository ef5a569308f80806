"""Schedules, evaluation, comparison and bulletins over the API."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from .conftest import PLAN, Web

P = f"/api/v1/plans/{PLAN}"


def test_schedule_read_and_set(web: Web) -> None:
    admin = web.client("admin")
    schedule = admin.get(f"{P}/schedule").json()
    assert (schedule["type"], schedule["first"], schedule["last"], schedule["due_days"]) == (
        "quarterly",
        "2021Q3",
        "2023Q4",
        15,
    )
    assert schedule["periods"][0] == {
        "id": "2021Q3",
        "label": "2021年第3季度",
        "start": "2021-07-01",
        "end": "2021-09-30",
        "due": "2021-10-15",
    }
    changed = admin.put(
        f"{P}/schedule", json={"type": "six_monthly", "first": "2021S2", "last": "2025S2", "due_days": 20}
    )
    assert changed.status_code == 200 and len(changed.json()["periods"]) == 9
    bad = admin.put(f"{P}/schedule", json={"type": "quarterly", "first": "2021S2", "last": "2025Q4"})
    assert bad.status_code == 422 and bad.json()["error"]["where"] == "from"


def test_evaluation_at_a_date(web: Web) -> None:
    ybj = web.client("ybj")
    ybj.post(
        f"{P}/reports/T27.M4/2023Q4",
        json={"department": "区医保局", "status": "已完成", "percent": 100, "submit": True, "base_version": 0},
    )
    before = ybj.get(f"{P}/evaluation", params={"at": "2023-12-31"}).json()  # the report was saved later
    assert before["at"] == "2023-12-31" and before["period_id"] == "2023Q4"
    assert {i["item_id"]: i["status"] for i in before["items"]}["T27.M4"] != "completed"
    now = ybj.get(f"{P}/evaluation").json()  # today
    items = {i["item_id"]: i for i in now["items"]}
    assert items["T27.M4"]["status"] == "completed" and items["T4.M2"]["status"] != "completed"
    assert now["departments"][0]["rank"] == 1
    assert ybj.get(f"{P}/evaluation", params={"at": "2023-13-01"}).status_code == 422


def test_compare_plans_and_regions(web: Web) -> None:
    admin = web.client("admin")
    admin.put(f"{P}/links/1", json={"indicator": "BEDS_PER_1000"})
    for year, value in (("2021", 5.0), ("2022", 5.2), ("2023", 5.3)):
        admin.post(
            "/api/v1/values", json={"key": "BEDS_PER_1000", "org_unit": "350104", "period": year, "value": value}
        )
    plans = admin.get("/api/v1/compare", params={"indicator": "BEDS_PER_1000", "at": "2023-12-31"}).json()
    assert [(r["plan_id"], r["latest"]["value"]) for r in plans] == [(PLAN, 5.3)]
    regions = admin.get(
        "/api/v1/compare",
        params=[("indicator", "每千常住人口床位数"), ("plan", str(PLAN)), ("org_unit", "350104"), ("at", "2023-12-31")],
    ).json()
    assert [r["label"] for r in regions] == ["仓山区"]
    unlinked = admin.get(
        "/api/v1/compare", params=[("indicator", "FD_COVERAGE"), ("plan", str(PLAN)), ("org_unit", "350104")]
    )
    assert unlinked.status_code == 422


def test_bulletins_in_three_formats(web: Web) -> None:
    leader = web.client("leader")
    docx = leader.get(f"{P}/bulletin", params={"period": "2023Q4", "format": "docx"})
    assert docx.status_code == 200 and "attachment" in docx.headers["content-disposition"]
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx.content)).namelist()
    xlsx = leader.get(f"{P}/bulletin", params={"period": "2023Q4", "format": "xlsx"})
    assert "总体情况" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    html = leader.get(f"{P}/bulletin", params={"period": "2023Q4", "format": "html"})
    assert html.headers["content-type"].startswith("text/html") and "inline" in html.headers["content-disposition"]
    assert "通报" in html.text and "http://" not in html.text.replace("http://www.w3.org", "")
    assert leader.get(f"{P}/bulletin", params={"period": "2023Q4", "format": "pdf"}).status_code == 422
