"""青卫健医政〔2022〕14号 — expected values read from the document."""

from __future__ import annotations

import datetime as dt

from yigai.domain.plan import Comparator, PlanDraft

TITLES = [
    "强化组织领导",
    "落实政府责任",
    "持续筑牢公共卫生安全防线",
    "加快优质资源扩容和均衡布局",
    "深化以长三角（上海）智慧互联网医院为平台的新型分级诊疗体系建设",
    "构建示范区数字健康社区生态系统",
    "提升中医药服务水平",
    "推进公立医院高质量发展",
    "加强公立医院合理控费",
    "提升医疗服务质量",
    "全面深化公立医院薪酬制度改革",
    "推进实施药品和耗材采购改革",
    "深化医保支付方式改革",
    "优化医疗服务价格管理",
    "完善多层次医疗保障体系",
]


def names(refs: list) -> list[str]:
    return [r.name for r in refs]


def test_metadata(seeds: dict[str, PlanDraft]) -> None:
    m = seeds["000"].meta
    assert m.doc_number == "青卫健医政〔2022〕14号"
    assert m.issuer == "上海市青浦区卫生健康委员会"
    assert m.date == dt.date(2022, 12, 5)
    assert m.title == "青浦区关于因地制宜推广福建三明经验深化医药卫生体制改革的工作方案"
    assert m.region == "上海市青浦区"
    assert m.type.value == "工作方案"


def test_fifteen_tasks_with_titles_and_groups(seeds: dict[str, PlanDraft]) -> None:
    tasks = seeds["000"].tasks
    assert [t.title for t in tasks] == TITLES
    assert [t.no for t in tasks] == [str(i) for i in range(1, 16)]
    assert tasks[0].path[-1] == "健全医改领导体制和工作推进机制"
    assert tasks[14].path[-1] == "加强医保精细化管理"


def test_every_task_has_its_lead(seeds: dict[str, PlanDraft]) -> None:
    tasks = seeds["000"].tasks
    assert all(t.responsibility.lead for t in tasks)
    assert names(tasks[0].responsibility.lead) == ["区医改办"]
    assert names(tasks[1].responsibility.lead) == ["区卫生健康委", "区财政局", "区发展改革委"]
    assert names(tasks[9].responsibility.lead) == ["区卫生健康委", "区医保局"]
    assert names(tasks[9].responsibility.cooperating) == ["区财政局", "区发展改革委"]
    assert tasks[9].responsibility.cooperating_and_others
    # the clause of task 11 is broken by a page footer "— 9 —"
    assert names(tasks[10].responsibility.cooperating) == ["区人力资源社会保障局", "区财政局"]
    assert names(tasks[11].responsibility.cooperating) == ["区卫生健康委", "区财政局", "区市场监管局"]
    assert names(tasks[14].responsibility.cooperating) == ["区卫生健康委", "区民政局", "区发展改革委"]
    raw = [d.raw for d in tasks[1].responsibility.lead]
    assert raw == ["区卫健委", "区财政局", "区发改委"]


def test_page_footer_and_clause_removed_from_task_text(seeds: dict[str, PlanDraft]) -> None:
    text = seeds["000"].tasks[10].text
    assert "— 9 —" not in text and "9 —" not in text
    assert "牵头部门" not in text
    assert text.endswith("落实“两个允许”要求。")


def test_targets_in_running_text(seeds: dict[str, PlanDraft]) -> None:
    targets = {(t.metric, t.value, t.unit): t for t in seeds["000"].targets}
    capacity = targets[("日最大检测能力", 20.0, "万单管")]
    assert capacity.comparator is Comparator.GE and capacity.due == dt.date(2025, 12, 31)
    assert capacity.task == "T3"
    internet = next(t for t in seeds["000"].targets if "互联网医院建设" in t.metric)
    assert internet.value == 100 and internet.due == dt.date(2022, 12, 31)
    cloud = next(t for t in seeds["000"].targets if "远程云门诊" in t.metric)
    assert cloud.due == dt.date(2023, 12, 31)
    dip = next(t for t in seeds["000"].targets if "DIP" in t.metric)
    assert dip.due == dt.date(2022, 12, 31) and dip.task == "T13"
    beds = {t.metric: (t.comparator, t.value, t.value_high) for t in seeds["000"].targets if t.unit == "张"}
    assert beds["朱家角人民医院区级定点医院床位规模"] == (Comparator.RANGE, 400, 500)
    assert beds["区级方舱医院床位规模"] == (Comparator.EQ, 4000, None)
    meeting = next(t for t in seeds["000"].targets if t.unit == "次")
    assert meeting.value == 1 and meeting.comparator is Comparator.GE


def test_deadlines_from_text(seeds: dict[str, PlanDraft]) -> None:
    tasks = seeds["000"].tasks
    assert tasks[4].deadline.date == dt.date(2023, 12, 31)  # 2022年底 …；2023年底 …
    assert tasks[3].deadline.date == dt.date(2023, 12, 31)  # 2023年上半年 … 2023年底
    assert tasks[12].deadline.date == dt.date(2022, 12, 31)
