"""The review desk page (审核台): what waits across plans, filters, batch 采纳, 退回 with a comment, conflicts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from yigai.domain.reports import ReviewState
from yigai.services.reports import report_history

from ..conftest import DemoBuild  # type: ignore[import-not-found]
from .conftest import PLAN, Web
from .pages_helpers import csrf_of
from .review_desk_helpers import (  # noqa: F401 (demo_web is a fixture)
    DEMO_PLAN,
    HEALTH,
    demo_web,
    desk_keys,
    late_history,
    nav_badge,
    reviewed_quarter,
    waiting_total,
)


def test_the_desk_lists_what_waits_with_filters_and_the_office_sees_a_badge(web: Web) -> None:
    late_history(web)
    admin = web.client("admin")
    page = admin.get("/review").text
    assert waiting_total(page) == 5 and nav_badge(page) == 5
    assert (
        "22 建立分级诊疗医保政策杠杆机制" in page and "(3) 探索建立更灵敏、更有效的基层首诊" in page
    )  # task → measure
    assert "与上期2023年第2季度（已提交）相比" in page and "首次报送，无上一版可比。" in page
    assert len(desk_keys(page)) == 5 and "1|T22.M3|2023Q3|1" in desk_keys(page)
    late = admin.get("/review?when=late").text
    assert waiting_total(late) == 1 and "逾期 5 天" in late and desk_keys(late) == ["1|T22.M1|2023Q3|1"]
    only = admin.get("/review?dept=区医保局&period=2023Q3").text
    assert desk_keys(only) == ["1|T22.M1|2023Q3|1", "1|T22.M3|2023Q3|1"]
    assert '<option selected value="区医保局">区医保局（2）</option>' in only  # the choices count what the others leave
    assert '<option value="2023Q2">2023年第2季度（1）</option>' in only
    nobody = admin.get("/review?state=accepted").text
    assert "没有符合条件的报告" in nobody and 'action="/review/accept"' not in nobody
    bad = admin.get("/review?state=nonsense")
    assert bad.status_code == 422 and "审核状态「nonsense」无效" in bad.text
    # a department reporter has no desk and no badge
    reporter = web.client("ybj")
    assert reporter.get("/review").status_code == 403
    assert nav_badge(reporter.get("/workspace").text) is None and 'href="/review"' not in reporter.get("/").text


def test_a_report_changed_since_the_page_was_loaded_is_refused_by_name(web: Web) -> None:
    late_history(web)
    admin = web.client("admin")
    page = admin.get("/review?dept=区医保局").text
    keys = desk_keys(page)
    form = {"csrf_token": csrf_of(page, "/review/accept"), "items": keys, "dept": "区医保局", "state": "submitted"}
    # after the page was loaded, a colleague returns T22.M3 2023Q3 and 区医保局 resubmits it
    assert admin.post("/api/v1/plans/1/reports/T22.M3/2023Q3/return", json={"comment": "补充材料"}).status_code == 200
    assert web.client("ybj").post("/api/v1/plans/1/reports/T22.M3/2023Q3/resubmit").status_code == 200

    refused = admin.post("/review/accept", data=form)
    assert refused.status_code == 409
    assert (
        "未采纳任何报告：1 份不能采纳（其中 1 份在页面打开后已有变化，请刷新后重新审核）；其余 3 份也未采纳"
        in refused.text
    )
    assert "（区医保局，2023年第3季度）：页面打开后已有变化：您审阅的是第1版，现为第3版（已提交）" in refused.text
    assert all(
        report_history(web.core.uow(), PLAN, "T22.M3", p)[-1].state is ReviewState.SUBMITTED
        for p in ("2023Q1", "2023Q2")
    )  # nothing saved

    partial = admin.post("/review/accept", data={**form, "partial": "1"})
    assert partial.status_code == 200
    assert "已采纳 3 份报告；1 份不能采纳（其中 1 份在页面打开后已有变化，请刷新后重新审核）。" in partial.text
    states = {p: report_history(web.core.uow(), PLAN, "T22.M3", p)[-1].state for p in ("2023Q1", "2023Q2", "2023Q3")}
    assert states == {"2023Q1": ReviewState.ACCEPTED, "2023Q2": ReviewState.ACCEPTED, "2023Q3": ReviewState.SUBMITTED}
    assert waiting_total(partial.text) == 1 and desk_keys(partial.text) == ["1|T22.M3|2023Q3|3"]


def test_a_return_needs_a_comment_and_the_department_sees_it(web: Web) -> None:
    late_history(web)
    admin = web.client("admin")
    page = admin.get("/review").text
    token = csrf_of(page, "/review/return")
    empty = admin.post("/review/return", data={"csrf_token": token, "item": "1|T22.M1|2023Q3|1", "comment": "  "})
    assert empty.status_code == 422 and "退回报告须填写退回意见" in empty.text
    done = admin.post(
        "/review/return",
        data={"csrf_token": token, "item": "1|T22.M1|2023Q3|1", "comment": "请说明逾期原因", "when": "late"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    target = urlsplit(done.headers["location"])
    assert target.path == "/review" and parse_qs(target.query) == {
        "state": ["submitted"],
        "when": ["late"],
        "done": ["returned"],
        "n": ["1"],
    }
    assert "已退回 1 份报告" in admin.get(done.headers["location"]).text
    todo = web.client("ybj").get("/workspace?at=2023-11-20").text
    assert "已退回，请修改后重新提交（1 项）" in todo and "退回意见：请说明逾期原因" in todo
    with web.core.uow() as uow:
        audited = [(e.actor, e.action, e.entity_key) for e in uow.audit.entries(entity="progress_report")]
    assert audited[-1] == ("admin", "report.return", "1/T22.M1/2023Q3")


def test_desk_writes_need_the_form_token(web: Web) -> None:
    late_history(web)
    client = web.client("admin", csrf=False)
    response = client.post("/review/accept", data={"items": ["1|T22.M1|2023Q3|1"]})
    assert response.status_code == 403
    assert report_history(web.core.uow(), PLAN, "T22.M1", "2023Q3")[-1].state is ReviewState.SUBMITTED


def test_a_demo_quarter_twenty_accepted_in_one_batch_and_one_returned(demo_web: Web, demo_build: DemoBuild) -> None:
    """Acceptance (issue 14): ~100 reports wait; filter by a department, accept 20 at once, return one."""
    quarter = reviewed_quarter(demo_build)
    admin = demo_web.client("admin")
    home = admin.get("/review").text
    total = waiting_total(home)
    assert total >= 100 and nav_badge(home) == total
    url = f"/review?plan={DEMO_PLAN}&dept={HEALTH}&period={quarter}"
    page = admin.get(url).text
    keys, shown = desk_keys(page), waiting_total(page)  # the first page of them (50 a page)
    assert len(keys) >= 21 and all(k.startswith(f"{DEMO_PLAN}|") and f"|{quarter}|" in k for k in keys)
    accepted = admin.post(
        "/review/accept",
        data={
            "csrf_token": csrf_of(page, "/review/accept"),
            "items": keys[:20],
            "plan": str(DEMO_PLAN),
            "dept": HEALTH,
            "period": quarter,
            "state": "submitted",
        },
    )
    assert accepted.status_code == 200 and "已采纳 20 份报告。" in accepted.text  # after the redirect
    assert waiting_total(accepted.text) == shown - 20 and nav_badge(accepted.text) == total - 20
    assert desk_keys(accepted.text)[: len(keys) - 20] == keys[20:]  # the same filters, the accepted ones gone
    for key in keys[:20]:
        _, item, period, version = key.split("|")
        latest = report_history(demo_web.core.uow(), DEMO_PLAN, item, period)[-1]
        assert (latest.state, latest.version, latest.reviewer) == (ReviewState.ACCEPTED, int(version) + 1, "admin")
    with demo_web.core.uow() as uow:
        audited = [
            e
            for e in uow.audit.entries(entity="progress_report")
            if e.action == "report.accept"
            and e.actor == "admin"
            and e.entity_key.endswith(f"/{quarter}")
            and e.after
            and e.after["reviewer"] == "admin"
            and e.after["version"] > 1
        ]
    assert len({e.entity_key for e in audited}) >= 20  # one audit entry per report

    _, item, period, _ = keys[20].split("|")
    returned = admin.post(
        "/review/return",
        data={
            "csrf_token": csrf_of(accepted.text, "/review/return"),
            "item": keys[20],
            "comment": "请补充会议纪要等佐证材料",
        },
    )
    assert returned.status_code == 200 and "已退回 1 份报告" in returned.text and nav_badge(returned.text) == total - 21
    todo = demo_web.client("wjw").get("/workspace").text
    assert "已退回，请修改后重新提交" in todo and "退回意见：请补充会议纪要等佐证材料" in todo
    assert f'href="/plans/{DEMO_PLAN}/tasks/{item}?period={period}#history">修改并重新提交' in todo
