"""A bulletin as a Word document in the conventions of Chinese official documents (GB/T 9704).

A4 with the standard margins; title in 方正小标宋简体 二号, centred; body in 仿宋_GB2312 三号
(16 pt) on a fixed 28 pt line with a two-character first-line indent; level-1 headings
一、 in 黑体, level-2 headings （一） in 楷体_GB2312 (as Word's Heading 1 and 2, so the
navigation pane shows them); tables with a repeated bold header row; charts as PNG;
page numbers "— N —" in the footer from a PAGE field; the appendix on landscape pages.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from yigai.domain.formatting import chinese_number, fmt_date, fmt_number, fmt_percent, fmt_rate
from yigai.reports.bulletin_charts import Chart, bulletin_charts
from yigai.reports.bulletin_data import (
    APPENDIX_HEADERS,
    APPENDIX_TITLE,
    INDICATOR_HEADERS,
    INDICATORS_EMPTY,
    INDICATORS_INTRO,
    METHOD_TITLE,
    NOT_RANKED_HEADERS,
    NOT_RANKED_INTRO,
    RANKING_EMPTY,
    RANKING_HEADERS,
    RED_HEADERS,
    RED_LIST_EMPTY,
    RED_LIST_INTRO,
    SCORE_DETAIL_HEADERS,
    SECTION_INDICATORS,
    SECTION_OVERVIEW,
    SECTION_RANKING,
    SECTION_RED_LIST,
    SECTION_REQUIREMENTS,
    STATUS_HEADERS,
    BulletinData,
)

TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(12)  # 小四
APPENDIX_SIZE = Pt(10.5)  # 五号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE = Pt(28)
TABLE_STYLE = "表格文字"
CAPTION_STYLE = "图题"
FIGURE_CAPTION = "图{n}  {title}"
SUBTITLE = "（评估截至{at}）"
PICTURE_WIDTH = Cm(15.5)
# Table widths (cm) add up to the text width: 15.6 on the portrait pages, 22.5 on the landscape ones.


def _fonts(element: object, name: str) -> None:
    """Set the Latin and East Asian font of a run or style's rPr, dropping theme fonts."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]  # CT_R and CT_Style both have it; python-docx declares it on CT_R only
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), name)


def _style(
    doc: DocumentObject,
    name: str,
    font: str,
    size: Pt,
    *,
    base: str = "Normal",
    bold: bool = False,
    indent: bool = False,
    exact: bool = True,
) -> ParagraphStyle:
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
    assert isinstance(style, ParagraphStyle)
    if name != base:
        style.base_style = styles[base]
    _fonts(style.element, font)
    style.font.size = size
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(size.pt * 2) if indent else Pt(0)
    fmt.space_before = fmt.space_after = Pt(0)
    return style


def _setup(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _style(doc, "Normal", BODY_FONT, BODY_SIZE, indent=True)
    _style(doc, "Title", TITLE_FONT, TITLE_SIZE, exact=False).paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    h1 = _style(doc, "Heading 1", HEADING1_FONT, BODY_SIZE, indent=True)
    h2 = _style(doc, "Heading 2", HEADING2_FONT, BODY_SIZE, indent=True)
    for h in (h1, h2):
        h.font.italic = False
        h.paragraph_format.keep_with_next = True
    _style(doc, TABLE_STYLE, BODY_FONT, TABLE_SIZE, exact=False)
    _style(
        doc, CAPTION_STYLE, BODY_FONT, TABLE_SIZE, exact=False
    ).paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(section.footer.paragraphs[0])


def _page_number(p: Paragraph) -> None:
    """ "— N —" with N a PAGE field, centred."""
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)

    def run(text: str = "") -> Run:
        r = p.add_run(text)
        _fonts(r._element, PAGE_NUMBER_FONT)
        r.font.size = PAGE_NUMBER_SIZE
        return r

    run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._element.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._element.append(instr)
        else:
            r.text = text or ""
    run(" —")


