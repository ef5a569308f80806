"""Responsibility and target phrasings of the genre, each in a small plan written for the test.

The forms are those real plans use (issue 13): a clause inside the paragraph, at its end or
on the next line; statements without labels; a section's closing clause; lists where the
first listed leads; targets as lists, bare figures, ratios and shares.
"""

from __future__ import annotations

import datetime as dt

import pytest

from yigai.domain.plan import Comparator, PlanDraft
from yigai.parsing import parse_text

HEAD = "青山市卫生健康委员会关于印发青山市深化医改工作方案的通知\n青山市深化医改工作方案\n一、主要任务\n"


def plan(body: str, head: str = HEAD) -> PlanDraft:
    return parse_text(head + body)


def roles(draft: PlanDraft) -> list[tuple[list[str], list[str]]]:
    return [
        ([d.raw for d in t.responsibility.lead], [d.raw for d in t.responsibility.cooperating]) for t in draft.tasks
    ]


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            "(一)推进分级诊疗。完善转诊制度(市卫健委、市医保局负责)。\n(二)深化医保改革。推进DRG付费(市医保局负责)。\n",
            [(["市卫健委", "市医保局"], []), (["市医保局"], [])],
        ),
        (
            "(一)推进分级诊疗。完善转诊制度。(市卫健委牵头，市医保局、市财政局配合)\n(二)加强监管。(市市场监管局牵头)\n",
            [(["市卫健委"], ["市医保局", "市财政局"]), (["市市场监管局"], [])],
        ),
        (
            "(一)推进分级诊疗。完善转诊制度，由市卫健委牵头，市医保局参与。\n(二)加强监管。市市场监管局负责，市卫健委配合。\n",
            [(["市卫健委"], ["市医保局"]), (["市市场监管局"], ["市卫健委"])],
        ),
        (
            "(一)推进分级诊疗。完善转诊制度。(市卫健委、市医保局分工负责，2023年12月前完成)\n(二)加强监管。(市市场监管局负责)\n",
            [(["市卫健委", "市医保局"], []), (["市市场监管局"], [])],
        ),
        (
            "(一)推进分级诊疗。完善转诊制度。\n牵头单位：市卫健委；配合单位：市医保局、市财政局\n"
            "(二)加强监管。强化执法。\n牵头单位：市市场监管局；配合单位：市卫健委\n",
            [(["市卫健委"], ["市医保局", "市财政局"]), (["市市场监管局"], ["市卫健委"])],
        ),
        (
            "(一)推进分级诊疗。完善转诊制度。〔责任单位：市卫健委（牵头）、市医保局〕\n(二)加强监管。〔责任单位：市市场监管局〕\n",
            [(["市卫健委"], ["市医保局"]), (["市市场监管局"], [])],
        ),
        (
            "(一)推进分级诊疗。完善转诊制度。〔责任领导：张三；责任单位：市卫健委、市医保局〕\n(二)加强监管。〔责任领导：李四；责任单位：市市场监管局〕\n",
            [(["市卫健委", "市医保局"], []), (["市市场监管局"], [])],
        ),
        (
            "(一)推进分级诊疗。完善转诊制度。\n(主要负责单位：市卫健委；参与单位：市医保局)\n(二)加强监管。\n(主要负责单位：市市场监管局)\n",
            [(["市卫健委"], ["市医保局"]), (["市市场监管局"], [])],
        ),
    ],
)
def test_responsibility_forms(body: str, expected: list[tuple[list[str], list[str]]]) -> None:
    assert roles(plan(body)) == expected


def test_a_closing_clause_speaks_for_every_item_of_its_section() -> None:
    draft = plan(
        "(一)建设医共体\n1.完善管理体制。健全章程。\n2.推进资源共享。建设中心。\n"
        "市卫健委牵头，市医保局、市财政局等部门按职责分工落实。\n"
        "(二)深化医保改革\n1.推进DRG付费。扩大范围。\n2.完善总额预算。合理确定。\n"
        "牵头单位：市医保局\n责任单位：市财政局\n"
    )
    assert [t.title for t in draft.tasks] == ["建设医共体", "深化医保改革"]
    assert roles(draft) == [(["市卫健委"], ["市医保局", "市财政局"]), (["市医保局"], ["市财政局"])]


def test_first_listed_leads_when_the_document_says_so() -> None:
    head = HEAD.replace("一、主要任务", "一项任务对应多个责任单位的，以第一顺位单位为牵头单位。\n一、主要任务")
    draft = plan(
        "(一)推进分级诊疗。完善转诊制度。〔责任单位：市卫健委、市医保局、市财政局〕\n"
        "(二)加强监管。〔责任单位：市市场监管局〕\n",
        head,
    )
    assert roles(draft) == [(["市卫健委"], ["市医保局", "市财政局"]), (["市市场监管局"], [])]


