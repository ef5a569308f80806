"""Progress reports over the API: the review workflow, evidence in and out, owed lists, templates."""

from __future__ import annotations

import hashlib
import io

import pytest
from openpyxl import load_workbook

from yigai.settings import MAX_EVIDENCE_BYTES
from yigai.web.security import CSRF_FIELD

from .api_helpers import PDF, PNG, filled_template
from .conftest import PLAN, Web

R = f"/api/v1/plans/{PLAN}/reports"
T4M2 = f"{R}/T4.M2/2023Q4"  # led by 区卫生健康委
T27M4 = f"{R}/T27.M4/2023Q4"  # led by 区医保局
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _current(client, url: str) -> int:  # type: ignore[no-untyped-def]
    """The report's current version as this client reads it (0: none yet): what a save names."""
    response = client.get(url)
    return response.json()[-1]["version"] if response.status_code == 200 and response.json() else 0


def _save(client, url: str, department: str, percent: float = 40, **extra: object):  # type: ignore[no-untyped-def]
    body = {"department": department, "status": "推进中", "percent": percent, **extra}
    body.setdefault("base_version", _current(client, url))
    return client.post(url, json=body)


def test_save_submit_return_resubmit_accept_and_history(web: Web) -> None:
    ybj, admin = web.client("ybj"), web.client("admin")
    first = _save(ybj, T27M4, "仓山医保局", narrative="已启动")  # any known spelling of the department
    assert first.status_code == 201, first.text
    assert first.json()["department"] == "区医保局" and first.json()["state"] == "draft"
    assert ybj.post(f"{T27M4}/submit").json()["state"] == "submitted"
    returned = admin.post(f"{T27M4}/return", json={"comment": "请补充参保资助人数"})
    assert returned.json()["state"] == "returned" and returned.json()["review_comment"] == "请补充参保资助人数"
    assert admin.post(f"{T27M4}/return", json={"comment": ""}).status_code in (409, 422)
    assert ybj.post(f"{T27M4}/resubmit").json()["state"] == "submitted"  # unchanged
    admin.post(f"{T27M4}/return", json={"comment": "人数仍未补充"})
    assert _save(ybj, T27M4, "区医保局", 70).status_code == 201  # edited, then submitted
    assert ybj.post(f"{T27M4}/resubmit").status_code == 409  # only a returned report is resubmitted
    assert ybj.post(f"{T27M4}/submit").json()["state"] == "submitted"
    accepted = admin.post(f"{T27M4}/accept", json={"comment": "同意"})
    assert accepted.json()["state"] == "accepted" and accepted.json()["reviewer"] == "admin"
    history = ybj.get(T27M4).json()
    assert [(h["version"], h["state"]) for h in history] == [
        (1, "draft"),
        (2, "submitted"),
        (3, "returned"),
        (4, "submitted"),
        (5, "returned"),
        (6, "draft"),
        (7, "submitted"),
        (8, "accepted"),
    ]
    final = _save(ybj, T27M4, "区医保局", 90)
    assert final.status_code == 409 and final.json()["error"]["where"] == "state"


def test_bad_reports_are_refused_with_the_field_named(web: Web) -> None:
    wjw = web.client("wjw")
    cases = {
        f"{R}/T99/2023Q4": ("item", 422),
        f"{R}/T4.M2/2027Q1": ("period", 422),
        f"{R}/T4.M2/2023Q9": ("period", 422),
    }
    for url, (where, status) in cases.items():
        response = _save(wjw, url, "区卫生健康委")
        assert (response.status_code, response.json()["error"]["where"]) == (status, where), url
    completed = wjw.post(
        T4M2, json={"department": "区卫生健康委", "status": "已完成", "percent": 80, "base_version": 0}
    )
    assert completed.status_code == 422 and completed.json()["error"]["message"]
    over = wjw.post(T4M2, json={"department": "区卫生健康委", "status": "推进中", "percent": 140, "base_version": 0})
    assert over.status_code == 422 and over.json()["error"]["where"] == "percent"
    not_lead = _save(wjw, T27M4, "区卫生健康委")
    assert not_lead.status_code == 422 and "牵头部门" in not_lead.json()["error"]["message"]
    assert wjw.get(T4M2).json() == []  # nothing was saved


def test_cooperating_department_contributes(web: Web) -> None:
    response = web.client("ybj").post(
        f"{R}/T21.M3/2023Q4/contribute", json={"department": "区医保局", "text": "已完成医保支付测算"}
    )
    assert response.status_code == 201
    assert response.json()["contributions"] == {"区医保局": "已完成医保支付测算"}
    assert response.json()["department"] == "区卫生健康委"


