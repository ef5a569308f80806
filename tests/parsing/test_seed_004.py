"""仓医改组〔2021〕1号 — 37 tasks; appendix 2 task table with repeated headers and blank cells."""

from __future__ import annotations

import datetime as dt

from yigai.domain.plan import Category, Comparator, DeadlineKind, PlanDraft

# measures per task, counted in appendix 2
MEASURES = [
    3,
    7,
    2,
    3,
    3,
    5,
    5,
    3,
    6,
    1,
    3,
    4,
    5,
    2,
    3,
    3,
    4,
    2,
    1,
    2,
    4,
    3,
    4,
    6,
    3,
    4,
    4,
    2,
    5,
    2,
    3,
    5,
    7,
    3,
    2,
    7,
    2,
]


def names(refs: list) -> list[str]:
    return [r.name for r in refs]


def test_metadata(seeds: dict[str, PlanDraft]) -> None:
    m = seeds["004"].meta
    assert m.doc_number == "仓医改组〔2021〕1号"
    assert m.issuer == "仓山区深化医药卫生体制改革领导小组"
    assert m.date == dt.date(2021, 8, 2)
    assert m.title == "仓山区深化医药卫生体制集成改革实施方案"
    assert m.region.endswith("福州市仓山区")
    assert m.type.value == "实施方案"


def test_thirty_seven_tasks_each_with_lead(seeds: dict[str, PlanDraft]) -> None:
    tasks = seeds["004"].tasks
    assert [t.no for t in tasks] == [str(i) for i in range(1, 38)]
    assert all(t.responsibility.lead for t in tasks)
    assert names(tasks[0].responsibility.lead) == ["区委", "区政府"]
    # 〔责任单位：…〕 of task 12 is never closed; of task 10 it is a paragraph of its own
    assert "各镇街（园区）" in names(tasks[11].responsibility.lead)
    assert names(tasks[9].responsibility.lead)[0] == "区卫生健康委"
    assert names(tasks[36].responsibility.lead) == ["区卫生健康委", "区公安局", "区司法局"]
    assert any(w.code == "clause_unclosed" for w in seeds["004"].warnings)


def test_every_measure_attached_to_its_task(seeds: dict[str, PlanDraft]) -> None:
    tasks = seeds["004"].tasks
    assert [len(t.measures) for t in tasks] == MEASURES
    assert all(m.responsibility.lead for t in tasks for m in t.measures)
    assert all(m.categories for t in tasks for m in t.measures)
    assert all(m.deadline.kind is not DeadlineKind.UNSPECIFIED for t in tasks for m in t.measures)


def test_measure_cells(seeds: dict[str, PlanDraft]) -> None:
    t = {task.no: task for task in seeds["004"].tasks}
    m = t["1"].measures[0]
    assert (m.no, names(m.responsibility.lead), m.categories, m.deadline.kind) == (
        "(1)",
        ["区委", "区政府"],
        [Category.MEASURE],
        DeadlineKind.ADJUST_AS_NEEDED,
    )
    # blank cells inherit from the row above (merged cells)
    m = t["4"].measures[1]
    assert names(m.responsibility.lead) == ["区卫生健康委"]
    assert names(m.responsibility.cooperating) == ["区应急局", "区建设局", "火车南站综管处", "各镇街（园区）"]
    assert m.deadline.kind is DeadlineKind.CONTINUOUS
    m = t["7"].measures[4]
    assert m.deadline.date == dt.date(2021, 9, 30) and m.deadline.raw == "2021年9月"
    m = t["8"].measures[1]
    assert m.categories == [Category.MEASURE, Category.INDICATOR] and m.deadline.date == dt.date(2022, 12, 31)
    assert t["8"].measures[2].deadline.kind is DeadlineKind.BY_SUPERIORS
    assert t["2"].measures[0].deadline.kind is DeadlineKind.BY_SCHEDULE
    assert t["2"].measures[2].categories == [Category.INDICATOR]
    # names cut at a cell or page edge
    assert names(t["3"].measures[1].responsibility.lead) == ["各镇街（园区）", "区卫生健康委"]
    assert names(t["36"].measures[2].responsibility.lead) == ["区卫生健康委", "区市场监管局", "区医保局"]
    assert names(t["12"].measures[0].responsibility.cooperating) == ["区财政局", "区市场监管局", "区医保局"]
    assert names(t["2"].measures[0].responsibility.lead) == ["区卫生健康委", "区文旅局"]
    assert t["10"].measures[0].no == ""


def test_task_deadline_and_category_from_measures(seeds: dict[str, PlanDraft]) -> None:
    t = {task.no: task for task in seeds["004"].tasks}
    assert t["16"].deadline.date == dt.date(2025, 12, 31)
    assert t["8"].categories == [Category.MEASURE, Category.INDICATOR]
    assert not t["8"].categories_inferred


def test_targets_in_running_text(seeds: dict[str, PlanDraft]) -> None:
    got = {(t.metric, t.comparator, t.value, t.value_high, t.unit) for t in seeds["004"].targets}
    GE, LE, AP = Comparator.GE, Comparator.LE, Comparator.APPROX
    expected = [
        ("每千人口拥有执业（助理）医师数", GE, 3.9, None, "人"),
        ("每千人口医疗卫生机构床位数", GE, 7, None, "张"),
        ("政策范围内报销比例", AP, 70, None, "%"),
        ("个人卫生支出占卫生总费用比重", AP, 25, None, "%"),
        ("孕产妇死亡率", LE, 12, None, "1/10万"),
        ("婴儿死亡率", AP, 4, None, "%"),
        ("区疾控机构专技人员岗位比例", GE, 85, None, "%"),
        ("卫生专技人员", GE, 70, None, "%"),
        ("区级疾控机构高级专技岗位结构比例", GE, 25, None, "%"),
        ("中级专技岗位结构比例", Comparator.EQ, 40, None, "%"),
        ("每万城乡居民拥有全科医生数", Comparator.RANGE, 4, 5, "名"),
        ("基层医疗卫生机构人员编制数利用率", GE, 90, None, "%"),
        ("控制数利用率", GE, 70, None, "%"),
        ("基层医疗卫生机构提升建设为社区医院的比例", GE, 20, None, "%"),
        ("镇卫生院提升建设为区域医疗分中心比例", GE, 10, None, "%"),
        ("预约转诊占公立医院门诊就诊量", GE, 30, None, "%"),
        ("公立医院医保目录外费用控制比例", LE, 12, None, "%"),
        ("医保结余基金", LE, 50, None, "%"),
        ("特需服务占医院全部医疗服务业务量比例", LE, 10, None, "%"),
        ("高级专技岗位比例控制标准", LE, 20, None, "%"),
        ("基层医疗卫生机构人员平均工资收入与当地城镇单位在岗职工平均工资水平之比", Comparator.RANGE, 3, 5, "倍"),
    ]
    missing = [e for e in expected if e not in got]
    assert missing == []
    # 给予岗位补助，初级职称每人每月600元: a payment standard the plan sets, not a target to reach
    assert not [g for g in got if g[4] == "元"]
    referral = next(t for t in seeds["004"].targets if t.metric == "预约转诊占公立医院门诊就诊量")
    assert referral.due == dt.date(2022, 12, 31) and referral.task == "T21"
    doctors = next(t for t in seeds["004"].targets if t.metric.startswith("每千人口拥有"))
    assert doctors.due == dt.date(2025, 12, 31)