def _table(
    doc: DocumentObject,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    size: Pt = TABLE_SIZE,
    widths: Sequence[float] | None = None,
) -> Table:
    table: Table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    style_id = doc.styles[TABLE_STYLE].style_id  # looked up once: by name it costs a scan per cell
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text in zip(header.cells, headers, strict=True):
        _cell(cell, text, size, style_id, bold=True, center=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _cell(cell, "" if value is None else str(value), size, style_id)
    if widths:
        table.autofit = False  # fixed widths: Word and LibreOffice both keep them
        for col, width in zip(table.columns, widths, strict=True):
            col.width = Cm(width)  # the grid, which LibreOffice reads
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    return table


def _cell(cell: _Cell, text: str, size: Pt, style_id: str, *, bold: bool = False, center: bool = False) -> None:
    p = cell.paragraphs[0]
    p._p.get_or_add_pPr().style = style_id
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.font.size = size
    run.bold = bold or None


def _picture(doc: DocumentObject, chart: Chart, n: int) -> None:
    doc.add_picture(io.BytesIO(chart.png), width=PICTURE_WIDTH)
    pic = doc.paragraphs[-1]
    pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pic.paragraph_format.first_line_indent = Pt(0)
    pic.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    doc.add_paragraph(FIGURE_CAPTION.format(n=n, title=chart.title), style=CAPTION_STYLE)


def build_docx(data: BulletinData, charts: Sequence[Chart] | None = None) -> DocumentObject:
    charts = bulletin_charts(data) if charts is None else charts
    by_key = {c.key: c for c in charts}
    figure = 0

    def picture(chart: Chart | None) -> None:
        nonlocal figure
        if chart is not None:
            figure += 1
            _picture(doc, chart, figure)

    doc = Document()
    _setup(doc)
    doc.core_properties.title = data.title
    doc.add_paragraph(data.title, style="Title")
    sub = doc.add_paragraph(SUBTITLE.format(at=fmt_date(data.at)), style=CAPTION_STYLE)
    sub.paragraph_format.space_after = Pt(16)
    doc.add_paragraph(data.intro)

    ov = data.overview
    doc.add_heading(SECTION_OVERVIEW, level=1)
    doc.add_paragraph(ov.sentence)
    if ov.targets:
        doc.add_paragraph(ov.targets_sentence)
    _table(doc, STATUS_HEADERS, [(c.label, c.count, fmt_rate(c.share)) for c in ov.counts])
    picture(by_key.get("status"))

    doc.add_heading(SECTION_RED_LIST, level=1)
    if not data.red_list:
        doc.add_paragraph(RED_LIST_EMPTY)
    else:
        doc.add_paragraph(RED_LIST_INTRO)
    for n, group in enumerate(data.red_list, start=1):
        doc.add_heading(f"（{chinese_number(n)}）{group.department}（{len(group.items)}项）", level=2)
        _table(
            doc,
            RED_HEADERS,
            [
                (i, item.task, item.title, item.status_label, item.deadline, fmt_percent(item.percent), item.reason)
                for i, item in enumerate(group.items, start=1)
            ],
            widths=(1.0, 2.6, 4.0, 1.6, 2.0, 1.4, 3.0),
        )

    doc.add_heading(SECTION_INDICATORS, level=1)
    if not data.off_track:
        doc.add_paragraph(INDICATORS_EMPTY)
    else:
        doc.add_paragraph(INDICATORS_INTRO)
        for i, r in enumerate(data.off_track, start=1):
            doc.add_paragraph(f"{i}. {r.statement}")
        _table(
            doc,
            INDICATOR_HEADERS,
            [
                (
                    i,
                    r.metric,
                    r.target,
                    _latest(r.latest, r.unit, r.latest_period),
                    fmt_number(r.expected, r.unit),
                    r.sentence,
                )
                for i, r in enumerate(data.off_track, start=1)
            ],
            widths=(1.0, 3.0, 1.8, 2.4, 1.8, 5.6),
        )
        for r in data.off_track:
            picture(by_key.get(f"indicator:{r.index}"))

    doc.add_heading(SECTION_RANKING, level=1)
    if not data.ranking:
        doc.add_paragraph(RANKING_EMPTY)
    else:
        doc.add_paragraph(data.ranking_intro)
        _table(
            doc,
            RANKING_HEADERS,
            [r.cells for r in data.ranking],
            size=Pt(10.5),
            widths=(1.2, 4.0, 1.8, 2.0, 2.2, 2.0, 2.2),
        )
        picture(by_key.get("ranking"))
    if data.not_ranked:
        doc.add_paragraph(NOT_RANKED_INTRO)
        _table(
            doc,
            NOT_RANKED_HEADERS,
            [r.not_ranked_cells for r in data.not_ranked],
            size=Pt(10.5),
            widths=(3.6, 2.4, 1.6, 1.6, 1.8, 1.6, 3.0),
        )

    doc.add_heading(SECTION_REQUIREMENTS, level=1)
    for lead, text in data.requirements:
        p = doc.add_paragraph()
        _fonts(p.add_run(lead)._element, HEADING2_FONT)
        p.add_run(text)

    _appendix(doc, data)
    return doc


def _appendix(doc: DocumentObject, data: BulletinData) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(28), Mm(26)
    section.left_margin, section.right_margin = Mm(37), Mm(35)
    heading = doc.add_paragraph(APPENDIX_TITLE)
    heading.paragraph_format.first_line_indent = Pt(0)
    _fonts(heading.runs[0]._element, HEADING1_FONT)
    _table(
        doc,
        APPENDIX_HEADERS,
        [
            (
                r.no,
                r.task,
                r.title,
                r.lead,
                r.deadline,
                r.status_label,
                fmt_percent(r.percent),
                r.period,
                r.review,
                r.narrative,
                r.problems,
                r.next_steps,
            )
            for r in data.appendix
        ],
        size=APPENDIX_SIZE,
        widths=(1.0, 2.4, 3.4, 1.8, 1.6, 1.4, 1.2, 1.8, 1.1, 2.8, 2.0, 2.0),
    )
    if data.method:
        _method(doc, data)


def _method(doc: DocumentObject, data: BulletinData) -> None:
    """附件2: how departments are scored and ranked, then every department's score and its parts."""
    heading = doc.add_paragraph(METHOD_TITLE)
    heading.paragraph_format.first_line_indent = Pt(0)
    heading.paragraph_format.page_break_before = True
    _fonts(heading.runs[0]._element, HEADING1_FONT)
    for text in data.method:
        doc.add_paragraph(text)
    rows = [r.detail_cells for r in (*data.ranking, *data.not_ranked)]
    if rows:
        _table(
            doc,
            SCORE_DETAIL_HEADERS,
            rows,
            size=APPENDIX_SIZE,
            widths=(1.5, 2.8, 1.2, 1.1, 1.6, 1.2, 1.2, 1.2, 1.7, 1.7, 1.3, 1.3, 1.1, 1.3, 1.3),
        )


def _latest(value: float | None, unit: str, period: str) -> str:
    return "—" if value is None else f"{fmt_number(value, unit)}（{period}）"


def write_docx(data: BulletinData, path: Path, charts: Sequence[Chart] | None = None) -> None:
    build_docx(data, charts).save(str(path))
