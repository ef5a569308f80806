"""The review desk through the API: list with filters (and as a spreadsheet), batch accept, return with comments."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from yigai.domain.reports import ReviewState
from yigai.services.reports import report_history

from ..conftest import DemoBuild  # type: ignore[import-not-found]
from .conftest import PLAN, Web
from .review_desk_helpers import DEMO_PLAN, HEALTH, demo_web, late_history, reviewed_quarter  # noqa: F401 (demo_web is a fixture)

LIST = "/api/v1/review/reports"


def _ref(row: dict, comment: str = "") -> dict:
    return {
        "plan": row["plan_id"],
        "item": row["item_id"],
        "period": row["period_id"],
        "version": row["version"],
        "comment": comment,
    }


def test_the_list_filters_and_carries_the_change_and_the_version(web: Web) -> None:
    late_history(web)
    admin = web.client("admin")
    rows = admin.get(LIST, params={"department": "区医保局", "period": "2023Q3"}).json()
    assert [(r["item_id"], r["version"], r["timeliness"], r["days_late"]) for r in rows] == [
        ("T22.M1", 1, "late", 5),
        ("T22.M3", 1, "on_time", 0),
    ]
    t22m3 = rows[1]
    assert t22m3["task"] == {"id": "T22", "no": "22", "title": "建立分级诊疗医保政策杠杆机制"}
    assert t22m3["item"]["no"] == "(3)" and t22m3["due"] == "2023-10-15" and t22m3["state_label"] == "已提交"
    assert t22m3["url"] == "/plans/1/tasks/T22.M3?period=2023Q3"
    change = t22m3["change"]
    assert change["against"] == {
        "period_id": "2023Q2",
        "version": 1,
        "state": "submitted",
        "label": "上期2023年第2季度（已提交）",
    }
    assert change["percent"] is None and change["text"] == [
        {
            "field": "narrative",
            "label": "进展情况",
            "ops": [
                {"op": "eq", "text": "2023Q"},
                {"op": "del", "text": "2"},
                {"op": "ins", "text": "3"},
                {"op": "eq", "text": "进展"},
            ],
        }
    ]
    assert rows[0]["change"] is None and rows[0]["change_summary"] == "首次报送"
    assert [r["item_id"] for r in admin.get(LIST, params={"timeliness": "late"}).json()] == ["T22.M1"]
    assert len(admin.get(LIST, params={"state": "all"}).json()) == 5
    assert admin.get(LIST, params={"state": "draft"}).status_code == 422  # drafts are the department's own
    assert admin.get("/api/v1/review/count").json() == {"waiting": 5}
    sheet = admin.get(LIST, params={"format": "xlsx", "department": "区卫健局"})  # an alias
    book = load_workbook(io.BytesIO(sheet.content))
    values = list(book.active.iter_rows(values_only=True))
    assert values[0][:4] == ("计划", "任务", "事项", "牵头部门") and len(values) == 2 and values[1][3] == "区卫生健康委"
    assert (
        web.client("ybj").get(LIST).status_code == 403
        and web.client("leader").get("/api/v1/review/count").status_code == 403
    )


def test_batch_accept_all_or_nothing_then_partial_and_return_with_comments(web: Web) -> None:
    late_history(web)
    admin = web.client("admin")
    rows = admin.get(LIST, params={"department": "区医保局"}).json()
    refs = [_ref(r) for r in rows]
    # T22.M3 2023Q3 changes after it was listed: returned, then resubmitted by the department
    assert admin.post("/api/v1/plans/1/reports/T22.M3/2023Q3/return", json={"comment": "补充材料"}).status_code == 200
    assert web.client("ybj").post("/api/v1/plans/1/reports/T22.M3/2023Q3/resubmit").status_code == 200

    conflict = admin.post("/api/v1/review/accept", json={"reports": refs})
    body = conflict.json()
    assert conflict.status_code == 409 and not body["saved"] and body["reports"] == []
    assert [(f["item"], f["period"], f["conflict"]) for f in body["refused"]] == [("T22.M3", "2023Q3", True)]
    assert body["error"]["message"].startswith("未采纳任何报告：1 份不能采纳")
    assert "nothing accepted: 1 of 4 refused (all or nothing)" in body["message_en"]

    partial = admin.post("/api/v1/review/accept", json={"reports": refs, "partial": True, "comment": "同意"})
    body = partial.json()
    assert partial.status_code == 200 and body["saved"] and len(body["reports"]) == 3
    assert all(r["state"] == "accepted" and r["review_comment"] == "同意" for r in body["reports"])
    assert body["message"].startswith("已采纳 3 份报告；1 份不能采纳")

    fresh = [_ref(r) for r in admin.get(LIST).json()]  # 区卫生健康委's T2.M1, then T22.M3 2023Q3 (version 3)
    missing = admin.post("/api/v1/review/return", json={"reports": [fresh[0] | {"comment": "请补充"}, fresh[1]]})
    assert missing.status_code == 422 and missing.json()["refused"][0]["message"] == "退回报告须填写退回意见"
    returned = admin.post(
        "/api/v1/review/return",
        json={"reports": [fresh[0] | {"comment": "请补充签约数据"}, fresh[1] | {"comment": "请补充文件"}]},
    )
    assert returned.status_code == 200 and returned.json()["message"] == "已退回 2 份报告。"
    assert admin.get("/api/v1/review/count").json() == {"waiting": 0}
    latest = report_history(web.core.uow(), PLAN, "T2.M1", "2023Q3")[-1]
    assert (latest.state, latest.review_comment) == (ReviewState.RETURNED, "请补充签约数据")


def test_only_the_office_reviews_in_batches(web: Web) -> None:
    late_history(web)
    refs = [_ref(r) for r in web.client("admin").get(LIST).json()]
    refused = web.client("ybj").post("/api/v1/review/accept", json={"reports": refs})
    assert refused.status_code == 403 and "仅医改办管理员可操作" in refused.json()["error"]["message"]
    empty = web.client("admin").post("/api/v1/review/accept", json={"reports": []})
    assert empty.status_code == 422 and empty.json()["error"]["message"] == "请先勾选要采纳的报告"
    assert web.client("admin", csrf=False).post("/api/v1/review/accept", json={"reports": refs}).status_code == 403


def test_a_demo_quarter_through_the_api(demo_web: Web, demo_build: DemoBuild) -> None:
    """Acceptance (issue 14): filter by a department, accept 20 in one call, return one; the department sees it."""
    quarter = reviewed_quarter(demo_build)
    admin = demo_web.client("admin")
    waiting = admin.get("/api/v1/review/count").json()["waiting"]
    assert waiting >= 100
    rows = admin.get(LIST, params={"plan": DEMO_PLAN, "department": HEALTH, "period": quarter}).json()
    assert len(rows) >= 21 and {(r["plan_id"], r["department"], r["period_id"]) for r in rows} == {
        (DEMO_PLAN, HEALTH, quarter)
    }
    accepted = admin.post("/api/v1/review/accept", json={"reports": [_ref(r) for r in rows[:20]]})
    assert accepted.status_code == 200 and accepted.json()["message"] == "已采纳 20 份报告。"
    returned = admin.post("/api/v1/review/return", json={"reports": [_ref(rows[20], "请补充会议纪要")]})
    assert returned.status_code == 200 and returned.json()["message"] == "已退回 1 份报告。"
    assert admin.get("/api/v1/review/count").json()["waiting"] == waiting - 21
    mine = (
        demo_web.client("wjw")
        .get(f"/api/v1/plans/{DEMO_PLAN}/reports", params={"department": HEALTH, "period": quarter})
        .json()
    )
    states = {r["item_id"]: (r["state"], r["review_comment"]) for r in mine}
    assert states[rows[20]["item_id"]] == ("returned", "请补充会议纪要")
    assert all(states[r["item_id"]][0] == "accepted" for r in rows[:20])
