"""沪府办发〔２０２１〕３１号 — tasks are bold lead phrases; full-width digits; no departments."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from yigai.domain.plan import Comparator, PlanDraft

GROUP_SIZES = {
    "构建优质高效的整合型医疗服务新体系": 6,
    "打造科创引领的产学研一体化发展新趋势": 5,
    "激发数智融合的公立医院现代化管理新效能": 3,
    "激活“三医联动”系统集成的外部治理新动力": 5,
    "建设健康和谐的公立医院发展新文化": 3,
    "坚持和加强党对公立医院的全面领导": 4,
}


def test_metadata(seeds: dict[str, PlanDraft]) -> None:
    m = seeds["002"].meta
    assert m.doc_number == "沪府办发〔2021〕31号"
    assert m.issuer == "上海市人民政府办公厅"
    assert m.date == dt.date(2021, 12, 27)
    assert m.title == "关于推进上海市公立医院高质量发展的实施方案"
    assert m.valid_until == dt.date(2030, 12, 31)
    assert m.region == "上海市" and m.level.value == "city"


def test_bold_phrase_tasks_of_the_six_groups(seeds: dict[str, PlanDraft]) -> None:
    tasks = seeds["002"].tasks
    assert Counter(t.path[-1] for t in tasks) == GROUP_SIZES
    titles = [t.title for t in tasks]
    assert titles[0] == "争创国家医学中心和国家区域医疗中心"
    assert "推进紧密型医联体建设" in titles
    assert "守牢医疗质量安全底线" in titles
    assert "有序推进药品和医用耗材招采机制改革" in titles
    assert titles[-1] == "落实公立医院党建工作责任"
    # 总体要求 and 组织实施 hold no tasks
    assert not any("指导思想" in t.title or "强化组织领导" in t.title for t in tasks)


def test_numeric_targets(seeds: dict[str, PlanDraft]) -> None:
    got = {(t.metric, t.comparator, t.value, t.value_high, t.unit) for t in seeds["002"].targets}
    assert ("国家医学中心和国家区域医疗中心", Comparator.GE, 10, None, "家") in got
    assert ("国家中医医学中心", Comparator.RANGE, 1, 2, "家") in got
    assert ("国家中医药传承创新中心", Comparator.EQ, 1, None, "家") in got
    assert ("中西医结合旗舰医院", Comparator.RANGE, 3, 5, "家") in got
    assert ("国际一流的临床学科", Comparator.RANGE, 3, 4, "个") in got
    assert ("国际一流团队", Comparator.RANGE, 3, 4, "个") in got
    assert ("高水平中医特色专科医院", Comparator.RANGE, 2, 3, "个") in got
    assert ("高水平社区卫生服务中心", Comparator.EQ, 20, None, "家") in got  # pilot units of 组织实施
    ratio = next(t for t in seeds["002"].targets if t.metric == "医护比")
    assert ratio.comparator is Comparator.APPROX and ratio.value == 2 and ratio.unit == "1:x"


def test_no_departments_is_reported_not_invented(seeds: dict[str, PlanDraft]) -> None:
    draft = seeds["002"]
    assert all(t.responsibility.is_empty for t in draft.tasks)
    assert any(w.code == "task_without_department" for w in draft.warnings)