def test_evidence_upload_and_download(web: Web) -> None:
    ybj = web.client("ybj")
    response = ybj.post(
        f"{T27M4}/upload",
        data={"department": "区医保局", "status": "推进中", "percent": "50", "base_version": "0", "submit": "true"},
        files=[
            ("evidence", ("参保名单.pdf", PDF, "application/pdf")),
            ("evidence", ("../../照片.png", PNG, "image/png")),
        ],
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["state"] == "submitted"
    assert [(e["filename"], e["size"]) for e in report["evidence"]] == [
        ("参保名单.pdf", len(PDF)),
        ("照片.png", len(PNG)),
    ]
    sha = hashlib.sha256(PDF).hexdigest()
    assert report["evidence"][0]["url"] == f"/api/v1/evidence/{sha}"
    download = web.client("leader").get(f"/api/v1/evidence/{sha}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''%E5%8F%82%E4%BF%9D%E5%90%8D%E5%8D%95.pdf" in download.headers["content-disposition"]
    assert web.client(None).get(f"/api/v1/evidence/{sha}").status_code == 401


@pytest.mark.parametrize(
    "ref",
    [
        "..%2F..%2Fyigai.sqlite3",
        "..%2Fyigai.sqlite3",
        "%2e%2e%2f%2e%2e%2fyigai.sqlite3",
        "../../yigai.sqlite3",
        "0" * 63 + "/",
        "A" * 64,
        "0" * 64,
        "....//....//etc//passwd",
        "%00" + "0" * 61,
    ],
)
def test_evidence_download_cannot_leave_the_store(web: Web, ref: str) -> None:
    response = web.client("admin").get(f"/api/v1/evidence/{ref}")
    assert response.status_code == 404
    assert b"SQLite" not in response.content


def test_oversized_and_wrong_type_evidence_is_refused(web: Web) -> None:
    ybj = web.client("ybj")
    form = {"department": "区医保局", "status": "推进中", "percent": "50", "base_version": "0"}
    too_big = ybj.post(
        f"{T27M4}/upload",
        data=form,
        files={"evidence": ("big.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES, "application/pdf")},
    )
    assert too_big.status_code == 422 and too_big.json()["error"]["where"] == "evidence"
    exe = ybj.post(f"{T27M4}/upload", data=form, files={"evidence": ("tool.exe", b"MZ\x90\x00", "application/pdf")})
    assert exe.status_code == 422 and exe.json()["error"]["message"]
    disguised = ybj.post(
        f"{T27M4}/upload", data=form, files={"evidence": ("report.pdf", b"MZ\x90\x00binary", "application/pdf")}
    )
    assert disguised.status_code == 422
    assert ybj.get(T27M4).json() == []  # nothing was saved


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(web: Web) -> None:
    limit = max(web.core.settings.max_document_bytes, MAX_EVIDENCE_BYTES) + 1024 * 1024
    response = web.client("ybj").post(
        f"{T27M4}/upload", content=b"x" * (limit + 1), headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert response.status_code == 413 and response.json()["error"]["message"].startswith("上传内容过大")


def test_csrf_token_in_a_form_field_is_accepted(web: Web) -> None:
    client = web.client("ybj", csrf=False)
    token = client.get("/api/v1/auth/me").json()["csrf_token"]
    form = {"department": "区医保局", "status": "推进中", "percent": "50", "base_version": "0"}
    assert client.post(f"{T27M4}/upload", data=form).status_code == 403
    assert client.post(f"{T27M4}/upload", data={**form, CSRF_FIELD: "forged"}).status_code == 403
    assert client.post(f"{T27M4}/upload", data={**form, CSRF_FIELD: token}).status_code == 201


def test_reports_list_owed_and_exports(web: Web) -> None:
    wjw, ybj = web.client("wjw"), web.client("ybj")
    _save(wjw, T4M2, "区卫生健康委", 40, submit=True)
    _save(ybj, T27M4, "区医保局", 60, narrative='=HYPERLINK("http://evil")')
    current = ybj.get(R, params={"period": "2023Q4"}).json()
    assert sorted((r["item_id"], r["state"]) for r in current) == [("T27.M4", "draft"), ("T4.M2", "submitted")]
    assert [r["item_id"] for r in ybj.get(R, params={"department": "区医保局"}).json()] == ["T27.M4"]
    owed = ybj.get(f"/api/v1/plans/{PLAN}/owed", params={"period": "2023Q4", "department": "区卫健委"}).json()
    assert owed and all(o["department"] == "区卫生健康委" for o in owed)
    assert "T4.M2" not in {o["item_id"] for o in owed}  # submitted: no longer owed
    everything = ybj.get(
        f"/api/v1/plans/{PLAN}/owed", params={"period": "2023Q4", "department": "区卫健委", "all": "true"}
    ).json()
    assert "T4.M2" in {o["item_id"] for o in everything} and len(everything) == len(owed) + 1
    book = load_workbook(io.BytesIO(ybj.get(R, params={"format": "xlsx"}).content))
    sheet = book.active
    assert sheet is not None
    narrative = next(row[5] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1] == "T27.M4")
    assert narrative == '\'=HYPERLINK("http://evil")'  # text, not a formula
    csv_text = ybj.get(R, params={"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text


def test_template_download_fill_and_import(web: Web) -> None:
    ybj = web.client("ybj")
    download = ybj.get(f"/api/v1/plans/{PLAN}/template", params={"department": "区医保局", "period": "2023Q4"})
    assert download.status_code == 200 and download.headers["content-type"] == XLSX
    assert load_workbook(io.BytesIO(download.content)).sheetnames[0] == "进展填报"
    filled = filled_template(web, "区医保局", "2023Q4", percent=65)
    imported = ybj.post(
        f"/api/v1/plans/{PLAN}/template",
        data={"department": "区医保局", "period": "2023Q4", "submit": "true"},
        files={"file": ("医保局.xlsx", filled, XLSX)},
    )
    assert imported.status_code == 201, imported.text
    reports = imported.json()["reports"]
    assert reports and {(r["percent"], r["state"]) for r in reports} == {(65.0, "submitted")}
    wrong_period = ybj.post(
        f"/api/v1/plans/{PLAN}/template",
        data={"department": "区医保局", "period": "2023Q3"},
        files={"file": ("医保局.xlsx", filled, XLSX)},
    )
    assert wrong_period.status_code == 422
    not_xlsx = ybj.post(
        f"/api/v1/plans/{PLAN}/template",
        data={"department": "区医保局", "period": "2023Q4"},
        files={"file": ("医保局.csv", b"a,b\n", "text/csv")},
    )
    assert not_xlsx.status_code == 422


def test_template_import_lists_unchanged_and_refused_rows_and_can_save_the_rest(web: Web) -> None:
    ybj = web.client("ybj")
    filled = filled_template(web, "区医保局", "2023Q4", percent=65)
    url, form = f"/api/v1/plans/{PLAN}/template", {"department": "区医保局", "period": "2023Q4", "submit": "true"}
    first = ybj.post(url, data=form, files={"file": ("医保局.xlsx", filled, XLSX)}).json()
    assert len(first["saved"]) == 41 and first["unchanged"] == [] and first["committed"]
    again = ybj.post(url, data=form, files={"file": ("医保局.xlsx", filled, XLSX)})  # the same file once more
    assert again.status_code == 201 and again.json()["saved"] == [] and len(again.json()["unchanged"]) == 41
    assert again.json()["unchanged"][0]["note"] == "与本期第1版（已提交）相同"

    book = load_workbook(io.BytesIO(filled_template(web, "区医保局", "2023Q4", percent=65)))
    sheet = book["进展填报"]
    sheet["H3"] = 70  # a report awaiting review: refused
    buffer = io.BytesIO()
    book.save(buffer)
    refused = ybj.post(url, data=form, files={"file": ("医保局.xlsx", buffer.getvalue(), XLSX)})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["errors"][0]["row"] == 3 and error["errors"][0]["item"].startswith("T1.M3 ")
    assert "正等待医改办审核" in error["errors"][0]["message"] and "填报模板有 1 行不能保存" in error["message"]
    assert error["rows"]["committed"] is False and len(error["rows"]["unchanged"]) == 40
    rest = ybj.post(url, data={**form, "save_rest": "true"}, files={"file": ("医保局.xlsx", buffer.getvalue(), XLSX)})
    assert rest.status_code == 201 and [r["row"] for r in rest.json()["refused"]] == [3]


def test_an_unsubmitted_draft_is_seen_only_by_its_departments_and_the_office(web: Web) -> None:
    wjw, admin = web.client("wjw"), web.client("admin")
    secret = "草稿：尚未核实的数字 41%"
    assert _save(wjw, T4M2, "区卫生健康委", 41, narrative=secret).status_code == 201
    shared = "草稿：待医保局补充"
    assert _save(wjw, f"{R}/T21.M3/2023Q4", "区卫生健康委", 10, narrative=shared).status_code == 201  # ybj cooperates
    for name in ("admin", "wjw"):
        client = web.client(name)
        assert "T4.M2" in {r["item_id"] for r in client.get(R).json()}, name
        assert [h["narrative"] for h in client.get(T4M2).json()] == [secret], name
    for name in ("leader", "cmz", "ybj"):
        client = web.client(name)
        assert "T4.M2" not in {r["item_id"] for r in client.get(R).json()}, name
        assert client.get(T4M2).json() == [], name
        for fmt in ("csv", "xlsx"):
            assert client.get(R, params={"format": fmt}).status_code == 200
        assert secret not in client.get(R, params={"format": "csv"}).content.decode("utf-8-sig"), name
        assert secret not in client.get(f"/plans/{PLAN}/tasks/T4.M2", params={"period": "2023Q4"}).text, name
        template = client.get(
            f"/api/v1/plans/{PLAN}/template", params={"department": "区卫生健康委", "period": "2023Q4"}
        )
        assert template.status_code == 200
        cells = {c.value for row in load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows() for c in row}
        assert secret not in cells, name
    assert [h["narrative"] for h in web.client("ybj").get(f"{R}/T21.M3/2023Q4").json()] == [shared]  # cooperates
    assert web.client("leader").get(f"{R}/T21.M3/2023Q4").json() == []
    assert secret in web.client("wjw").get(f"/plans/{PLAN}/tasks/T4.M2", params={"period": "2023Q4"}).text
    # submitted, it is everyone's; a later draft after a return is again the department's own
    assert wjw.post(f"{T4M2}/submit").status_code == 200
    leader = web.client("leader")
    assert [h["narrative"] for h in leader.get(T4M2).json()] == [secret]  # the submitted version
    assert admin.post(f"{T4M2}/return", json={"comment": "请核实"}).status_code == 200
    assert _save(wjw, T4M2, "区卫生健康委", 45, narrative="改后草稿").status_code == 201
    assert [h["state"] for h in leader.get(T4M2).json()] == ["submitted", "returned"]
    current = next(r for r in leader.get(R).json() if r["item_id"] == "T4.M2")
    assert (current["state"], current["percent"]) == ("returned", 41)
    assert [h["state"] for h in wjw.get(T4M2).json()] == ["draft", "submitted", "returned", "draft"]


def test_a_save_names_the_version_it_edits_and_a_stale_one_is_409_with_the_newer_version(web: Web) -> None:
    wjw, other_tab = web.client("wjw"), web.client("wjw")
    body = {"department": "区卫生健康委", "status": "推进中", "percent": 30, "narrative": "第一稿"}
    unnamed = wjw.post(T4M2, json=body)
    assert unnamed.status_code == 422 and unnamed.json()["error"]["where"] == "base_version"
    assert wjw.post(T4M2, json={**body, "base_version": 0}).json()["version"] == 1
    newer = other_tab.post(T4M2, json={**body, "percent": 60, "narrative": "另一处的修改", "base_version": 1})
    assert newer.status_code == 201 and newer.json()["version"] == 2
    stale = wjw.post(T4M2, json={**body, "percent": 35, "narrative": "基于第1版的修改", "base_version": 1})
    assert stale.status_code == 409, stale.text
    error = stale.json()["error"]
    assert error["where"] == "base_version" and "第2版" in error["message"] and "未保存" in error["message"]
    assert (error["current"]["version"], error["current"]["narrative"]) == (2, "另一处的修改")
    assert [h["narrative"] for h in wjw.get(T4M2).json()] == ["第一稿", "另一处的修改"]  # nothing overwritten
    ahead = wjw.post(T4M2, json={**body, "base_version": 7})
    assert ahead.status_code == 409 and ahead.json()["error"]["current"]["version"] == 2
    assert wjw.post(T4M2, json={**body, "percent": 35, "base_version": 2}).json()["version"] == 3
    form = {"department": "区卫生健康委", "status": "推进中", "percent": "40", "base_version": "2"}
    upload = wjw.post(f"{T4M2}/upload", data=form, files={"evidence": ("a.pdf", PDF, "application/pdf")})
    assert upload.status_code == 409 and upload.json()["error"]["current"]["version"] == 3
    assert len(wjw.get(T4M2).json()) == 3
