"""Task tables of an annex flattened one cell per line, read as tasks when the body has none.

The plans are written for the test in the layout web pages give 绩效管理 and 考核 plans: the
body sets up the procedure, the annex table (项目 / 内容 / 评分标准 / 责任科室) holds the work.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from yigai.parsing import parse_text
from yigai.parsing.table_rules import split_glued_values

HEAD = (
    "青山市卫生健康委员会关于印发2024年度绩效管理工作方案的通知\n"
    "2024年度绩效管理工作方案\n"
    "一、总体目标\n推动卫生健康工作高质量发展。\n"
    "二、工作内容\n(一)目标设定。\n由委办公室牵头，各科室配合，制定绩效目标。\n(二)监督考核。\n定期开展绩效分析。\n"
    "三、工作要求\n加强组织领导。\n"
    "附件：1.任务分解表\n"
    "附件1\n任务分解表\n"
)


def lines(*cells: str) -> str:
    return "\n".join(cells) + "\n"


TABLE = lines(
    "项目",
    "考核内容",
    "评分标准",
    "责任科室",
    "为基层减负",
    "（",
    "5",
    "分）",
    "1.",
    "精简文件和会议",
    "2.",
    "规范督查检查",
    "按完成情况评分",
    "办公室",
    "一、项目攻坚（20分）",
    "1.",
    "重点项目攻坚（5分）",
    "规划",
    "科",
    "体改科",
    "2.",
    "绿色发展攻坚（5分）",
    "3.",
    "营商环境攻坚（10分）",
    "政法监督科",
    "（审批办）",
    "经济指标（10分）本年度无我委负责的指标",
    "按完成情况评分",
    "本年度无我委",
    "负责的指标",
    "综合评价（5分）",
    "市委市政府综合评价",
    "按完成情况评分",
    "各科室",
)


def test_rows_of_an_annex_task_table_are_the_tasks() -> None:
    draft = parse_text(HEAD + TABLE)
    got = [(t.title, [d.raw for d in t.responsibility.lead], len(t.measures)) for t in draft.tasks]
    assert got == [
        ("为基层减负（5分）", ["办公室"], 2),  # one row: the 项目 is the task, its items its measures
        ("重点项目攻坚（5分）", ["规划科", "体改科"], 0),  # items in two rows: each item is a task
        ("绿色发展攻坚（5分）", ["政法监督科(审批办)"], 0),  # items sharing a cell share its units
        ("营商环境攻坚（10分）", ["政法监督科(审批办)"], 0),
        ("综合评价（5分）", ["各科室"], 0),  # 经济指标: nothing due this year, no task
    ]
    assert "tasks_from_annex" in [w.code for w in draft.warnings]


def test_the_first_unit_leads_when_the_document_says_so() -> None:
    draft = parse_text(HEAD + TABLE + "注：一项工作如涉及多个科室，排序第一位为牵头科室。\n")
    task = draft.tasks[1]
    assert ([d.raw for d in task.responsibility.lead], [d.raw for d in task.responsibility.cooperating]) == (
        ["规划科"],
        ["体改科"],
    )


def test_a_body_with_a_task_section_keeps_its_tasks() -> None:
    body = HEAD.replace("二、工作内容", "二、主要任务").replace(
        "(一)目标设定。\n由委办公室牵头", "(一)目标设定。\n由委办公室负责"
    )
    draft = parse_text(body + TABLE)
    assert "tasks_from_annex" not in [w.code for w in draft.warnings]


def test_an_indicator_table_is_not_a_task_table() -> None:
    table = lines(
        "指标名称",
        "年度目标",
        "责任科室",
        "孕产妇死亡率",
        "≤16/10万",
        "基妇科",
        "婴儿死亡率",
        "≤5‰",
        "基妇科",
        "适龄儿童免疫规划疫苗接种率",
        "≥95%",
        "疾控科",
    )
    draft = parse_text(HEAD + table)
    assert "tasks_from_annex" not in [w.code for w in draft.warnings]


GLUED = (
    "青山区人民政府关于印发青山区养老服务行动方案的通知\n青山区养老服务行动方案\n"
    "一、主要目标 表1 主要指标表 序号指标名称2020年完成值2025年目标值责任单位养老方面1养老服务床位总量（张）"
    "25783000区民政局2养老机构护理型床位占比（%）-60区民政局3老年教育参与率（%）6.2525区教育局"
    "4基本养老保险参保率（%）99.999区人社局5新生儿访视率（%）89.8690区卫健局 二、主要任务（一）完善服务。"
    "加强养老服务。（区民政局负责）\n"
)


def test_an_indicator_table_glued_into_the_text_gives_its_targets() -> None:
    draft = parse_text(GLUED)
    got = [(t.metric, t.value, t.unit, t.baseline, t.due.year if t.due else None) for t in draft.targets]
    assert got == [
        ("养老服务床位总量", 3000.0, "张", 2578.0, 2025),
        ("养老机构护理型床位占比", 60.0, "%", None, 2025),
        ("老年教育参与率", 25.0, "%", 6.25, 2025),
        ("基本养老保险参保率", 99.0, "%", 99.9, 2025),
        ("新生儿访视率", 90.0, "%", 89.86, 2025),
    ]


@given(st.integers(min_value=10, max_value=999_999), st.floats(min_value=0.8, max_value=1.25))
def test_glued_values_split_back_into_baseline_and_target(baseline: int, ratio: float) -> None:
    """A baseline and a target of the same number of digits and near each other, written together,
    are read back as they were (the case of indicator tables: 2578 → 3000, 67 → 73)."""
    target = round(baseline * ratio)
    if len(str(target)) != len(str(baseline)):
        return
    assert split_glued_values(f"{baseline}{target}", percent=False) == (float(baseline), float(target))


def test_glued_values_examples() -> None:
    assert split_glued_values("25783000", percent=False) == (2578.0, 3000.0)
    assert split_glued_values("-60", percent=True) == (None, 60.0)
    assert split_glued_values("070", percent=True) == (0.0, 70.0)
    assert split_glued_values("3361000", percent=False) == (336.0, 1000.0)
    assert split_glued_values("80100", percent=True) == (80.0, 100.0)
