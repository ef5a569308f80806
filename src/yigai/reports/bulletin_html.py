"""A bulletin as one self-contained HTML page (Jinja2 template shipped in the package).

Styles are inline and charts are PNG data URIs: the page loads nothing from anywhere,
as an intranet without outside access requires. Every value is HTML-escaped.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

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
from yigai.reports.bulletin_docx import FIGURE_CAPTION, SUBTITLE

TEMPLATE = "bulletin.html.j2"
TEXT = {
    "overview": SECTION_OVERVIEW,
    "red_list": SECTION_RED_LIST,
    "indicators": SECTION_INDICATORS,
    "ranking": SECTION_RANKING,
    "requirements": SECTION_REQUIREMENTS,
    "appendix": APPENDIX_TITLE,
    "red_list_intro": RED_LIST_INTRO,
    "red_list_empty": RED_LIST_EMPTY,
    "indicators_empty": INDICATORS_EMPTY,
    "indicators_intro": INDICATORS_INTRO,
    "ranking_empty": RANKING_EMPTY,
    "not_ranked_intro": NOT_RANKED_INTRO,
    "method": METHOD_TITLE,
    "card_completion": "任务完成率",
    "card_reporting": "报告报送率",
    "card_on_time": "按时报送率",
    "card_score": "综合得分",
}
HEADERS = {
    "status": STATUS_HEADERS,
    "red": RED_HEADERS,
    "indicator": INDICATOR_HEADERS,
    "ranking": RANKING_HEADERS,
    "appendix": APPENDIX_HEADERS,
    "not_ranked": NOT_RANKED_HEADERS,
    "detail": SCORE_DETAIL_HEADERS,
}

_env = Environment(
    loader=PackageLoader("yigai.reports", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(data: BulletinData, charts: Sequence[Chart] | None = None) -> str:
    charts = bulletin_charts(data) if charts is None else charts
    by_key = {c.key: c for c in charts}
    count = 0

    def figure(key: str) -> Markup:
        nonlocal count
        chart = by_key.get(key)
        if chart is None:
            return Markup("")
        count += 1
        src = "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")
        caption = FIGURE_CAPTION.format(n=count, title=chart.title)
        return Markup('<figure><img src="{}" alt="{}"><figcaption>{}</figcaption></figure>').format(
            src, escape(chart.title), escape(caption)
        )

    return _env.get_template(TEMPLATE).render(
        data=data,
        text=TEXT,
        headers=HEADERS,
        subtitle=SUBTITLE.format(at=fmt_date(data.at)),
        figure=figure,
        rate=fmt_rate,
        percent=fmt_percent,
        number=fmt_number,
        cn=chinese_number,
    )


def write_html(data: BulletinData, path: Path, charts: Sequence[Chart] | None = None) -> None:
    Path(path).write_text(render_html(data, charts), encoding="utf-8")