def test_a_clause_never_swallows_the_next_item() -> None:
    draft = plan("(一)推进分级诊疗。完善转诊制度。(市卫健委负责)(二)加强监管。强化执法。(市市场监管局负责)\n")
    assert roles(draft)[0] == (["市卫健委"], [])


def test_bare_names_take_the_document_level() -> None:
    draft = plan(
        "(一)推进分级诊疗。完善转诊制度。(责任单位：市卫健委、财政局、民政局)\n(二)加强监管。(责任单位：人社局)\n"
    )
    assert [d.name for d in draft.tasks[0].responsibility.lead] == ["市卫生健康委", "市财政局", "市民政局"]
    county = plan(
        "(一)推进分级诊疗。完善转诊制度。(责任单位：县卫健局、财政局)\n(二)加强监管。(责任单位：人社局)\n",
        "青山县人民政府关于印发青山县深化医改工作方案的通知\n青山县深化医改工作方案\n一、主要任务\n",
    )
    assert [d.name for d in county.tasks[0].responsibility.lead] == ["县卫生健康委", "县财政局"]


def test_groups_stay_groups() -> None:
    draft = plan(
        "(一)推进分级诊疗。完善转诊制度。(责任单位：市卫健委，各县（市、区）人民政府)\n"
        "(二)加强监管。(责任单位：各成员单位)\n"
    )
    kinds = [(d.raw, d.kind.value) for t in draft.tasks for d in t.responsibility.lead]
    assert ("各县(市、区)人民政府", "group") in kinds and ("各成员单位", "group") in kinds


def targets(text: str) -> list[tuple[str, Comparator | None, float | None, str, bool]]:
    return [
        (t.metric, t.comparator, t.value, t.unit, t.implicit)
        for t in plan(f"(一)推进工作。{text}(市卫健委负责)\n").targets
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("到2025年，重点人群签约服务覆盖率≥75%；", [("重点人群签约服务覆盖率", Comparator.GE, 75.0, "%", False)]),
        ("到2025年，家庭医生签约覆盖率80%。", [("家庭医生签约覆盖率", Comparator.EQ, 80.0, "%", False)]),
        ("到2025年，县域内就诊率达到90%以上。", [("县域内就诊率", Comparator.GE, 90.0, "%", False)]),
        ("到2025年，医护比达到1∶1.2。", [("医护比", Comparator.GE, 1.2, "1:x", False)]),
        (
            "到2025年，每千常住人口执业（助理）医师数3.2人。",
            [("每千常住人口执业（助理）医师数", Comparator.EQ, 3.2, "人", False)],
        ),
        ("到2025年，实现家庭医生签约服务全覆盖。", [("家庭医生签约服务覆盖", Comparator.EQ, 100.0, "%", True)]),
        ("2020年全市孕产妇死亡率为10.5/10万，已达到目标。", []),
        ("参保人员住院费用报销比例达到70%的，给予补助。", []),
        (
            "到2025年，疾控中心人员编制总量达到常住人口万分之1.75。",
            [("疾控中心人员编制总量", Comparator.GE, 1.75, "1/万", False)],
        ),
        (
            "到2025年，西医临床科室申请中医会诊次数不少于25次/月。",
            [("西医临床科室申请中医会诊次数", Comparator.GE, 25.0, "次/月", False)],
        ),
        ("到2025年，医师下基层全年达1460人（次）以上。", [("医师下基层全年", Comparator.GE, 1460.0, "人次", False)]),
        (
            "到2025年，百元医疗收入中消耗的卫生材料降到20元以下。",
            [("百元医疗收入中消耗的卫生材料", Comparator.LE, 20.0, "元", False)],
        ),
        (
            "到2025年，形成一支由3名名老中医、25名学术继承指导老师组成的人才队伍。",
            [("名老中医", Comparator.EQ, 3.0, "名", False), ("学术继承指导老师", Comparator.EQ, 25.0, "名", False)],
        ),
        ("在公共场所配置105台自动体外除颤器。", [("自动体外除颤器", Comparator.EQ, 105.0, "台", False)]),
    ],
)
def test_target_phrasings(text: str, expected: list[tuple[object, ...]]) -> None:
    assert targets(text) == expected


def test_one_sentence_giving_several_shares() -> None:
    got = targets("到2025年，收入结构中医疗服务收入占60%、药品收入占30%、检查收入占10%。")
    assert [(v, u) for _m, _c, v, u, _i in got] == [(60.0, "%"), (30.0, "%"), (10.0, "%")]


