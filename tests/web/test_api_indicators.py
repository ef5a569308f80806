"""Indicators, values and target links over the API."""

from __future__ import annotations

import io

from openpyxl import Workbook

from .conftest import PLAN, Web

THC = "350104101-01"  # 城门镇卫生院, cmz's org unit


def test_catalogue_lists_and_exports(web: Web) -> None:
    client = web.client("leader")
    codes = {i["code"]: i for i in client.get("/api/v1/indicators").json()}
    assert codes["BEDS_PER_1000"]["name"] == "每千常住人口床位数" and "FD_COVERAGE" in codes
    csv_text = client.get("/api/v1/indicators", params={"format": "csv"}).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("编码,名称,单位")
    assert web.client("admin").post("/api/v1/indicators/load").json()["created"] == 0  # already loaded


def test_enter_values_versions_outliers_and_scope(web: Web) -> None:
    cmz = web.client("cmz")
    body = {"key": "FD_CONTRACTED", "org_unit": THC, "period": "2023Q4", "value": 12000, "comment": "年报"}
    first = cmz.post("/api/v1/values", json=body)
    assert first.status_code == 201 and first.json()["version"] == 1 and first.json()["changed"] is True
    assert cmz.post("/api/v1/values", json=body).json()["changed"] is False
    assert cmz.post("/api/v1/values", json={**body, "value": 12500}).json()["version"] == 2
    other = cmz.post("/api/v1/values", json={**body, "org_unit": "350104102-01"})
    assert other.status_code == 403 and other.json()["error"]["where"] == "org_unit"
    unknown = cmz.post("/api/v1/values", json={**body, "key": "NO_SUCH"})
    assert unknown.status_code == 422 and unknown.json()["error"]["where"] == "indicator"
    outside = web.client("admin").post(
        "/api/v1/values",
        json={**body, "org_unit": "350104", "key": "FD_COVERAGE", "value": 70, "period": "2024Q2", "plan": str(PLAN)},
    )
    assert outside.status_code == 422 and outside.json()["error"]["where"] == "period"
    history = cmz.get("/api/v1/values", params={"key": "FD_CONTRACTED", "history": "true"}).json()
    assert [(v["value"], v["version"]) for v in history] == [(12000.0, 1), (12500.0, 2)]
    assert [v["value"] for v in cmz.get("/api/v1/values", params={"org_unit": THC}).json()] == [12500.0]


def test_suspicious_values_are_held_until_confirmed(web: Web) -> None:
    admin = web.client("admin")
    assert admin.put("/api/v1/indicators/FD_COVERAGE/bounds", json={"minimum": 0, "maximum": 60}).status_code == 200
    body = {"key": "FD_COVERAGE", "org_unit": "350104", "period": "2023年", "value": 70}
    held = admin.post("/api/v1/values", json=body)
    assert held.status_code == 422 and held.json()["error"]["confirm"] == ["70 超出合理范围 0–60"]
    assert held.json()["error"]["where"] == "value" and admin.get("/api/v1/values").json() == []
    saved = admin.post("/api/v1/values", json={**body, "confirm": True})
    assert saved.status_code == 201 and saved.json()["outlier"] is True and saved.json()["period_id"] == "2023"
    assert saved.json()["concerns"] == ["70 超出合理范围 0–60"]
    assert admin.put("/api/v1/indicators/FD_COVERAGE/bounds", json={"minimum": 9, "maximum": 1}).status_code == 422


def test_impossible_values_and_unended_periods_are_refused_even_confirmed(web: Web) -> None:
    admin = web.client("admin")
    body = {"key": "FD_COVERAGE", "org_unit": "350104", "period": "2023Q4", "value": 147.2, "confirm": True}
    over = admin.post("/api/v1/values", json=body)
    assert over.status_code == 422 and "超过 100%" in over.json()["error"]["message"]
    assert "confirm" not in over.json()["error"] or over.json()["error"]["confirm"] is None
    future = admin.post("/api/v1/values", json={**body, "value": 70, "period": "2099年第4季度"})
    assert future.status_code == 422 and "尚未结束" in future.json()["error"]["message"]
    assert admin.get("/api/v1/values").json() == []


def _sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_values_all_or_nothing_with_row_errors(web: Web) -> None:
    cmz = web.client("cmz")
    good = _sheet(
        [
            ["指标", "机构", "报告期", "数值"],
            ["FD_CONTRACTED", THC, "2023Q3", 11000],
            ["FD_CONTRACTED", THC, "2023Q4", 12000],
        ]
    )
    response = cmz.post("/api/v1/values/import", files={"file": ("values.xlsx", good, "application/octet-stream")})
    assert response.status_code == 201 and response.json()["saved"] == 2
    bad = _sheet(
        [
            ["指标", "机构", "报告期", "数值"],
            ["FD_CONTRACTED", THC, "2023Q2", 10000],
            ["FD_CONTRACTED", "350104", "2023Q2", 5],
            ["NOPE", THC, "2023Q2", "abc"],
        ]
    )
    refused = cmz.post("/api/v1/values/import", files={"file": ("bad.xlsx", bad, "application/octet-stream")})
    assert refused.status_code == 422
    rows = {(e["row"], e["column"]) for e in refused.json()["error"]["errors"]}
    assert (3, "org_unit") in rows and 4 in {r for r, _ in rows}
    assert len(cmz.get("/api/v1/values", params={"key": "FD_CONTRACTED"}).json()) == 2  # nothing more saved
    wrong = cmz.post("/api/v1/values/import", files={"file": ("values.docx", b"PK\x03\x04", "application/zip")})
    assert wrong.status_code == 422


def test_validation_rules_run_over_a_period(web: Web) -> None:
    admin = web.client("admin")
    for key, value in (("FD_CONTRACTED", 900), ("POP_RESIDENT", 500)):
        admin.post("/api/v1/values", json={"key": key, "org_unit": "350104", "period": "2023", "value": value})
    violations = admin.get("/api/v1/values/validate", params={"period": "2023"}).json()
    assert any(v["org_unit"] == "350104" for v in violations)


def test_target_links_suggest_confirm_list(web: Web) -> None:
    admin = web.client("admin")
    suggestions = admin.post(f"/api/v1/plans/{PLAN}/links/suggest").json()
    assert suggestions and all(not s["confirmed"] for s in suggestions)
    linked = admin.put(f"/api/v1/plans/{PLAN}/links/1", json={"indicator": "BEDS_PER_1000"})
    assert linked.status_code == 200 and linked.json()["confirmed"] is True
    links = {row["index"]: row for row in admin.get(f"/api/v1/plans/{PLAN}/links").json()}
    assert links[1]["indicator_code"] == "BEDS_PER_1000" and links[1]["confirmed_by"] == "admin"
    assert admin.put(f"/api/v1/plans/{PLAN}/links/999", json={"indicator": "BEDS_PER_1000"}).status_code == 422
