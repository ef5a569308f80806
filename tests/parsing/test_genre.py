"""Genre rules on a plan that is not one of the seeds: a county plan in markdown with a
pipe task table, full-width digits, comma-separated roles and a 完成时限 in the clause."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from yigai.domain.plan import Comparator, DeadlineKind
from yigai.parsing import parse_file, parse_text

COUNTY = Path(__file__).parent / "data" / "county_plan.md"


def names(refs: list) -> list[str]:
    return [r.name for r in refs]


def test_county_plan_metadata() -> None:
    m = parse_file(COUNTY).meta
    assert m.doc_number == "某卫发〔2023〕8号"
    assert m.issuer == "某某县卫生健康局"
    assert m.title == "某某县深化医药卫生体制改革2023年重点工作任务"
    assert m.date == dt.date(2023, 3, 1)
    assert m.level.value == "district"


def test_county_departments_keep_their_level() -> None:
    task = parse_file(COUNTY).tasks[0]
    assert names(task.responsibility.lead) == ["县卫生健康委"]
    assert names(task.responsibility.cooperating) == ["县医保局", "县财政局"]
    assert task.deadline.kind is DeadlineKind.DATE and task.deadline.date == dt.date(2023, 12, 31)


def test_task_table_rows_complete_or_add_tasks() -> None:
    draft = parse_file(COUNTY)
    assert [t.title for t in draft.tasks] == [
        "推进紧密型县域医共体建设",
        "深化医保支付方式改革",
        "推进家庭医生签约服务，重点人群签约率达到75%以上",
    ]
    assert draft.tasks[1].deadline.kind is DeadlineKind.CONTINUOUS  # from the table's 完成时限
    signing = next(t for t in draft.targets if t.metric == "重点人群签约率")
    assert signing.comparator is Comparator.GE and signing.value == 75 and signing.task == "T3"
    assert not any("加强组织领导" in t.title for t in draft.tasks)  # 保障措施 is not a task


def test_plain_prose_gives_an_empty_draft_with_a_warning() -> None:
    draft = parse_text("今天天气很好。我们去公园散步，然后回家吃饭。\n晚上看书。")
    assert draft.tasks == []
    assert [w.code for w in draft.warnings] == ["no_tasks"]


def test_first_listed_is_lead_when_the_document_says_so() -> None:
    text = (
        "一、主要任务\n"
        "1.推进分级诊疗制度建设。到2025年，县域内就诊率达到90%。〔责任单位：区卫健局、区医保局、区财政局〕\n"
        "2.深化医保支付方式改革。全面推行DRG付费。〔责任单位：区医保局、区卫健局〕\n"
        "二、保障措施\n"
        "各责任单位中排在第一位的为牵头单位，其他为配合单位。\n"
    )
    draft = parse_text(text)
    assert names(draft.tasks[0].responsibility.lead) == ["区卫生健康委"]
    assert names(draft.tasks[0].responsibility.cooperating) == ["区医保局", "区财政局"]


def test_measures_under_a_task_and_hard_wrapped_lines() -> None:
    text = (
        "一、重点任务\n"
        "（一）推进公立医院高质量发展。强化体系创新、技术创新、\n"
        "模式创新和管理创新。（牵头部门：区卫健委；配合部门：区财政局等）\n"
        "1.建设区域医疗中心。2024年6月底前完成。\n"
        "2.提升基层服务能力。到2025年，基层诊疗量占比不低于65%。\n"
        "（二）完善药品供应保障。（牵头部门：区医保局）\n"
    )
    draft = parse_text(text)
    first = draft.tasks[0]
    assert first.title == "推进公立医院高质量发展"
    assert "模式创新和管理创新" in first.text  # the broken line was joined
    assert [m.no for m in first.measures] == ["1.", "2."]
    assert first.responsibility.cooperating_and_others
    assert first.deadline.date == dt.date(2025, 12, 31)
    assert names(draft.tasks[1].responsibility.lead) == ["区医保局"]


def test_baseline_from_由_提高到() -> None:
    draft = parse_text(
        "一、主要任务\n1.优化用药结构。到2025年，医保目录外费用控制比例由8%提高到12%以内。（牵头部门：区医保局）\n"
    )
    target = next(t for t in draft.targets if t.value == 12)
    assert (target.baseline, target.comparator, target.due) == (8.0, Comparator.LE, dt.date(2025, 12, 31))
    assert target.metric == "医保目录外费用控制比例"
