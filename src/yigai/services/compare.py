"""Comparison on one indicator: across plans (each plan's own region), or across regions for one plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from yigai.evaluation.engine import ComparisonRow, compare, evaluate
from yigai.evaluation.results import TargetInput
from yigai.services.errors import InvalidInputError
from yigai.services.evaluate import gather_input
from yigai.services.indicators import resolve_key
from yigai.storage.uow import UnitOfWork


def _linked(targets: Sequence[TargetInput], code: str) -> TargetInput | None:
    return next((t for t in targets if t.indicator_code == code), None)


def compare_plans(uow: UnitOfWork, indicator: str, at: dt.date) -> list[ComparisonRow]:
    """Every plan with a reporting schedule and a confirmed link to ``indicator``, ranked."""
    with uow:
        code = resolve_key(uow, indicator)
        candidates = [
            p.id
            for p in uow.plans.summaries()
            if uow.reports.schedule(p.id) is not None
            and any(r.link.confirmed and r.link.indicator_code == code for r in uow.links.for_plan(p.id))
        ]
    evaluations = [evaluate(gather_input(uow, plan_id, at)) for plan_id in candidates]
    return compare(evaluations, code, at=at)


def compare_regions(
    uow: UnitOfWork, plan_ref: str | int, indicator: str, org_units: Sequence[str], at: dt.date
) -> list[ComparisonRow]:
    """One plan's target on ``indicator`` measured with each org unit's values, ranked."""
    with uow:
        code = resolve_key(uow, indicator)
    sources: dict[str, TargetInput] = {}
    for unit in org_units:
        inp = gather_input(uow, plan_ref, at, org_unit=unit)
        target = _linked(inp.targets, code)
        if target is None:
            raise InvalidInputError(
                f"plan {plan_ref} has no target linked to {code}",
                message_zh=f"计划 {plan_ref} 没有关联到指标 {code} 的目标（先用 yigai targets link 关联）",
                where="indicator",
            )
        with uow:
            name = uow.orgunits.get(unit)
        sources[name.name if name else unit] = target
    return compare(sources, code, at=at)