def test_values_split_by_line_breaks() -> None:
    draft = plan("(一)推进工作。到\n2025\n年，家庭医生签约覆盖率达到\n80%\n以上。(市卫健委负责)\n")
    assert [(t.value, t.comparator, t.due.year if t.due else None) for t in draft.targets] == [
        (80.0, Comparator.GE, 2025)
    ]


def test_a_list_of_each_departments_duties() -> None:
    draft = plan(
        "(一)加强组织管理。明确各成员单位职责。\n——市财政局：负责经费落实。\n——市红十字会：配合做好募捐。\n"
        "(二)加强督导检查。一是市卫健委要组织力量开展检查。二是市市场监管局对收费应当加强监管。\n"
    )
    assert roles(draft) == [(["市财政局"], ["市红十字会"]), (["市卫健委", "市市场监管局"], [])]


def test_a_duty_title_names_the_lead() -> None:
    draft = plan(
        "(一)明确市医保局监管职责\n1.组织开展行政执法。\n2.统筹稽查稽核。\n(二)落实市医保中心管理职责\n1.建立内控制度。\n"
    )
    assert roles(draft) == [(["市医保局"], []), (["市医保中心"], [])]


def test_a_task_list_table_without_a_deadline_column_gives_tasks() -> None:
    draft = parse_text(
        "青山县卫生健康局关于印发2026年青山县深化医改重点工作任务的通知\n2026年青山县深化医改重点工作任务\n"
        "序号\t重点任务\t牵头单位\t配合单位\n"
        "1\t推进紧密型县域医共体建设，2026年底前实现医保基金总额付费。\t县卫健局\t县医保局、县财政局\n"
        "2\t完善家庭医生签约服务，重点人群签约率达到75%以上。\t县卫健局\t县医保局\n"
    )
    assert draft.meta.issuer == "青山县卫生健康局" and draft.meta.title == "2026年青山县深化医改重点工作任务"
    assert [
        (t.no, [d.name for d in t.responsibility.lead], [d.name for d in t.responsibility.cooperating])
        for t in draft.tasks
    ] == [("1", ["县卫生健康委"], ["县医保局", "县财政局"]), ("2", ["县卫生健康委"], ["县医保局"])]
    # an annual plan's target without a date of its own is due at the end of the plan's year
    assert [(t.value, t.due.isoformat() if t.due else None) for t in draft.targets] == [(75.0, "2026-12-31")]
    assert not [w for w in draft.warnings if w.code == "no_tasks"]


def test_labels_with_the_names_on_the_next_line() -> None:
    draft = plan(
        "(一)推进分级诊疗。完善转诊制度。\n牵头单位：\n市卫健委\n配合单位：\n市医保局、市财政局\n"
        "(二)加强监管。强化执法。\n责任单位：\n市市场监管局（牵头）、市卫健委\n"
    )
    assert roles(draft) == [(["市卫健委"], ["市医保局", "市财政局"]), (["市市场监管局"], ["市卫健委"])]


def test_duties_that_name_the_items_by_number() -> None:
    draft = plan(
        "1.推进分级诊疗。完善转诊制度。\n2.深化医保改革。推进DRG付费。\n3.加强行业监管。强化执法。\n"
        "二、职责分工\n市卫健委负责第1、3项，市医保局负责第2项；市财政局配合第1至2项。\n"
    )
    assert roles(draft) == [(["市卫健委"], ["市财政局"]), (["市医保局"], ["市财政局"]), (["市卫健委"], [])]


def test_a_task_table_with_host_and_assisting_columns() -> None:
    draft = parse_text(
        "青山市卫生健康委员会关于印发青山市深化医改重点工作的通知\n青山市深化医改重点工作\n"
        "序号\t工作内容\t主办单位\t协办单位\t完成时限\n"
        "1\t推进公立医院高质量发展。\t市卫健委\t市医保局\t2026年12月\n"
        "2\t深化医保支付方式改革。\t市医保局\t市卫健委、市财政局\t2026年6月\n"
    )
    assert [
        (
            [d.name for d in t.responsibility.lead],
            [d.name for d in t.responsibility.cooperating],
            t.deadline.date.isoformat() if t.deadline.date else None,
        )
        for t in draft.tasks
    ] == [(["市卫生健康委"], ["市医保局"], "2026-12-31"), (["市医保局"], ["市卫生健康委", "市财政局"], "2026-06-30")]


