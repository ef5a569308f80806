"""Chart data for the pages' ECharts (drawn by static/app-*.js from inline JSON data islands).

Each function returns a plain dict with a ``kind`` the script knows (``status``, ``ranking``,
``trend``); the template puts it in ``<script type="application/json">`` with Jinja's
``tojson`` (which escapes ``<``, ``>`` and ``&``), so no data is ever run as code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from yigai.domain.plan import Comparator
from yigai.evaluation.results import ITEM_STATUS_LABELS, ItemStatus, PlanEvaluation, TargetEvaluation, TargetInput
from yigai.reports.bulletin_data import STATUS_ORDER
from yigai.web.viewmodels.common import STATUS_CSS

# Chip colours, repeated here for the charts (the CSS has the same ones).
STATUS_COLOURS = {
    "done": "#2e7d32",
    "ok": "#1565c0",
    "risk": "#ef6c00",
    "late": "#c62828",
    "missing": "#8d6e63",
    "idle": "#9e9e9e",
}


def status_chart(ev: PlanEvaluation) -> dict[str, Any]:
    return {
        "kind": "status",
        "data": [
            {"name": ITEM_STATUS_LABELS[s], "value": ev.counts.get(s, 0), "color": STATUS_COLOURS[STATUS_CSS[s]]}
            for s in STATUS_ORDER
        ],
    }


RANKING_CAPTION = (
    "参与排名的全部{n}个部门，按排名得分（按牵头事项数校正）排列；另有{m}个单位不参与排名，见下方“部门考核得分”表。"
)


def ranking_chart(ev: PlanEvaluation) -> dict[str, Any]:
    """Every ranked department (none left out: the caption says how many, and how many are not ranked)."""
    rows = sorted(ev.departments, key=lambda d: (d.rank, d.name))
    return {
        "kind": "ranking",
        "names": [f"{d.rank}. {d.name}" for d in rows],
        "scores": [round(d.rank_score if d.rank_score is not None else d.score, 1) for d in rows],
        "onTime": [round(d.on_time_rate * 100, 1) for d in rows],
        "caption": RANKING_CAPTION.format(n=len(rows), m=len(ev.not_ranked)),
    }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def trend_chart(t: TargetInput, e: TargetEvaluation, at: dt.date, plan_end: dt.date | None) -> dict[str, Any]:
    """Observed series, the target line, the straight path from baseline to target, and the projection."""
    series = sorted((o for o in t.series if o.period.end <= at), key=lambda o: o.period.end)
    due = t.due or plan_end
    baseline, baseline_day = t.baseline, t.baseline_date
    if (baseline is None or baseline_day is None) and series:
        baseline, baseline_day = series[0].value, series[0].period.end
    goal = t.value
    if t.comparator is Comparator.RANGE and t.value is not None and t.value_high is not None:
        low, high = sorted((t.value, t.value_high))
        goal = high if baseline is not None and baseline > high else low
    path = (
        [[_iso(baseline_day), baseline], [_iso(due), goal]]
        if baseline is not None
        and baseline_day is not None
        and due is not None
        and goal is not None
        and due > baseline_day
        else []
    )
    projection: list[list[Any]] = []
    p = e.projection
    if series and p.enough_data and p.value_at_due is not None and due is not None and due > series[-1].period.end:
        last = series[-1]
        projection = [[_iso(last.period.end), last.value], [_iso(due), round(p.value_at_due, 3)]]
    return {
        "kind": "trend",
        "title": t.metric,
        "unit": t.unit,
        "target": t.value,
        "targetHigh": t.value_high,
        "targetText": e.target_text,
        "due": _iso(due),
        "observed": [[_iso(o.period.end), o.value, o.period.label] for o in series],
        "path": path,
        "projection": projection,
        "sentence": p.sentence or e.attainment.note,
    }


def status_counts(ev: PlanEvaluation) -> list[tuple[ItemStatus, str, int]]:
    return [(s, STATUS_CSS[s], ev.counts.get(s, 0)) for s in STATUS_ORDER]
