"""Links from plan targets to indicators: suggested by name and unit, confirmed by a person.

The plans name an indicator many ways (每千人口拥有执业（助理）医师数, 千人口执业（助理）医师数);
the suggestion compares a target's metric with every indicator's name and
aliases (character-level similarity, exact and contained names scoring
highest) and checks the unit. A suggestion is stored unconfirmed; only a
confirmed link feeds the evaluation. A confirmed link is never overwritten by
a later suggestion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from difflib import SequenceMatcher

from yigai import clock
from yigai.domain.indicators import IndicatorDef, TargetLink
from yigai.domain.plan import Target
from yigai.domain.users import User
from yigai.services.errors import InvalidInputError, UnknownIndicatorError
from yigai.services.indicators import fold
from yigai.services.items import require_admin
from yigai.services.plans import find_plan
from yigai.storage.repository import PlanSummary
from yigai.storage.uow import UnitOfWork

SUGGEST_MIN = 0.6
UNIT_MISMATCH = 0.8
_SAME_UNITS = [{"人", "名", "个"}, {"%", "％"}, {"‰"}, {"张"}, {"岁"}, {"1/10万", "/10万"}]


@dataclass(frozen=True, slots=True)
class Suggestion:
    index: int
    metric: str
    unit: str
    indicator_code: str
    indicator_name: str
    score: float
    confirmed: bool


@dataclass(frozen=True, slots=True)
class LinkView:
    index: int
    metric: str
    unit: str
    indicator_code: str
    indicator_name: str
    confirmed: bool
    confirmed_by: str
    score: float
    stale: bool  # the plan was re-imported and the target at this index is another one


def units_match(a: str, b: str) -> bool | None:
    """True / False when both units are given, None when one is missing."""
    if not a or not b:
        return None
    if a == b:
        return True
    return any(a in group and b in group for group in _SAME_UNITS)


def similarity(metric: str, unit: str, indicator: IndicatorDef) -> float:
    """0-1: how well a target's metric and unit match an indicator."""
    wanted = fold(metric).strip("-+")
    if not wanted:
        return 0.0
    best = 0.0
    for name in (indicator.name, *indicator.aliases):
        candidate = fold(name)
        if candidate == wanted:
            best = 1.0
            break
        shorter, longer = sorted((candidate, wanted), key=len)
        contained = 0.7 + 0.3 * len(shorter) / len(longer) if shorter in longer and len(shorter) >= 4 else 0.0
        best = max(best, contained, SequenceMatcher(None, wanted, candidate).ratio())
    match = units_match(unit, indicator.unit)
    return round(best * (UNIT_MISMATCH if match is False else 1.0), 3)


def best_match(target: Target, indicators: list[IndicatorDef]) -> tuple[IndicatorDef, float] | None:
    scored = [(ind, similarity(target.metric, target.unit, ind)) for ind in indicators]
    scored = [s for s in scored if s[1] >= SUGGEST_MIN]
    return max(scored, key=lambda s: s[1]) if scored else None


def suggest_links(
    uow: UnitOfWork, user: User, plan_ref: str | int, *, now: dt.datetime | None = None
) -> list[Suggestion]:
    """Suggest an indicator for every target of a plan; store new suggestions unconfirmed."""
    require_admin(user, "link targets to indicators", "关联指标")
    with uow:
        plan = find_plan(uow, plan_ref)
        indicators = uow.indicators.all()
        existing = {rec.link.target_index: rec for rec in uow.links.for_plan(plan.id)}
        names = {i.code: i.name for i in indicators}
        out: list[Suggestion] = []
        for index, target in enumerate(plan.draft.targets):
            rec = existing.get(index)
            if rec is not None and rec.link.confirmed and rec.target_metric == target.metric:
                link = rec.link
                out.append(
                    Suggestion(
                        index,
                        target.metric,
                        target.unit,
                        link.indicator_code,
                        names.get(link.indicator_code, ""),
                        link.score,
                        True,
                    )
                )
                continue
            match = best_match(target, indicators)
            if match is None:
                continue
            ind, score = match
            uow.links.put(TargetLink(plan.id, index, ind.code, False, "", score), target.metric)
            out.append(Suggestion(index, target.metric, target.unit, ind.code, ind.name, score, False))
        uow.audit.record(
            user.username,
            "targets.suggest",
            "target_link",
            str(plan.id),
            at=now,
            after={"suggested": [(s.index, s.indicator_code, s.score) for s in out if not s.confirmed]},
        )
        uow.commit()
    return out


def link_target(
    uow: UnitOfWork, user: User, plan_ref: str | int, index: int, indicator: str, *, now: dt.datetime | None = None
) -> LinkView:
    """Confirm that target ``index`` (as numbered by ``yigai show PLAN --targets``) is measured by ``indicator``."""
    require_admin(user, "link targets to indicators", "关联指标")
    at = now or clock.now()
    with uow:
        plan = find_plan(uow, plan_ref)
        targets = plan.draft.targets
        if not 0 <= index < len(targets):
            raise InvalidInputError(
                f"no target {index}: the plan has targets 0-{len(targets) - 1}",
                message_zh=f"没有第 {index} 号目标（本计划目标编号 0-{len(targets) - 1}）",
                where="index",
            )
        code = indicator.strip()
        found = uow.indicators.get(code) or uow.indicators.get(code.upper())
        if found is None:
            found = next(
                (i for i in uow.indicators.all() if fold(code) in {fold(n) for n in (i.name, *i.aliases)}), None
            )
        if found is None:
            raise UnknownIndicatorError(
                f"no indicator {indicator!r}; `yigai indicators list` shows them",
                message_zh=f"未知指标「{indicator}」",
                where="indicator",
            )
        target = targets[index]
        before = next((r.link for r in uow.links.for_plan(plan.id) if r.link.target_index == index), None)
        score = similarity(target.metric, target.unit, found)
        link = TargetLink(plan.id, index, found.code, True, user.username, score)
        uow.links.put(link, target.metric, confirmed_at=at)
        uow.audit.record(
            user.username, "target.link", "target_link", f"{plan.id}/{index}", before=before, after=link, at=at
        )
        uow.commit()
    return LinkView(index, target.metric, target.unit, found.code, found.name, True, user.username, score, False)


def list_links(uow: UnitOfWork, plan_ref: str | int) -> list[LinkView]:
    with uow:
        plan = find_plan(uow, plan_ref)
        names = {i.code: i.name for i in uow.indicators.all()}
        records = uow.links.for_plan(plan.id)
    targets = plan.draft.targets
    views = []
    for rec in records:
        i = rec.link.target_index
        target = targets[i] if i < len(targets) else None
        views.append(
            LinkView(
                i,
                rec.target_metric,
                target.unit if target else "",
                rec.link.indicator_code,
                names.get(rec.link.indicator_code, ""),
                rec.link.confirmed,
                rec.link.confirmed_by,
                rec.link.score,
                target is None or target.metric != rec.target_metric,
            )
        )
    return views


def confirmed_links(uow: UnitOfWork, indicator_code: str | None = None) -> list[tuple[PlanSummary, TargetLink]]:
    """Every confirmed target ↔ indicator link of every plan (only one indicator's with ``indicator_code``),
    by plan then target."""
    with uow:
        return [
            (p, r.link)
            for p in uow.plans.summaries()
            for r in uow.links.for_plan(p.id)
            if r.link.confirmed and (indicator_code is None or r.link.indicator_code == indicator_code)
        ]
