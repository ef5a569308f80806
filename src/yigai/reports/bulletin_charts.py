"""Bulletin charts as PNG images (matplotlib's Agg canvas, a CJK font when one is installed).

The set-up installs Noto CJK (``make venv``); ``cjk_font()`` finds it or another CJK
family through matplotlib's font manager. Without one the charts still render (the
Chinese labels show as boxes) and a warning is logged once.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from yigai.evaluation.results import ItemStatus
from yigai.reports.bulletin_data import BulletinData, IndicatorRow

log = logging.getLogger(__name__)

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Serif SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimSun",
    "FangSong",
    "AR PL UMing CN",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
)
STATUS_COLORS = {
    ItemStatus.COMPLETED: "#2E7D32",
    ItemStatus.ON_TRACK: "#1E88E5",
    ItemStatus.AT_RISK: "#F9A825",
    ItemStatus.OVERDUE: "#C62828",
    ItemStatus.NOT_REPORTED: "#8E24AA",
    ItemStatus.NOT_STARTED: "#9E9E9E",
}
STATUS_CHART_TITLE = "任务事项状态分布"
RANKING_CHART_TITLE = "参与排名部门的排名得分（全部{n}个）"
INDICATOR_CHART_TITLE = "{metric}（目标{target}）"
AXIS_ITEMS = "事项数"
AXIS_SCORE = "排名得分"
LEGEND_ACTUAL = "实际值"
LEGEND_TARGET = "目标值"
CJK_FILE_PATTERN = re.compile(r"CJK|SourceHan|wqy|simhei|simsun|simfang|msyh|PingFang|uming|ukai", re.IGNORECASE)
MAX_INDICATOR_CHARTS = 4
DPI = 150


@dataclass(frozen=True, slots=True)
class Chart:
    key: str  # "status", "ranking", "indicator:<target index>"
    title: str
    png: bytes


@cache
def cjk_font() -> str | None:
    """The first installed CJK font family, or None (logged once)."""
    from matplotlib import font_manager

    for attempt in range(2):
        installed = {f.name for f in font_manager.fontManager.ttflist}
        for family in CJK_FAMILIES:
            if family in installed:
                return family
        other = _other_cjk(installed)
        if other:
            return other
        if attempt == 0 and not _add_system_cjk_fonts():
            break
    log.warning("no CJK font found (install fonts-noto-cjk): chart labels will not show Chinese characters")
    return None


def _add_system_cjk_fonts() -> bool:
    """Register CJK font files installed after matplotlib cached its font list."""
    from matplotlib import font_manager

    added = False
    for path in font_manager.findSystemFonts():
        if CJK_FILE_PATTERN.search(Path(path).name):
            try:
                font_manager.fontManager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):
                continue
    return added


def _other_cjk(installed: set[str]) -> str | None:
    """Any other family whose name says it is Chinese, Japanese or Korean."""
    tags = ("CJK", "Han Sans", "Han Serif", "Hei", "Song", "Kai", "Ming")
    return next((name for name in sorted(installed) if any(tag in name for tag in tags)), None)


def _rc() -> Any:  # matplotlib types rc keys as a Literal of every name
    font = cjk_font()
    rc: dict[str, Any] = {"axes.unicode_minus": False, "font.size": 10, "svg.fonttype": "path"}
    if font:
        rc["font.family"] = "sans-serif"
        rc["font.sans-serif"] = [font, "DejaVu Sans"]
    return rc


def _render(draw: Any, size: tuple[float, float]) -> bytes:
    """Draw on a fresh Agg figure (no pyplot: no global state, no GUI backend) and return PNG bytes."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        fig = Figure(figsize=size, dpi=DPI)
        FigureCanvasAgg(fig)
        draw(fig)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def status_chart(data: BulletinData) -> Chart:
    counts = data.overview.counts

    def draw(fig: Any) -> None:
        ax = fig.add_subplot(1, 1, 1)
        labels = [c.label for c in counts][::-1]
        values = [c.count for c in counts][::-1]
        bars = ax.barh(labels, values, color=[STATUS_COLORS[c.status] for c in counts][::-1])
        ax.bar_label(bars, labels=[str(v) for v in values], padding=3)
        ax.set_xlabel(AXIS_ITEMS)
        ax.set_title(STATUS_CHART_TITLE)
        ax.set_xlim(0, max([*values, 1]) * 1.15)
        ax.spines[["top", "right"]].set_visible(False)

    return Chart("status", STATUS_CHART_TITLE, _render(draw, (6.0, 3.2)))


def ranking_chart(data: BulletinData) -> Chart:
    """Every ranked department by its rank score (the not-ranked ones are in the table, not here)."""
    rows = data.ranking
    title = RANKING_CHART_TITLE.format(n=len(rows))

    def draw(fig: Any) -> None:
        ax = fig.add_subplot(1, 1, 1)
        names = [f"{r.rank}. {r.department}" for r in rows][::-1]
        scores = [r.rank_score if r.rank_score is not None else r.score for r in rows][::-1]
        bars = ax.barh(names, scores, color="#1E88E5")
        ax.bar_label(bars, labels=[f"{s:.1f}" for s in scores], padding=3)
        ax.set_xlim(0, max([*scores, 100.0]) * 1.1)
        ax.set_xlabel(AXIS_SCORE)
        ax.set_title(title)
        ax.spines[["top", "right"]].set_visible(False)

    height = 1.2 + 0.35 * max(len(rows), 1)
    return Chart("ranking", title, _render(draw, (6.0, height)))


def indicator_chart(row: IndicatorRow) -> Chart | None:
    """The indicator's series with its target line; None without at least one value."""
    if not row.series:
        return None
    title = INDICATOR_CHART_TITLE.format(metric=row.metric, target=row.target)

    def draw(fig: Any) -> None:
        ax = fig.add_subplot(1, 1, 1)
        xs = [o.period.label for o in row.series]
        ax.plot(xs, [o.value for o in row.series], marker="o", color="#1E88E5", label=LEGEND_ACTUAL)
        for bound in (row.target_value, row.target_high):
            if bound is not None:
                ax.axhline(
                    bound, color="#C62828", linestyle="--", label=LEGEND_TARGET if bound == row.target_value else None
                )
        ax.set_title(title)
        if row.unit:
            ax.set_ylabel(row.unit)
        ax.legend(loc="best")
        ax.tick_params(axis="x", labelrotation=30)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
        ax.spines[["top", "right"]].set_visible(False)

    return Chart(f"indicator:{row.index}", title, _render(draw, (6.0, 3.2)))


def bulletin_charts(data: BulletinData) -> list[Chart]:
    """Status breakdown, department ranking (when there is one), trends of off-track indicators."""
    charts = [status_chart(data)]
    if data.ranking:
        charts.append(ranking_chart(data))
    for row in data.off_track:
        if len([c for c in charts if c.key.startswith("indicator:")]) >= MAX_INDICATOR_CHARTS:
            break
        chart = indicator_chart(row)
        if chart is not None:
            charts.append(chart)
    return charts
