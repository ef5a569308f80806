"""What a bulletin (通报) says, gathered once for every format.

``build_bulletin_data`` turns an evaluation (``PlanEvaluation``), the plan and its
progress reports into a ``BulletinData``: the overview (completion, reporting and
on-time rates, counts by status), the red list (overdue and at-risk items) by lead
department, the indicators off track with their projection sentence, the department
ranking (member departments only, by a score adjusted for their number of items; the others
listed apart with the reason), an appendix of every item with its latest report and one that
states how departments are scored and ranked. The DOCX, XLSX and HTML renderers only lay it out. Rates in ``PlanEvaluation`` are fractions (0-1); a report's
percent and the scores are 0-100.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from yigai.domain.departments import CLASS_LABELS
from yigai.domain.errors import YigaiError
from yigai.domain.formatting import fmt_date, fmt_number, fmt_rate
from yigai.domain.periods import Period, parse_period
from yigai.domain.plan import PlanDraft, Target
from yigai.domain.reports import REVIEW_LABELS, ProgressReport, ReviewState
from yigai.evaluation.results import (
    ITEM_STATUS_LABELS,
    DepartmentScore,
    ItemStatus,
    Observation,
    PlanEvaluation,
    RankingMethod,
    TargetEvaluation,
    TargetInput,
)
from yigai.evaluation.trajectory import target_text as evaluation_target_text
from yigai.reports.template_xlsx import TemplateItem, plan_items

# Chinese text of the bulletin, shared by every renderer.
TITLE = "关于《{plan}》{period}推进情况的通报"
INTRO = "根据《{plan}》{doc}要求，现将截至{at}各项任务推进、进展报送和指标监测情况通报如下。"
SECTION_OVERVIEW = "一、总体情况"
SECTION_RED_LIST = "二、重点督办事项（红色清单）"
SECTION_INDICATORS = "三、指标监测预警"
SECTION_RANKING = "四、部门考核排名"
SECTION_REQUIREMENTS = "五、下步工作要求"
APPENDIX_TITLE = "附件1：任务推进情况明细表"
METHOD_TITLE = "附件2：部门考核计分与排名方法"
OVERVIEW_SENTENCE = (
    "截至{at}，方案共有任务事项{items}项，已完成{completed}项，完成率{completion}；{others}。"
    "本期进展报告报送率{reporting}，按时报送率{on_time}；方案综合得分{score}分。"
)
TARGETS_SENTENCE = "方案共有量化指标目标{targets}项，已达标{met}项，偏离目标或存在未达标风险{off}项。"
RED_LIST_INTRO = "以下事项逾期未完成或存在未按期完成风险，请牵头部门逐项分析原因、落实整改。"
RED_LIST_EMPTY = "本期无逾期未完成或存在风险的事项。"
INDICATORS_EMPTY = "本期无偏离目标的指标。"
INDICATORS_INTRO = "以下指标偏离目标或按当前趋势存在未达标风险："
INDICATOR_STATEMENT = "{metric}（目标{target}）：{sentence}。"
INDICATOR_NO_SENTENCE = "偏离目标"
RANKING_INTRO = (
    "参与排名的为牵头事项不少于{n}项的成员单位，按排名得分从高到低排列。排名得分按牵头事项数校正，"
    "使事项多少不同的部门可比（计分与排名方法见附件2）。"
)
RANKING_EMPTY = "本期无参与排名的部门。"
NOT_RANKED_INTRO = "以下单位不参与排名，得分仅供参考："
RANKING_BRIEF = (
    "参与排名的为牵头事项不少于{n}项的成员单位。部门得分＝牵头事项平均得分－扣分（逾期、未报送）＋加分"
    "（提前完成）；排名得分＝（牵头事项数×部门得分＋{k}×平均得分{mean}分）÷（牵头事项数＋{k}），"
    "事项少的部门向平均得分靠拢。"
)
NO_LEAD = "未明确牵头部门"
REQUIREMENTS: tuple[tuple[str, str], ...] = (
    (
        "（一）对照清单抓整改。",
        "列入红色清单的事项，牵头部门要逐项分析原因，制定整改措施，明确完成时限，于下一报告期结束前报送整改情况。",
    ),
    (
        "（二）按时报送进展。",
        "各牵头部门要在每个报告期结束后按时报送任务进展，做到应报尽报、如实反映，配合部门要及时提供相关材料。",
    ),
    ("（三）加强指标监测。", "对预计难以达标的指标，相关部门要加大工作力度，完善监测数据，确保按期实现目标。"),
)

STATUS_ORDER = (
    ItemStatus.COMPLETED,
    ItemStatus.ON_TRACK,
    ItemStatus.AT_RISK,
    ItemStatus.OVERDUE,
    ItemStatus.NOT_REPORTED,
    ItemStatus.NOT_STARTED,
)
RED_STATUSES = (ItemStatus.OVERDUE, ItemStatus.AT_RISK)

STATUS_HEADERS = ("状态", "事项数", "占比")
RED_HEADERS = ("序号", "主要任务", "具体事项", "状态", "完成时限", "完成进度", "原因及存在问题")
INDICATOR_HEADERS = ("序号", "指标", "目标", "最新值", "序时进度应达", "趋势研判")
RANKING_HEADERS = ("名次", "部门", "牵头事项", "完成率", "按时报送率", "部门得分", "排名得分")
NOT_RANKED_HEADERS = ("单位", "类别", "牵头事项", "完成率", "按时报送率", "部门得分", "不参与排名的原因")
SCORE_DETAIL_HEADERS = (
    "名次",
    "部门",
    "牵头事项",
    "已完成",
    "完成率",
    "应报次数",
    "逾期报送",
    "未报送",
    "报送率",
    "按时报送率",
    "事项均分",
    "扣分",
    "加分",
    "部门得分",
    "排名得分",
)
NOT_RANKED_MARK = "不排名"
STATUS_SCORE_ORDER = (
    ItemStatus.COMPLETED,
    ItemStatus.ON_TRACK,
    ItemStatus.AT_RISK,
    ItemStatus.NOT_STARTED,
    ItemStatus.NOT_REPORTED,
    ItemStatus.OVERDUE,
)
APPENDIX_HEADERS = (
    "序号",
    "主要任务",
    "具体事项",
    "牵头部门",
    "完成时限",
    "状态",
    "完成进度",
    "报告期",
    "审核",
    "进展情况",
    "存在问题",
    "下步打算",
)


def target_text(t: Target) -> str:
    """A plan target as printed: ≥80%, ≤12/10万, 1∶2左右 (one renderer with the evaluation's sentences)."""
    if t.value is None:
        return t.raw
    text = evaluation_target_text(t.comparator, t.value, t.value_high, t.unit)
    implied = _IMPLIED_WORD.search(t.raw) if t.implicit else None
    return f"{text}（隐含：{implied.group(0)}）" if implied else text


_IMPLIED_WORD = re.compile(r"全覆盖|全部|所有")


def period_label(pid: str | None) -> str:
    if not pid:
        return "—"
    try:
        return parse_period(pid).label
    except YigaiError:
        return pid


@dataclass(slots=True)
class StatusCount:
    status: ItemStatus
    label: str
    count: int
    share: float  # of all items, 0-1


@dataclass(slots=True)
class Overview:
    items: int
    completed: int
    completion_rate: float
    reporting_rate: float
    on_time_rate: float
    score: float
    counts: list[StatusCount]
    targets: int
    targets_met: int
    targets_off_track: int
    sentence: str
    targets_sentence: str


@dataclass(slots=True)
class RedItem:
    item_id: str
    task: str
    title: str
    status: ItemStatus
    status_label: str
    deadline: str
    percent: float | None
    reason: str


@dataclass(slots=True)
class RedGroup:
    department: str
    items: list[RedItem]


@dataclass(slots=True)
class IndicatorRow:
    index: int
    metric: str
    unit: str
    target: str
    target_value: float | None
    target_high: float | None
    latest: float | None
    latest_period: str
    expected: float | None
    sentence: str
    series: list[Observation] = field(default_factory=list)

    @property
    def statement(self) -> str:
        """ "预约转诊占公立医院门诊就诊量（目标≥30%）：按当前趋势…。" for the body text."""
        return INDICATOR_STATEMENT.format(
            metric=self.metric, target=self.target, sentence=self.sentence.rstrip("。") or INDICATOR_NO_SENTENCE
        )


@dataclass(slots=True)
class RankingRow:
    """A department's score and its parts; rank 0 and a reason when it is not ranked."""

    rank: int
    department: str
    score: float
    items: int
    completed: int
    overdue: int
    at_risk: int
    not_reported: int
    reporting_rate: float
    on_time_rate: float
    completion_rate: float = 0.0
    item_mean: float = 0.0
    deduction: float = 0.0
    bonus: float = 0.0
    rank_score: float | None = None
    reports_due: int = 0
    late: int = 0
    missing: int = 0
    class_label: str = ""
    reason: str = ""  # why not ranked

    @property
    def cells(self) -> tuple[str, ...]:
        """The row of the ranking table (RANKING_HEADERS), as printed."""
        return (
            str(self.rank),
            self.department,
            str(self.items),
            fmt_rate(self.completion_rate),
            fmt_rate(self.on_time_rate),
            f"{self.score:.1f}",
            _score(self.rank_score),
        )

    @property
    def not_ranked_cells(self) -> tuple[str, ...]:
        """The row of the not-ranked table (NOT_RANKED_HEADERS), as printed."""
        return (
            self.department,
            self.class_label,
            str(self.items),
            fmt_rate(self.completion_rate),
            fmt_rate(self.on_time_rate),
            f"{self.score:.1f}",
            self.reason,
        )

    @property
    def detail_cells(self) -> tuple[str, ...]:
        """The row of the scoring detail in the appendix (SCORE_DETAIL_HEADERS), as printed."""
        return (
            str(self.rank) if self.rank else NOT_RANKED_MARK,
            self.department,
            str(self.items),
            str(self.completed),
            fmt_rate(self.completion_rate),
            str(self.reports_due),
            str(self.late),
            str(self.missing),
            fmt_rate(self.reporting_rate),
            fmt_rate(self.on_time_rate),
            f"{self.item_mean:.1f}",
            _signed(-self.deduction),
            _signed(self.bonus),
            f"{self.score:.1f}",
            _score(self.rank_score),
        )


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _signed(value: float) -> str:
    return f"{value:+.1f}" if value else "0"


@dataclass(slots=True)
class AppendixRow:
    no: int
    item_id: str
    task: str
    title: str
    lead: str
    deadline: str
    status_label: str
    percent: float | None
    period: str
    review: str
    narrative: str
    problems: str
    next_steps: str


@dataclass(slots=True)
class BulletinData:
    title: str
    plan_title: str
    doc_number: str
    period_id: str
    period_label: str
    at: dt.date
    intro: str
    overview: Overview
    red_list: list[RedGroup]
    off_track: list[IndicatorRow]
    ranking: list[RankingRow]  # the ranked member departments, in rank order
    appendix: list[AppendixRow]
    requirements: list[tuple[str, str]] = field(default_factory=lambda: list(REQUIREMENTS))
    not_ranked: list[RankingRow] = field(default_factory=list)  # leading bodies, groups, places, few items
    ranking_intro: str = ""
    ranking_brief: str = ""  # the method in two sentences, for pages (the bulletin has 附件2)
    method: list[str] = field(default_factory=list)  # how departments are scored and ranked (附件2)

    @property
    def red_items(self) -> int:
        return len({item.item_id for group in self.red_list for item in group.items})


def latest_submitted(reports: Sequence[ProgressReport], until: Period | None) -> dict[str, ProgressReport]:
    """Per item, the newest non-draft version of the latest period that ended by ``until``."""
    best: dict[str, tuple[tuple[dt.date, int], ProgressReport]] = {}
    for r in reports:
        if r.state is ReviewState.DRAFT:
            continue
        try:
            p = parse_period(r.period_id)
        except YigaiError:
            continue
        if until is not None and p.end > until.end:
            continue
        key = (p.end, r.version)
        if r.item_id not in best or key > best[r.item_id][0]:
            best[r.item_id] = (key, r)
    return {item: pair[1] for item, pair in best.items()}


def build_bulletin_data(
    evaluation: PlanEvaluation,
    draft: PlanDraft,
    reports: Sequence[ProgressReport] = (),
    targets: Sequence[TargetInput] = (),
) -> BulletinData:
    """Gather a bulletin; ``targets`` (with their series) lets the charts draw indicator trends."""
    try:
        period: Period | None = parse_period(evaluation.period_id)
    except YigaiError:
        period = None
    plabel = period_label(evaluation.period_id)
    plan_title = evaluation.title or draft.meta.title or draft.source_name
    doc = evaluation.doc_number or draft.meta.doc_number
    texts = {item.item_id: item for item in plan_items(draft)}
    latest = latest_submitted(reports, period)
    series: Mapping[int, list[Observation]] = {t.index: list(t.series) for t in targets}
    method = evaluation.ranking_method

    return BulletinData(
        title=TITLE.format(plan=plan_title, period=plabel),
        plan_title=plan_title,
        doc_number=doc,
        period_id=evaluation.period_id,
        period_label=plabel,
        at=evaluation.at,
        intro=INTRO.format(plan=plan_title, doc=f"（{doc}）" if doc else "", at=fmt_date(evaluation.at)),
        overview=_overview(evaluation),
        red_list=_red_list(evaluation, texts),
        off_track=[_indicator(t, draft, series) for t in evaluation.targets if t.off_track],
        ranking=[_ranking_row(d) for d in sorted(evaluation.departments, key=lambda d: (d.rank, d.name))],
        appendix=_appendix(evaluation, texts, latest),
        not_ranked=[_ranking_row(d) for d in evaluation.not_ranked],
        ranking_intro=RANKING_INTRO.format(n=method.min_items if method else 1),
        ranking_brief=RANKING_BRIEF.format(
            n=method.min_items, k=fmt_number(method.prior_items), mean=fmt_number(method.mean_score)
        )
        if method
        else "",
        method=method_paragraphs(method) if method else [],
    )


def _ranking_row(d: DepartmentScore) -> RankingRow:
    return RankingRow(
        d.rank,
        d.name,
        d.score,
        d.items,
        d.completed,
        d.overdue,
        d.at_risk,
        d.not_reported,
        d.reporting_rate,
        d.on_time_rate,
        completion_rate=d.completion_rate,
        item_mean=d.item_mean,
        deduction=d.deduction,
        bonus=d.bonus,
        rank_score=d.rank_score,
        reports_due=d.reports_due,
        late=d.late,
        missing=d.missing,
        class_label=CLASS_LABELS[d.department_class],
        reason=d.not_ranked,
    )


def method_paragraphs(m: RankingMethod) -> list[str]:
    """How departments are scored and ranked, in the bulletin's words, with the weights as configured."""
    points = "、".join(
        f"{ITEM_STATUS_LABELS[s]}{fmt_number(m.status_scores.get(s.value, 0.0))}分" for s in STATUS_SCORE_ORDER
    )
    k = fmt_number(m.prior_items)
    return [
        "一、计分对象。各部门牵头的任务事项（具体措施，无具体措施的计任务本身）；多个部门共同牵头的事项计入每个牵头部门。"
        "配合部门不计分。",
        f"二、事项得分。按评估日事项状态计分：{points}。",
        f"三、部门得分。部门得分＝牵头事项平均得分－扣分＋加分，限定在0～100分。扣分：每逾期报送一次扣"
        f"{fmt_number(m.late_deduction)}分，每未报送一次扣{fmt_number(m.missing_deduction)}分，最多扣"
        f"{fmt_number(m.max_deduction)}分；加分：每提前完成一项（完成日期早于完成时限）加{fmt_number(m.early_bonus)}分，"
        f"最多加{fmt_number(m.max_bonus)}分。",
        "四、完成与报送。完成率＝已完成事项数÷牵头事项数；报送率＝已报送次数÷应报送次数；按时报送率＝按时报送次数÷"
        "应报送次数（自第一个报告期起累计，报告期结束后规定天数内报送为按时）。",
        f"五、排名对象。只对领导小组成员单位排名。党委、政府、领导小组及其办公室等领导机构，各镇街（园区）、"
        f"有关部门等泛指单位，以及单个镇街、园区，列入“不参与排名”表并说明原因；牵头事项少于{m.min_items}项的部门，"
        "得分受单个事项影响过大，同样单列、不参与排名。",
        f"六、排名得分。牵头事项多少不同的部门直接比较得分有失公平：1个事项的状态变化可使只牵头1项的部门得分变化100分，"
        f"而对牵头上百项的部门影响不足1分。为此按牵头事项数校正：排名得分＝（牵头事项数×部门得分＋{k}×参与排名部门"
        f"平均得分）÷（牵头事项数＋{k}）。本期参与排名部门平均得分{fmt_number(m.mean_score)}分。事项越少，排名得分越向"
        "平均得分靠拢；事项多的部门，排名得分接近其部门得分。",
        "七、名次。按排名得分从高到低排列；排名得分相同的按按时报送率排列，仍相同的并列。",
    ]


def _overview(ev: PlanEvaluation) -> Overview:
    total = len(ev.items)
    counts = [
        StatusCount(s, ITEM_STATUS_LABELS[s], ev.counts.get(s, 0), ev.counts.get(s, 0) / total if total else 0.0)
        for s in STATUS_ORDER
    ]
    others = "，".join(f"{c.label}{c.count}项" for c in counts if c.status is not ItemStatus.COMPLETED)
    completed = ev.counts.get(ItemStatus.COMPLETED, 0)
    met = sum(1 for t in ev.targets if t.attainment.met)
    off = sum(1 for t in ev.targets if t.off_track)
    return Overview(
        items=total,
        completed=completed,
        completion_rate=ev.completion_rate,
        reporting_rate=ev.reporting_rate,
        on_time_rate=ev.on_time_rate,
        score=ev.score,
        counts=counts,
        targets=len(ev.targets),
        targets_met=met,
        targets_off_track=off,
        sentence=OVERVIEW_SENTENCE.format(
            at=fmt_date(ev.at),
            items=total,
            completed=completed,
            completion=fmt_rate(ev.completion_rate),
            others=others,
            reporting=fmt_rate(ev.reporting_rate),
            on_time=fmt_rate(ev.on_time_rate),
            score=f"{ev.score:.1f}",
        ),
        targets_sentence=TARGETS_SENTENCE.format(targets=len(ev.targets), met=met, off=off),
    )


def _red_list(ev: PlanEvaluation, texts: Mapping[str, TemplateItem]) -> list[RedGroup]:
    groups: dict[str, list[RedItem]] = {}
    red = [item for item in ev.items if item.status in RED_STATUSES]
    red.sort(key=lambda i: RED_STATUSES.index(i.status))  # stable: plan order within a status
    for item in red:
        t = texts.get(item.item_id)
        entry = RedItem(
            item_id=item.item_id,
            task=t.task_text if t else "",
            title=item.title,
            status=item.status,
            status_label=ITEM_STATUS_LABELS[item.status],
            deadline=fmt_date(item.deadline) if item.deadline else ((t.deadline if t else "") or "—"),
            percent=item.percent,
            reason=item.reason,
        )
        for dept in dict.fromkeys(item.lead or [NO_LEAD]):
            groups.setdefault(dept, []).append(entry)
    return [RedGroup(d, items) for d, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def _indicator(t: TargetEvaluation, draft: PlanDraft, series: Mapping[int, list[Observation]]) -> IndicatorRow:
    target = draft.targets[t.index] if 0 <= t.index < len(draft.targets) else None
    return IndicatorRow(
        index=t.index,
        metric=t.metric,
        unit=t.unit,
        target=t.target_text or (target_text(target) if target else "—"),
        target_value=target.value if target else None,
        target_high=target.value_high if target else None,
        latest=t.latest.value if t.latest else None,
        latest_period=t.latest.period.label if t.latest else "—",
        expected=t.path.expected,
        sentence=t.projection.sentence or t.attainment.note,
        series=sorted(series.get(t.index, []), key=lambda o: o.period.end),
    )


def _appendix(
    ev: PlanEvaluation, texts: Mapping[str, TemplateItem], latest: Mapping[str, ProgressReport]
) -> list[AppendixRow]:
    rows = []
    for n, item in enumerate(ev.items, start=1):
        t = texts.get(item.item_id)
        r = latest.get(item.item_id)
        rows.append(
            AppendixRow(
                no=n,
                item_id=item.item_id,
                task=t.task_text if t else "",
                title=item.title,
                lead="、".join(item.lead),
                deadline=fmt_date(item.deadline) if item.deadline else ((t.deadline if t else "") or "—"),
                status_label=ITEM_STATUS_LABELS[item.status],
                percent=r.percent if r else item.percent,
                period=period_label(r.period_id) if r else "—",
                review=REVIEW_LABELS[r.state] if r else "—",
                narrative=r.narrative if r else "",
                problems=r.problems if r else "",
                next_steps=r.next_steps if r else "",
            )
        )
    return rows
