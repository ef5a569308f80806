"""A plan's quantitative targets and the indicators that measure them (suggested, then confirmed by the office)."""

from __future__ import annotations

from dataclasses import dataclass

from yigai.domain.indicators import IndicatorDef
from yigai.domain.plan import Target
from yigai.reports.bulletin_data import target_text
from yigai.services.indicators import list_indicators
from yigai.services.plans import get_plan, get_summary
from yigai.services.targets import LinkView, list_links
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork


@dataclass(slots=True)
class TargetLinkRow:
    index: int
    target: Target
    text: str
    task_title: str
    link: LinkView | None  # None: neither suggested nor confirmed; a stale link is shown as none


@dataclass(slots=True)
class TargetsPage:
    plan: PlanSummary
    rows: list[TargetLinkRow]
    indicators: list[IndicatorDef]

    @property
    def confirmed(self) -> int:
        return sum(1 for r in self.rows if r.link and r.link.confirmed)


def targets_page(uow: UnitOfWork, plan_id: int) -> TargetsPage:
    summary = get_summary(uow, plan_id)
    draft = get_plan(uow, plan_id).draft
    links = {v.index: v for v in list_links(uow, plan_id) if not v.stale}
    titles = {t.id: t.title for t in draft.tasks}
    rows = [
        TargetLinkRow(i, t, target_text(t), titles.get(t.task or "", ""), links.get(i))
        for i, t in enumerate(draft.targets)
    ]
    return TargetsPage(summary, rows, list_indicators(uow))
