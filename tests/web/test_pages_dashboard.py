"""The dashboard: rates, status breakdown, red lists, off-track indicators with projections, ranking."""

from __future__ import annotations

from sqlalchemy import text

from .conftest import Web
from .pages_helpers import AT, add_history, data_island


def test_dashboard_shows_where_the_plan_stands(web: Web) -> None:
    add_history(web)
    html = web.client("leader").get(f"/?at={AT}").text
    assert "仓山区深化医药卫生体制集成改革实施方案" in html
    for label in ("总体完成率", "报送率", "按时报送率", "逾期未完成", "存在风险", "指标监测预警", "部门考核排名"):
        assert label in html, label
    status = data_island(html, "chart-status")
    assert status["kind"] == "status"
    counts = {d["name"]: d["value"] for d in status["data"]}
    assert counts["逾期未完成"] >= 1 and counts["存在风险"] >= 1 and sum(counts.values()) == 133
    ranking = data_island(html, "chart-ranking")
    assert ranking["kind"] == "ranking" and len(ranking["names"]) == len(ranking["scores"])
    # the chart shows every ranked department, and says how many more are listed apart
    ranked = html.split("<h2>部门考核得分</h2>", 1)[1].split("不参与排名（", 1)[0].count("<tr><td>")
    assert len(ranking["names"]) == ranked and ranked >= 1
    assert f"参与排名的全部{ranked}个部门" in ranking["caption"] and ranking["caption"] in html
    names = {name.split(". ", 1)[1] for name in ranking["names"]}
    assert not names & {"区委", "区政府", "区深化医改领导小组", "各镇街（园区）", "区直有关部门"}
    apart = html.split("不参与排名（", 1)[1]
    assert "区政府" in apart and "领导机构" in apart and "各镇街（园区）" in apart and "泛指单位" in apart
    assert "排名得分＝（牵头事项数×部门得分＋5×平均得分" in html
    # T22.M3 (deadline 2022) is overdue, T2.M1 reported 滞后 is at risk; both link to their pages
    assert 'href="/plans/1/tasks/T22.M3"' in html and 'href="/plans/1/tasks/T2.M1"' in html
    assert "家庭医生" in html
    trend = data_island(html, "chart-target-1")
    assert trend["kind"] == "trend" and trend["target"] == 7.0 and trend["due"] == "2025-12-31"
    assert [p[1] for p in trend["observed"]] == [5.0, 5.2, 5.3]
    assert trend["path"][0] == ["2021-12-31", 5.0] and trend["path"][1] == ["2025-12-31", 7.0]
    assert trend["projection"][-1][0] == "2025-12-31" and trend["projection"][-1][1] < 7
    assert "存在未达标风险" in trend["sentence"] and trend["sentence"] in html
    assert "echarts-6.1.0.min.js" in html and "app-0.1.0.js" in html


def test_data_islands_are_escaped_json(web: Web) -> None:
    add_history(web)
    html = web.client("admin").get(f"/?at={AT}").text
    island = html.split('id="chart-ranking">', 1)[1].split("</script>", 1)[0]
    assert "<" not in island and ">" not in island


def test_without_a_scheduled_plan_the_dashboard_says_so(web: Web) -> None:
    with web.core.engine.begin() as conn:
        conn.execute(text("DELETE FROM plan_schedules"))
    html = web.client("admin").get("/").text
    assert "尚无纳入督办的计划" in html and 'href="/admin#schedules"' in html
