"""青府发〔2021〕47号 — the 14th five-year plan with its two indicator tables."""

from __future__ import annotations

import datetime as dt

from yigai.domain.plan import Comparator, PlanDraft, Target

GE, LE, EQ, RANGE = Comparator.GE, Comparator.LE, Comparator.EQ, Comparator.RANGE

# (metric, unit, scope, attribute, comparator, value, high, observed 2020) read from 表1
TABLE1 = [
    ("平均期望寿命", "岁", "户籍人口", "预期性", GE, 82.8, None, 85.05),
    ("婴儿死亡率", "‰", "常住人口", "预期性", LE, 7, None, 3.12),
    ("5岁以下儿童死亡率", "‰", "户籍人口", "预期性", LE, 8, None, 2.47),
    ("0-6岁儿童保健管理率", "%", "常住人口", "约束性", GE, 90, None, 100),
    ("孕产妇死亡率", "1/10万", "常住人口", "预期性", LE, 12, None, 0),
    ("孕产妇系统管理率", "%", "户籍人口", "约束性", GE, 90, None, 98.6),
    ("常住人口计划生育率", "%", "常住人口", "约束性", GE, 95, None, 96.94),
    ("出生人口性别比", "", "常住人口", "预期性", LE, 108.125, None, 107),
    ("免疫规划疫苗接种率", "%", "户籍人口", "约束性", GE, 98, None, 99.96),
    ("免疫规划疫苗接种率", "%", "外来人口", "约束性", GE, 98, None, 99.94),
    ("重点慢性病（高血压、糖尿病）患者管理率（高血压）", "%", "户籍人口", "预期性", GE, 35, None, 46.1),
    ("重点慢性病（高血压、糖尿病）患者管理率（糖尿病）", "%", "户籍人口", "预期性", GE, 30, None, 35.33),
    ("千人口献血率", "‰", "常住人口", "预期性", GE, 15, None, 14.97),
    ("院前急救平均反应时间", "分钟", "急救对象", "预期性", LE, 13, None, 10.62),
    ("千人口医疗机构床位", "张", "常住人口", "预期性", GE, 5.26, None, 3.72),
    ("医疗机构内老年护理床位数", "%", "60岁以上户籍老年人口数", "约束性", EQ, 0.75, None, 1.4),
    ("千人口中医医疗机构床位数", "张", "常住人口", "预期性", RANGE, 0.25, 0.3, 0.22),
    ("千人口执业（助理）医师数", "人", "常住人口", "预期性", GE, 2.4, None, 1.9),
    ("千人口注册护士数", "人", "常住人口", "预期性", GE, 3.6, None, 1.99),
    ("千人口专业公共卫生机构人员数", "人", "常住人口", "预期性", EQ, 0.83, None, 0.53),
    ("千人口全科医师数", "人", "常住人口", "预期性", RANGE, 0.3, 0.4, 0.35),
    ("市民健康素养", "%", "常住人口", "预期性", GE, 25, None, 38.77),
]

# (metric, unit, scope, attribute, comparator, value) read from 表2, all due 2025
TABLE2 = [
    ("人均预期寿命", "岁", "户籍人口", "预期性", EQ, 84.98),
    ("人均健康预期寿命", "岁", "户籍人口", "预期性", GE, 71),
    ("婴儿死亡率", "‰", "常住人口", "预期性", LE, 5),
    ("5岁以下儿童死亡率", "‰", "户籍人口", "预期性", LE, 4),
    ("孕产妇死亡率", "1/10万", "常住人口", "预期性", LE, 7),
    ("居民健康素养水平", "%", "常住人口", "预期性", GE, 36),
    ("常见恶性肿瘤诊断时早期比例", "%", "户籍人口", "预期性", GE, 35),
    ("千人口献血率", "‰", "常住人口", "预期性", EQ, 15),
    ("院前急救平均反应时间", "分钟", "", "预期性", LE, 12),
    ("家庭医生签约覆盖率", "%", "重点人群", "预期性", GE, 80),
    ("签约居民签约社区就诊率", "%", "常住人口", "预期性", GE, 60),
    ("千人口医疗卫生机构床位数", "张", "常住人口", "预期性", EQ, 7.48),
    ("千人口执业（助理）医师数", "人", "常住人口", "预期性", EQ, 3.09),
    ("千人口注册护士数", "人", "常住人口", "预期性", EQ, 3.42),
    ("千人口全科医生数", "人", "常住人口", "预期性", EQ, 0.4),
]


def _table(draft: PlanDraft, caption: str) -> list[Target]:
    return [t for t in draft.targets if t.source.startswith("table:") and caption in t.source]


def test_metadata(seeds: dict[str, PlanDraft]) -> None:
    m = seeds["001"].meta
    assert (m.doc_number, m.issuer, m.date) == ("青府发〔2021〕47号", "上海市青浦区人民政府", dt.date(2021, 9, 16))
    assert m.title == "青浦区卫生健康发展“十四五”规划"
    assert m.valid_until == dt.date(2025, 12, 31)
    assert m.region == "上海市青浦区" and m.type.value == "规划"


def test_thirty_five_tasks_in_eight_groups(seeds: dict[str, PlanDraft]) -> None:
    tasks = seeds["001"].tasks
    assert len(tasks) == 35
    assert [t.no for t in tasks] == [str(i) for i in range(1, 36)]
    assert tasks[0].title == "优化公共卫生应急管理体系"
    assert tasks[10].title == "优化医疗卫生资源配置"
    assert tasks[34].title == "加强精神文明和政风行风建设"
    assert len({t.path[-1] for t in tasks}) == 8
    # the numbered items of 面临形势 and 基本原则 are not tasks
    assert not any(t.title.startswith("健康优先") for t in tasks)


def test_table1_every_row(seeds: dict[str, PlanDraft]) -> None:
    rows = _table(seeds["001"], "表1")
    got = [
        (
            t.metric,
            t.unit,
            t.scope,
            t.attribute.value if t.attribute else "",
            t.comparator,
            t.value,
            t.value_high,
            t.observed,
        )
        for t in rows
    ]
    assert got == TABLE1
    assert all(t.due == dt.date(2020, 12, 31) and t.observed_period == "2020" for t in rows)


def test_table2_every_row(seeds: dict[str, PlanDraft]) -> None:
    rows = _table(seeds["001"], "表2")
    got = [(t.metric, t.unit, t.scope, t.attribute.value if t.attribute else "", t.comparator, t.value) for t in rows]
    assert got == TABLE2
    assert all(t.due == dt.date(2025, 12, 31) for t in rows)


def test_targets_in_running_text(seeds: dict[str, PlanDraft]) -> None:
    text = {(t.metric, t.comparator, t.value, t.unit) for t in seeds["001"].targets if t.source == "text"}
    assert ("重大慢性病过早死亡率", LE, 10, "%") in text
    assert ("常见恶性肿瘤诊断时早期比例", GE, 35, "%") in text
    assert ("每千常住人口床位数", GE, 7.48, "张") in text
    assert ("每千常住人口全科医生数", GE, 0.4, "人") in text
    assert ("经过规范化培训的比例", GE, 80, "%") in text
    assert ("电子病历系统功能应用水平分级评价", GE, 5, "级") in text
    assert ("电子健康档案应用水平分级评审", GE, 5, "级") in text
    # achievements of 十三五 in 改革发展基础 are not targets
    assert not any(t.value == 66.7 for t in seeds["001"].targets)
    beds = next(t for t in seeds["001"].targets if t.metric == "每千常住人口床位数")
    assert beds.due == dt.date(2025, 12, 31) and beds.task == "T11"
