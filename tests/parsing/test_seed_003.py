"""杨浦区 work plan: 17 items with half-width clauses; a broken pipe table of 32 key projects."""

from __future__ import annotations

import datetime as dt

from yigai.domain.plan import PlanDraft

MEMBERS = "区深化医改领导小组各成员单位"


def names(refs: list) -> list[str]:
    return [r.name for r in refs]


def test_metadata(seeds: dict[str, PlanDraft]) -> None:
    m = seeds["003"].meta
    assert m.issuer == "上海市杨浦区深化医药卫生体制改革领导小组办公室"
    assert m.date == dt.date(2022, 12, 21)
    assert m.doc_number == "杨卫健委〔2022〕146号"
    assert m.title == "关于因地制宜推广福建三明经验深化杨浦区医药卫生体制改革的工作方案"
    assert m.region == "上海市杨浦区"


def test_seventeen_items_with_leads(seeds: dict[str, PlanDraft]) -> None:
    tasks = seeds["003"].tasks
    assert len(tasks) == 17
    assert tasks[16].no == "(十七)"
    assert all(t.responsibility.lead for t in tasks)
    assert names(tasks[0].responsibility.lead) == ["区深化医改领导小组"]
    assert names(tasks[0].responsibility.cooperating) == [MEMBERS]
    assert names(tasks[1].responsibility.lead) == ["区财政局", "区发展改革委", "区卫生健康委"]
    assert names(tasks[10].responsibility.cooperating) == ["区科委", "区医保局"]
    assert next(d.raw for d in tasks[10].responsibility.cooperating) == "区科委(信息委)"
    assert names(tasks[13].responsibility.lead) == ["区委编办", "区卫生健康委"]
    # (六) continues over two paragraphs; its clause closes the second
    assert "15分钟社区健康服务圈" in tasks[5].text


def test_thirty_two_projects_with_inherited_departments(seeds: dict[str, PlanDraft]) -> None:
    projects = seeds["003"].projects
    assert [p.no for p in projects] == [str(i) for i in range(1, 33)]
    by_no = {p.no: p for p in projects}
    assert by_no["1"].group == "扎实推进公卫体系建设"
    assert names(by_no["6"].responsibility.lead) == ["区卫生健康委"]
    assert names(by_no["6"].responsibility.cooperating) == [MEMBERS]
    assert names(by_no["10"].responsibility.cooperating) == ["区发展改革委", "区规划资源局", "区财政局"]
    assert names(by_no["16"].responsibility.cooperating) == ["区发展改革委", "区规划资源局", "区医保局", "区财政局"]
    assert names(by_no["23"].responsibility.lead) == ["区医保局"]
    assert names(by_no["24"].responsibility.lead) == ["区医保局", "区卫生健康委"]
    assert names(by_no["24"].responsibility.cooperating) == ["区市场监管局"]
    assert names(by_no["25"].responsibility.cooperating) == ["区卫生健康委", "区体育局"]
    assert by_no["28"].group == "推进区域医疗卫生数字化转型"
    assert names(by_no["29"].responsibility.lead) == ["区科委", "区卫生健康委"]
    assert names(by_no["32"].responsibility.lead) == ["区委编办", "区卫生健康委"]
    assert names(by_no["32"].responsibility.cooperating) == ["区人力资源社会保障局", "区财政局"]
    assert by_no["32"].text.startswith("做好卫生高级职称申报材料的审核")


def test_deadlines_only_where_the_text_commits_to_one(seeds: dict[str, PlanDraft]) -> None:
    from yigai.domain.plan import DeadlineKind

    tasks = seeds["003"].tasks
    assert tasks[2].deadline.kind is DeadlineKind.UNSPECIFIED  # "常态化、制度化建设" is not a timetable
    assert tasks[5].deadline.date == dt.date(2030, 12, 31)  # 力争到2030年基本实现…
    assert tasks[14].deadline.kind is DeadlineKind.CONTINUOUS  # 持续推进按病种分值付费(DIP)试点
