"""Bulletins (通报) from a hand-built evaluation of seed 004, in DOCX, XLSX and HTML.

The evaluation is written by hand (not computed) so these tests check the renderers alone:
T1.M3 and T11.M2 are overdue, T2.M1 at risk, T3.M1 at risk and led by five departments;
indicator 25 (预约转诊占公立医院门诊就诊量 ≥30%) is off track with a three-point series.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from yigai.domain.departments import NOT_RANKED_REASONS, DepartmentClass
from yigai.domain.errors import YigaiError
from yigai.domain.formatting import chinese_number, fmt_rate
from yigai.domain.indicators import Direction
from yigai.domain.periods import parse_period
from yigai.domain.plan import PlanDraft
from yigai.domain.reports import ProgressReport, ProgressStatus, ReviewState, Timeliness
from yigai.evaluation.ranking import FEW_ITEMS
from yigai.evaluation.results import (
    Attainment,
    DepartmentScore,
    ItemEvaluation,
    ItemStatus,
    Observation,
    PathPosition,
    PlanEvaluation,
    Projection,
    RankingMethod,
    TargetEvaluation,
    TargetInput,
)
from yigai.evaluation.scoring import load_scheme
from yigai.reports import bulletin_charts
from yigai.reports.bulletin_charts import bulletin_charts as draw_charts
from yigai.reports.bulletin_charts import cjk_font
from yigai.reports.bulletin_data import BulletinData, build_bulletin_data
from yigai.reports.bulletin_render import render_bulletin
from yigai.reports.template_xlsx import plan_items

AT = dt.date(2023, 12, 31)
STATUSES = {
    "T1.M3": ItemStatus.OVERDUE,
    "T11.M2": ItemStatus.OVERDUE,
    "T2.M1": ItemStatus.AT_RISK,
    "T3.M1": ItemStatus.AT_RISK,
    "T2.M2": ItemStatus.NOT_REPORTED,
    "T2.M3": ItemStatus.NOT_STARTED,
}
SENTENCE = "按当前趋势，2022年预计达到21.5%，目标≥30%，存在未达标风险"


@pytest.fixture(scope="module")
def draft(seed_drafts: list[PlanDraft]) -> PlanDraft:
    return seed_drafts[4]


def _status(n: int, item_id: str) -> ItemStatus:
    return STATUSES.get(item_id, ItemStatus.COMPLETED if n % 3 == 0 else ItemStatus.ON_TRACK)


def _evaluation(draft: PlanDraft) -> PlanEvaluation:
    items = []
    for n, it in enumerate(plan_items(draft)):
        status = _status(n, it.item_id)
        items.append(
            ItemEvaluation(
                item_id=it.item_id,
                task_id=it.task.id,
                title=it.detail,
                lead=list(it.lead),
                status=status,
                percent=100.0
                if status is ItemStatus.COMPLETED
                else (None if status is ItemStatus.NOT_REPORTED else 40.0),
                deadline=dt.date(2023, 6, 30) if status is ItemStatus.OVERDUE else None,
                latest_period="2023Q4",
                timeliness={"2023Q4": Timeliness.ON_TIME},
                reason=f"{it.item_id}：进度低于序时要求",
            )
        )
    counts = {s: sum(1 for i in items if i.status is s) for s in ItemStatus}
    p22 = parse_period("2022Q4")
    referral = TargetEvaluation(
        index=22,
        metric="预约转诊占公立医院门诊就诊量",
        unit="%",
        indicator_code="REFERRAL_SHARE",
        direction=Direction.HIGHER_IS_BETTER,
        latest=Observation(p22, 21.5),
        attainment=Attainment(met=False, score=0.72, gap=-8.5),
        path=PathPosition(expected=30.0, actual=21.5, ahead=False),
        projection=Projection(True, 21.5, 2.0, 3, SENTENCE),
        off_track=True,
    )
    staffing = TargetEvaluation(
        index=12,
        metric="基层医疗卫生机构人员编制数利用率",
        unit="%",
        indicator_code="STAFF_USE",
        direction=Direction.HIGHER_IS_BETTER,
        latest=Observation(p22, 93.0),
        attainment=Attainment(met=True, score=1.0, gap=3.0),
        path=PathPosition(90.0, 93.0, True),
        projection=Projection(False, None, None, 1, "数据不足"),
        off_track=False,
    )
    departments = [
        DepartmentScore(
            "区医保局", 72.5, 3, 16, 5, 2, 0, 0, 0.9375, 0.875, item_mean=74.5, deduction=2.0, rank_score=74.9
        ),
        DepartmentScore(
            "区卫生健康委",
            81.25,
            2,
            116,
            38,
            1,
            2,
            1,
            0.95,
            0.9,
            item_mean=99.25,
            deduction=20.0,
            bonus=2.0,
            rank_score=81.3,
        ),
        DepartmentScore("区市场监管局", 95.0, 1, 12, 6, 0, 0, 0, 1.0, 1.0, item_mean=95.0, rank_score=90.8),
    ]
    not_ranked = [
        DepartmentScore(
            "区委",
            50.0,
            0,
            2,
            0,
            0,
            1,
            0,
            1.0,
            1.0,
            department_class=DepartmentClass.LEADING,
            not_ranked=NOT_RANKED_REASONS[DepartmentClass.LEADING],
        ),
        DepartmentScore(
            "区文旅局",
            78.0,
            0,
            1,
            0,
            0,
            0,
            0,
            0.8,
            0.8,
            department_class=DepartmentClass.MEMBER,
            not_ranked=FEW_ITEMS.format(n=3),
        ),
    ]
    method = RankingMethod(
        min_items=3,
        prior_items=5,
        mean_score=82.92,
        status_scores={s.value: v for s, v in load_scheme().status_scores.items()},
        late_deduction=1,
        missing_deduction=2,
        max_deduction=20,
        early_bonus=2,
        max_bonus=10,
    )
    return PlanEvaluation(
        plan_id=5,
        title=draft.meta.title,
        doc_number=draft.meta.doc_number,
        at=AT,
        period_id="2023Q4",
        items=items,
        targets=[referral, staffing],
        departments=departments,
        sections=[],
        score=78.4,
        counts=counts,
        completion_rate=counts[ItemStatus.COMPLETED] / len(items),
        reporting_rate=0.96,
        on_time_rate=0.8,
        not_ranked=not_ranked,
        ranking_method=method,
    )


def _reports() -> list[ProgressReport]:
    def report(
        item: str, period: str, version: int, state: ReviewState, narrative: str, percent: float = 40
    ) -> ProgressReport:
        return ProgressReport(
            plan_id=5,
            item_id=item,
            period_id=period,
            department="区医保局",
            status=ProgressStatus.DELAYED,
            percent=percent,
            narrative=narrative,
            problems='=HYPERLINK("x")',
            next_steps="加快推进",
            state=state,
            version=version,
        )

    return [
        report("T11.M2", "2023Q3", 1, ReviewState.ACCEPTED, "三季度进展"),
        report("T11.M2", "2023Q4", 1, ReviewState.RETURNED, "四季度初稿"),
        report("T11.M2", "2023Q4", 2, ReviewState.SUBMITTED, "四季度重报：医保制度方案已起草", 45),
        report("T11.M2", "2023Q4", 3, ReviewState.DRAFT, "未提交的草稿"),
        report("T11.M2", "2024Q1", 1, ReviewState.SUBMITTED, "下一期"),
    ]


@pytest.fixture(scope="module")
def data(draft: PlanDraft) -> BulletinData:
    series = [Observation(parse_period(p), v) for p, v in (("2020Q4", 15.0), ("2021Q4", 18.2), ("2022Q4", 21.5))]
    target = TargetInput(
        index=22,
        metric="预约转诊占公立医院门诊就诊量",
        comparator=None,
        value=30.0,
        value_high=None,
        unit="%",
        due=dt.date(2022, 12, 31),
        direction=Direction.HIGHER_IS_BETTER,
        series=series,
    )
    return build_bulletin_data(_evaluation(draft), draft, _reports(), [target])


# ---------------------------------------------------------------------------- data


def test_bulletin_data_gathers_every_section(data: BulletinData, draft: PlanDraft) -> None:
    assert data.title == "关于《仓山区深化医药卫生体制集成改革实施方案》2023年第4季度推进情况的通报"
    assert "（仓医改组〔2021〕1号）" in data.intro and "2023年12月31日" in data.intro
    ov = data.overview
    items = len(plan_items(draft))
    assert ov.items == items == len(data.appendix)
    assert sum(c.count for c in ov.counts) == items
    assert {c.label: c.count for c in ov.counts}["逾期未完成"] == 2
    assert f"完成率{fmt_rate(ov.completion_rate)}" in ov.sentence and "按时报送率80.0%" in ov.sentence
    assert "存在风险2项" in ov.sentence and "综合得分78.4分" in ov.sentence
    assert ov.targets_sentence == "方案共有量化指标目标2项，已达标1项，偏离目标或存在未达标风险1项。"

    groups = {g.department: [i.item_id for i in g.items] for g in data.red_list}
    assert groups["区卫生健康委"] == ["T1.M3", "T11.M2", "T2.M1", "T3.M1"]  # overdue first, then plan order
    assert groups["区医保局"] == ["T1.M3", "T11.M2"]
    assert groups["区商务局"] == ["T3.M1"] and groups["区文旅局"] == ["T2.M1"]
    assert data.red_list[0].department == "区卫生健康委"
    assert data.red_items == 4

    (ind,) = data.off_track
    assert (ind.metric, ind.target, ind.latest, ind.expected, ind.sentence) == (
        "预约转诊占公立医院门诊就诊量",
        "≥30%",
        21.5,
        30.0,
        SENTENCE,
    )
    assert [o.value for o in ind.series] == [15.0, 18.2, 21.5]
    assert [r.department for r in data.ranking] == ["区市场监管局", "区卫生健康委", "区医保局"]

    row = next(r for r in data.appendix if r.item_id == "T11.M2")
    # the newest non-draft version of the latest period up to 2023Q4
    assert (row.narrative, row.percent, row.period, row.review) == (
        "四季度重报：医保制度方案已起草",
        45,
        "2023年第4季度",
        "已提交",
    )
    assert row.status_label == "逾期未完成" and row.lead == "区医保局、区卫生健康委"


def test_chinese_numbers_for_level_two_headings() -> None:
    assert [chinese_number(n) for n in (1, 9, 10, 11, 17, 20, 35)] == [
        "一",
        "九",
        "十",
        "十一",
        "十七",
        "二十",
        "三十五",
    ]


# ---------------------------------------------------------------------------- charts


def test_charts_are_png_with_a_cjk_font(data: BulletinData) -> None:
    assert cjk_font() is not None  # the set-up installs fonts-noto-cjk
    charts = draw_charts(data)
    assert [c.key for c in charts] == ["status", "ranking", "indicator:22"]
    assert all(c.png.startswith(b"\x89PNG\r\n\x1a\n") and len(c.png) > 5000 for c in charts)


def test_charts_render_without_a_cjk_font(
    data: BulletinData, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(bulletin_charts, "CJK_FAMILIES", ("No Such Font",))
    monkeypatch.setattr(bulletin_charts, "_other_cjk", lambda installed: None)
    monkeypatch.setattr(bulletin_charts, "_add_system_cjk_fonts", lambda: False)
    bulletin_charts.cjk_font.cache_clear()
    try:
        chart = bulletin_charts.status_chart(data)
    finally:
        bulletin_charts.cjk_font.cache_clear()
    assert chart.png.startswith(b"\x89PNG")
    assert "no CJK font" in caplog.text


# ---------------------------------------------------------------------------- DOCX


def test_docx_bulletin_follows_official_document_conventions(data: BulletinData, tmp_path: Path) -> None:
    path = render_bulletin(data, "docx", tmp_path / "通报.docx")
    doc = Document(str(path))
    paragraphs = doc.paragraphs
    assert paragraphs[0].text == data.title and paragraphs[0].style.name == "Title"
    title_fonts = paragraphs[0].style.element.rPr.rFonts
    assert title_fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") in (
        "方正小标宋简体",
        "黑体",
    )

    h1 = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert h1 == [
        "一、总体情况",
        "二、重点督办事项（红色清单）",
        "三、指标监测预警",
        "四、部门考核排名",
        "五、下步工作要求",
    ]
    h2 = [p.text for p in paragraphs if p.style.name == "Heading 2"]
    assert h2[0] == "（一）区卫生健康委（4项）" and "（二）区医保局（2项）" in h2
    assert all(re.match(r"（[一二三四五六七八九十]+）", t) for t in h2)

    styles = doc.styles
    ea = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    assert styles["Heading 1"].element.rPr.rFonts.get(ea) == "黑体"
    assert styles["Heading 2"].element.rPr.rFonts.get(ea).startswith("楷体")
    assert styles["Normal"].element.rPr.rFonts.get(ea).startswith("仿宋")
    assert styles["Normal"].font.size.pt == 16

    body = "\n".join(p.text for p in paragraphs)
    assert data.overview.sentence in body and SENTENCE in body

    tables = doc.tables
    red = [t for t in tables if t.rows[0].cells[0].text == "序号" and t.rows[0].cells[3].text == "状态"]
    health = red[0]
    assert [r.cells[2].text[:4] for r in health.rows[1:]] == ["(3) ", "(2) ", "(1) ", "(1) "]
    assert [r.cells[3].text for r in health.rows[1:]] == ["逾期未完成", "逾期未完成", "存在风险", "存在风险"]
    assert health.rows[1].cells[6].text == "T1.M3：进度低于序时要求"
    ranking = next(t for t in tables if t.rows[0].cells[0].text == "名次")
    assert [c.text for c in ranking.rows[0].cells] == [
        "名次",
        "部门",
        "牵头事项",
        "完成率",
        "按时报送率",
        "部门得分",
        "排名得分",
    ]
    assert [[c.text for c in r.cells] for r in ranking.rows[1:]] == [
        ["1", "区市场监管局", "12", "50.0%", "100.0%", "95.0", "90.8"],
        ["2", "区卫生健康委", "116", "32.8%", "90.0%", "81.2", "81.3"],
        ["3", "区医保局", "16", "31.2%", "87.5%", "72.5", "74.9"],
    ]
    apart = next(t for t in tables if t.rows[0].cells[0].text == "单位")
    assert [[c.text for c in r.cells][:3] for r in apart.rows[1:]] == [
        ["区委", "领导机构", "2"],
        ["区文旅局", "成员单位", "1"],
    ]
    assert "少于3项" in apart.rows[2].cells[6].text
    # 附件2 states the method with the configured weights, then every department's score and its parts
    assert "附件2：部门考核计分与排名方法" in body
    assert "已完成100分、按期推进80分" in body and "每未报送一次扣2分，最多扣20分" in body
    assert "排名得分＝（牵头事项数×部门得分＋5×参与排名部门平均得分）÷（牵头事项数＋5）" in body
    detail = tables[-1]
    assert [c.text for c in detail.rows[2].cells][-5:] == ["99.2", "-20.0", "+2.0", "81.2", "81.3"]
    assert [c.text for c in detail.rows[4].cells][:2] == ["不排名", "区委"]
    indicators = next(t for t in tables if t.rows[0].cells[1].text == "指标")
    assert [c.text for c in indicators.rows[1].cells] == [
        "1",
        "预约转诊占公立医院门诊就诊量",
        "≥30%",
        "21.5%（2022年第4季度）",
        "30%",
        SENTENCE,
    ]
    appendix = next(
        t for t in tables if t.rows[0].cells[1].text == "主要任务" and t.rows[0].cells[3].text == "牵头部门"
    )
    assert len(appendix.rows) == 1 + len(data.appendix)
    assert "tblHeader" in appendix.rows[0]._tr.xml

    assert len(doc.inline_shapes) >= 2
    assert doc.sections[-1].orientation == 1  # the appendix is landscape

    footer = doc.sections[0].footer.paragraphs[0]
    assert "PAGE" in footer._p.xml and 'w:fldCharType="begin"' in footer._p.xml
    assert footer.text.startswith("— ") and footer.text.endswith(" —")


def test_docx_without_red_items_says_so(draft: PlanDraft, tmp_path: Path) -> None:
    ev = _evaluation(draft)
    for item in ev.items:
        item.status = ItemStatus.ON_TRACK
    ev.targets, ev.departments = [], []
    data = build_bulletin_data(ev, draft)
    doc = Document(str(render_bulletin(data, "docx", tmp_path / "b.docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "本期无逾期未完成或存在风险的事项。" in text and "本期无偏离目标的指标。" in text
    assert len(doc.inline_shapes) == 1  # the status chart only


# ---------------------------------------------------------------------------- XLSX and HTML


def test_xlsx_bulletin_has_a_sheet_per_section(data: BulletinData, tmp_path: Path) -> None:
    wb = load_workbook(render_bulletin(data, "xlsx", tmp_path / "通报.xlsx"))
    assert wb.sheetnames == ["总体情况", "红色清单", "指标预警", "部门排名", "任务明细", "计分与排名方法", "图表"]
    overview = {r[0]: r[1] for r in wb["总体情况"].iter_rows(max_row=8, values_only=True)}
    assert overview["完成率"] == pytest.approx(data.overview.completion_rate) and overview["综合得分"] == 78.4
    red = list(wb["红色清单"].iter_rows(values_only=True))
    assert red[0][:2] == ("牵头部门", "序号")
    assert ("区医保局", 2, "T11.M2：进度低于序时要求") in {(r[0], r[1], r[7]) for r in red[1:]}
    assert len(red) == 1 + sum(len(g.items) for g in data.red_list)
    ranking = list(wb["部门排名"].iter_rows(values_only=True))
    assert ranking[0][-3:] == ("加分", "部门得分", "排名得分")
    assert [r[:2] for r in ranking[1:4]] == [(1, "区市场监管局"), (2, "区卫生健康委"), (3, "区医保局")]
    assert ranking[2][10:] == (99.25, -20.0, 2.0, 81.25, 81.3)
    assert ranking[5][0].startswith("以下单位不参与排名") and ranking[7][:2] == ("区委", "领导机构")
    assert "排名得分＝" in "".join(r[0] for r in wb["计分与排名方法"].iter_rows(values_only=True) if r[0])
    detail = wb["任务明细"]
    row = next(r for r in detail.iter_rows(min_row=2) if r[2].value and r[2].value.startswith("(2) 健全完善重大传染病"))
    assert row[10].value == '=HYPERLINK("x")' and row[10].data_type == "s"  # formula text kept as text
    assert len(wb["图表"]._images) == 3


def test_html_bulletin_is_self_contained(data: BulletinData, tmp_path: Path) -> None:
    path = render_bulletin(data, "html", tmp_path / "通报.html")
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://", html)
    assert "<link" not in html and "<script" not in html and "@import" not in html
    assert html.count('src="data:image/png;base64,') == 3
    assert "<h2>二、重点督办事项（红色清单）</h2>" in html and "（一）区卫生健康委（4项）" in html
    assert "T11.M2：进度低于序时要求" in html and SENTENCE in html
    assert "&lt;" not in data.title and "=HYPERLINK(&#34;x&#34;)" in html  # escaped


def test_unknown_format_is_refused(data: BulletinData, tmp_path: Path) -> None:
    with pytest.raises(YigaiError) as info:
        render_bulletin(data, "pdf", tmp_path / "b.pdf")
    assert "pdf" in info.value.message_zh
    assert not list(tmp_path.iterdir())


def test_no_file_is_left_behind_when_writing_fails(data: BulletinData, tmp_path: Path) -> None:
    with pytest.raises(YigaiError):
        render_bulletin(data, "docx", tmp_path / "missing-dir" / "b.docx")
    assert not (tmp_path / "missing-dir").exists()
    assert render_bulletin(data, "html", tmp_path / "ok.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["ok.html"]


def test_bulletin_from_the_evaluation_engine(draft: PlanDraft, tmp_path: Path) -> None:
    """The engine's own output on seed 004 renders: overdue T7.M5 (完成时间 2021年9月) is on the red list."""
    from yigai.domain.periods import periods_between
    from yigai.evaluation import evaluate
    from yigai.evaluation.results import EvaluationInput

    def rep(item: str, period: str, percent: float) -> ProgressReport:
        end = parse_period(period).end
        return ProgressReport(
            5,
            item,
            period,
            "区卫生健康委",
            ProgressStatus.IN_PROGRESS,
            percent,
            narrative=f"{period} 进展",
            state=ReviewState.SUBMITTED,
            submitted_at=dt.datetime.combine(end + dt.timedelta(days=5), dt.time(9)),
        )

    t = draft.targets[25]
    series = [Observation(parse_period(p), v) for p, v in (("2021Q4", 12.0), ("2022Q2", 14.0), ("2022Q4", 16.0))]
    target = TargetInput(
        25,
        t.metric,
        t.comparator,
        t.value,
        t.value_high,
        t.unit,
        t.due,
        Direction.HIGHER_IS_BETTER,
        "REFERRAL_SHARE",
        task_id=t.task,
        series=series,
    )
    reports = [rep("T2.M2", p.id, 10 * n) for n, p in enumerate(periods_between("2021Q3", "2023Q4"), start=1)]
    ev = evaluate(EvaluationInput(5, draft, periods_between("2021Q3", "2023Q4"), reports, [target], AT))
    data = build_bulletin_data(ev, draft, reports, [target])
    assert "T7.M5" in {i.item_id for g in data.red_list for i in g.items}
    assert [r.metric for r in data.off_track] == [t.metric]
    assert next(r for r in data.appendix if r.item_id == "T2.M2").narrative == "2023Q4 进展"
    doc = Document(str(render_bulletin(data, "docx", tmp_path / "engine.docx")))
    assert len(doc.inline_shapes) == 3
    assert any(p.text.startswith(f"1. {t.metric}") for p in doc.paragraphs)