def test_one_value_for_two_rates() -> None:
    got = targets("到2025年，高血压、糖尿病患者基层就诊率和规范管理率均达到70%以上。")
    assert [(m, c, v) for m, c, v, _u, _i in got] == [
        ("高血压、糖尿病患者基层就诊率", Comparator.GE, 70.0),
        ("高血压、糖尿病患者规范管理率", Comparator.GE, 70.0),
    ]


def test_a_statement_on_the_line_after_each_item_is_that_items() -> None:
    draft = plan(
        "(一)深化医疗改革\n1.推进分级诊疗。完善转诊制度。\n市卫健委负责，市医保局配合。\n"
        "2.深化医保改革。推进DRG付费。\n市医保局负责，市卫健委配合。\n"
        "(二)加强监管\n3.强化执法。开展检查。\n市市场监管局负责。\n4.完善信用。建立制度。\n市医保局负责。\n"
    )
    assert [t.no for t in draft.tasks] == ["1", "2", "3", "4"]
    assert roles(draft) == [
        (["市卫健委"], ["市医保局"]),
        (["市医保局"], ["市卫健委"]),
        (["市市场监管局"], []),
        (["市医保局"], []),
    ]


def test_a_figure_for_a_year_before_the_plan_is_the_past() -> None:
    head = HEAD.replace("深化医改工作方案\n一", "深化医改工作方案\n2022年3月1日\n一")
    draft = plan(
        "(一)保障母婴安全。2021年孕产妇死亡率10.13/10万，2022年孕产妇死亡率控制在12/10万以内。(市卫健委负责)\n", head
    )
    assert draft.meta.date is not None and draft.meta.date.year == 2022
    assert [(t.value, t.due.year if t.due else None) for t in draft.targets] == [(12.0, 2022)]


def test_a_figure_on_a_line_of_its_own_joins_its_sentence() -> None:
    draft = plan("(一)保障母婴安全。全市孕产妇死亡率控制在\n16/10\n万以内。(市卫健委负责)\n")
    assert [(t.metric, t.value, t.unit, t.comparator) for t in draft.targets] == [
        ("孕产妇死亡率", 16.0, "1/10万", Comparator.LE)
    ]


def test_a_year_in_a_documents_title_is_not_a_deadline() -> None:
    draft = plan(
        "(一)加强机关效能建设。认真落实《2025年机关效能建设工作要点》。(市卫健委负责)\n"
        "(二)完成年度评估。2025年6月底前完成。(市卫健委负责)\n"
    )
    assert [t.deadline.date for t in draft.tasks] == [None, dt.date(2025, 6, 30)]


RULES = "青山市人民政府关于印发青山市城乡医疗救助实施办法的通知\n青山市城乡医疗救助实施办法\n"


def test_the_tasks_of_a_rules_document_are_its_duty_articles() -> None:
    draft = parse_text(
        RULES + "第一章 总则\n第一条 为做好城乡医疗救助工作，制定本办法。\n"
        "第二条 民政部门根据救助对象人数编制年度预算。\n"
        "第二章 组织与实施\n第三条 各级政府应切实加强领导。\n"
        "第四条 财政部门负责医疗救助基金的筹集和拨付，并会同民政等相关部门，加强监督检查。\n"
        "第五条 审计、监察部门负责对医疗救助资金的审计监督。\n"
        "第六条 本办法自2026年1月1日起执行。\n"
    )
    got = [
        (t.no, t.title, [d.raw for d in t.responsibility.lead], [d.raw for d in t.responsibility.cooperating])
        for t in draft.tasks
    ]
    assert got == [
        ("第四条", "财政部门负责医疗救助基金的筹集和拨付", ["财政部门"], ["民政"]),
        ("第五条", "审计、监察部门负责对医疗救助资金的审计监督", ["审计", "监察部门"], []),
    ]


def test_duty_sentences_of_one_paragraph_are_tasks_of_a_rules_document() -> None:
    draft = parse_text(
        RULES + "一、救助对象\n符合条件的困难群众。\n二、工作要求\n(一)强化组织领导。各级政府要加强领导。\n"
        "(二)加强部门协同。市医保局负责统筹推进医疗救助工作。市民政局做好救助对象认定。市财政局按规定做好资金支持。\n"
    )
    assert [[d.raw for d in t.responsibility.lead] for t in draft.tasks] == [["市医保局"], ["市民政局"], ["市财政局"]]


def test_a_rules_title_with_a_task_section_keeps_its_tasks() -> None:
    draft = parse_text(
        RULES
        + "一、主要任务\n(一)完善救助制度。(市民政局负责)\n(二)加强部门协同。市医保局负责统筹推进。(市医保局负责)\n"
    )
    assert [t.title for t in draft.tasks] == ["完善救助制度", "加强部门协同"]
