"""The dashboard: where a plan stands at a date — rates, status breakdown, red lists, indicators, ranking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from yigai.evaluation.results import ItemEvaluation, ItemStatus, PlanEvaluation
from yigai.reports.bulletin_data import BulletinData, build_bulletin_data
from yigai.services.evaluate import evaluated
from yigai.services.items import report_items
from yigai.services.memo import memoised
from yigai.services.plans import list_plans
from yigai.services.schedules import supervised_plans
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork
from yigai.web.viewmodels.charts import ranking_chart, status_chart, trend_chart
from yigai.web.viewmodels.common import deadline_text, item_url, status_css, status_label


@dataclass(slots=True)
class RedRow:
    item: ItemEvaluation
    no: str
    deadline: str
    url: str

    @property
    def status_label(self) -> str:
        return status_label(self.item.status)

    @property
    def status_css(self) -> str:
        return status_css(self.item.status)


@dataclass(slots=True)
class Dashboard:
    plans: list[PlanSummary]  # plans with a reporting schedule, the most reported-on first
    plan: PlanSummary | None
    at: dt.date
    evaluation: PlanEvaluation | None
    bulletin: BulletinData | None
    overdue: list[RedRow]
    at_risk: list[RedRow]
    not_reported: int
    charts: dict[str, Any]  # chart id → data island
    trends: list[tuple[str, str]]  # (chart id, statement) for each off-track indicator
    unscheduled: int  # plans without a schedule


def dashboard(uow: UnitOfWork, at: dt.date, plan_id: int | None = None) -> Dashboard:
    """The dashboard of ``plan_id`` (default: the most reported-on plan), memoised until the next write."""
    return memoised(uow, ("dashboard", at, plan_id), lambda: _dashboard(uow, at, plan_id))


def _dashboard(uow: UnitOfWork, at: dt.date, plan_id: int | None) -> Dashboard:
    every = list_plans(uow)
    scheduled = supervised_plans(uow, every)
    plan = next((p for p in scheduled if p.id == plan_id), None) or (scheduled[0] if scheduled else None)
    if plan is None:
        return Dashboard(scheduled, None, at, None, None, [], [], 0, {}, [], len(every))
    inp, ev = evaluated(uow, plan.id, at)
    bulletin = build_bulletin_data(ev, inp.draft, inp.reports, inp.targets)
    items = {i.item_id: i for i in report_items(inp.draft)}

    def red(status: ItemStatus) -> list[RedRow]:
        return [
            RedRow(
                i,
                items[i.item_id].no if i.item_id in items else "",
                deadline_text(items[i.item_id].deadline) if i.item_id in items else "—",
                item_url(plan.id, i.item_id),
            )
            for i in ev.items
            if i.status is status
        ]

    charts: dict[str, Any] = {"chart-status": status_chart(ev), "chart-ranking": ranking_chart(ev)}
    trends = []
    by_index = {t.index: t for t in inp.targets}
    plan_end = max((p.end for p in inp.periods), default=None)
    for t in ev.targets:
        if t.off_track and t.index in by_index:
            chart_id = f"chart-target-{t.index}"
            charts[chart_id] = trend_chart(by_index[t.index], t, at, plan_end)
            trends.append((chart_id, charts[chart_id]["sentence"]))
    return Dashboard(
        scheduled,
        plan,
        at,
        ev,
        bulletin,
        red(ItemStatus.OVERDUE),
        red(ItemStatus.AT_RISK),
        ev.counts.get(ItemStatus.NOT_REPORTED, 0),
        charts,
        trends,
        len(every) - len(scheduled),
    )
