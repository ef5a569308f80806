"""A plan's targets page: the office asks for suggested indicators and confirms links; others read."""

from __future__ import annotations

from yigai.services.targets import list_links

from .conftest import PLAN, Web
from .pages_helpers import BEDS, BEDS_TARGET, csrf_of, post_forms


def test_office_suggests_then_confirms_a_link(web: Web) -> None:
    client = web.client("admin", csrf=False)
    page = client.get(f"/plans/{PLAN}/targets").text
    assert "每千人口医疗卫生机构床位数" in page and "已确认关联指标 0 项" in page
    suggested = client.post(
        f"/plans/{PLAN}/targets/suggest", data={"csrf_token": csrf_of(page, f"/plans/{PLAN}/targets/suggest")}
    )
    assert suggested.status_code == 200 and "已按名称和单位推荐关联指标" in suggested.text and "推荐 " in suggested.text
    action = f"/plans/{PLAN}/targets/{BEDS_TARGET}"
    linked = client.post(action, data={"csrf_token": csrf_of(suggested.text, action), "indicator": BEDS})
    assert linked.status_code == 200 and "已确认关联" in linked.text and "已确认关联指标 1 项" in linked.text
    confirmed = [v for v in list_links(web.core.uow(), PLAN) if v.confirmed]
    assert [(v.index, v.indicator_code, v.confirmed_by) for v in confirmed] == [(BEDS_TARGET, BEDS, "admin")]
    bad = client.post(action, data={"csrf_token": csrf_of(page, action), "indicator": "NO_SUCH"})
    assert bad.status_code == 422 and "未知指标「NO_SUCH」" in bad.text


def test_others_read_the_targets_and_may_not_link(web: Web) -> None:
    html = web.client("leader").get(f"/plans/{PLAN}/targets").text
    assert "每千人口医疗卫生机构床位数" in html
    assert [f for f in post_forms(html) if 'action="/logout"' not in f] == []
    response = web.client("wjw").post(f"/plans/{PLAN}/targets/{BEDS_TARGET}", data={"indicator": BEDS})
    assert response.status_code == 403
    assert not [v for v in list_links(web.core.uow(), PLAN) if v.confirmed]
