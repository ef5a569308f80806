"""Evaluate a plan: gather everything the engine needs from storage and run it.

The engine (``yigai.evaluation.engine``) is pure; this service is where the
plan, its schedule, every report version and the linked indicator series meet.
Series are the values stored for the plan's own region (the org unit whose
name the plan's region ends with, e.g. 仓山区 for 福建省福州市仓山区) unless
another org unit is named. Only confirmed target links bring a series; an
unlinked target is passed without one and is not scored. The scoring weights are the
office's (``services.scoring``: the shipped default until an admin edits them in 系统管理),
with the caller's ``weights``, if any, merged over them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from yigai.domain.errors import ConfigurationError
from yigai.domain.ids import parse_id
from yigai.domain.indicators import Direction, IndicatorDef
from yigai.domain.periods import parse_period
from yigai.domain.plan import Comparator, Target
from yigai.evaluation.engine import evaluate
from yigai.evaluation.results import EvaluationInput, Observation, PlanEvaluation, TargetInput
from yigai.evaluation.scoring import merged_overrides
from yigai.services.departments import department_class_overrides
from yigai.services.errors import UnknownOrgUnitError
from yigai.services.memo import memoised
from yigai.services.orgunits import find_region_unit
from yigai.services.plans import find_plan
from yigai.services.schedules import require_schedule
from yigai.services.scoring import office_overrides
from yigai.storage.indicator_repository import ValueRecord
from yigai.storage.uow import UnitOfWork

DEFAULT_TOLERANCE = 0.05


def direction_of(target: Target, indicator: IndicatorDef | None) -> Direction:
    """The indicator's direction; without one, what the comparator implies (≥ higher, ≤ lower)."""
    if indicator is not None:
        return indicator.direction
    if target.comparator is Comparator.GE:
        return Direction.HIGHER_IS_BETTER
    if target.comparator is Comparator.LE:
        return Direction.LOWER_IS_BETTER
    return Direction.NEUTRAL


def series_of(records: list[ValueRecord]) -> list[Observation]:
    """Observations in time order; of two periods ending the same day the longer one (the year) wins."""
    by_end: dict[dt.date, Observation] = {}
    for rec in records:
        period = parse_period(rec.value.period_id)
        held = by_end.get(period.end)
        if held is None or period.start < held.period.start:
            by_end[period.end] = Observation(period, rec.value.value)
    return [by_end[end] for end in sorted(by_end)]


def _weights(office: Mapping[str, Any], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The office's scheme with the caller's weights over it (empty: the shipped default)."""
    if not office and not given:
        return {}
    try:
        return merged_overrides(office, given)
    except ConfigurationError as exc:
        if given:
            raise
        raise ConfigurationError(
            f"the stored scoring scheme is no longer valid: {exc}",
            where="scoring",
            message_zh=f"系统管理中保存的考核评分方案已失效（{exc.message_zh}），请在系统管理中重新保存",
        ) from None


def gather_input(
    uow: UnitOfWork,
    plan_ref: str | int,
    at: dt.date,
    weights: Mapping[str, Any] | None = None,
    *,
    org_unit: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> EvaluationInput:
    """The engine's input for a plan at ``at``."""
    with uow:
        plan = find_plan(uow, plan_ref, shared=True)
        schedule = require_schedule(uow, plan.id)
        # Drafts (saves and contributions not yet submitted) count nowhere in the evaluation or the
        # bulletin; leaving them out keeps the input the size of the plan, not of the typing.
        reports = uow.reports.for_plan(plan.id, drafts=False, shared=True)
        if org_unit is not None:
            region = uow.orgunits.get(org_unit)
            if region is None:
                raise UnknownOrgUnitError(
                    f"no org unit {org_unit!r}", message_zh=f"机构或地区「{org_unit}」不存在", where="org_unit"
                )
        else:
            region = find_region_unit(uow, plan.draft.meta.region)
        classes = department_class_overrides(uow)
        office = office_overrides(uow)
        indicators = {i.code: i for i in uow.indicators.all()}
        links = {
            rec.link.target_index: rec.link.indicator_code
            for rec in uow.links.for_plan(plan.id)
            if rec.link.confirmed
            and rec.link.target_index < len(plan.draft.targets)
            and plan.draft.targets[rec.link.target_index].metric == rec.target_metric
        }
        values: dict[str, list[ValueRecord]] = {}
        if region is not None and links:
            for rec in uow.values.query(keys=set(links.values()), org_units=[region.code]):
                values.setdefault(rec.value.key, []).append(rec)
    targets = []
    for index, t in enumerate(plan.draft.targets):
        code = links.get(index, "")
        indicator = indicators.get(code)
        targets.append(
            TargetInput(
                index=index,
                metric=t.metric,
                comparator=t.comparator,
                value=t.value,
                value_high=t.value_high,
                unit=t.unit,
                due=t.due,
                direction=direction_of(t, indicator),
                indicator_code=code,
                baseline=t.baseline,
                baseline_date=dt.date(t.baseline_year, 12, 31) if t.baseline_year else None,
                task_id=t.task,
                series=series_of(values.get(code, [])),
            )
        )
    return EvaluationInput(
        plan_id=plan.id,
        draft=plan.draft,
        periods=schedule.periods,
        reports=reports,
        targets=targets,
        at=at,
        due_days=schedule.due_days,
        tolerance=tolerance,
        weights=_weights(office, weights),
        department_classes=classes,
    )


def evaluate_plan(
    uow: UnitOfWork,
    plan_ref: str | int,
    at: dt.date,
    weights: Mapping[str, Any] | None = None,
    *,
    org_unit: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> PlanEvaluation:
    """Statuses, target attainment and projections, scores and the department ranking at ``at``."""
    return evaluated(uow, plan_ref, at, weights, org_unit=org_unit, tolerance=tolerance)[1]


# Evaluations are memoised (``yigai.services.memo``): every page of the web app shows the plan's
# evaluation, and recomputing it is most of a page's cost. Writes the evaluation cannot depend on
# are ignored: draft saves and contributions (drafts count nowhere) and sign-ins, so the
# quarter-end rush of drafts does not recompute it.
NOT_EVALUATED_ACTIONS = ("report.save", "report.contribute", "auth.")
# Writes keyed by their plan (``plan/…``): a report submitted for one plan leaves the others' entries
# valid, so the rush on one plan does not recompute every plan a page shows.
PLAN_ENTITIES = ("progress_report", "target_link")


def _plan_id(uow: UnitOfWork, plan_ref: str | int) -> int:
    """An id needs no plan read; a 文号 is looked up (unknown, or an id beyond the stored range: the proper error)."""
    plan_id = parse_id(plan_ref) if isinstance(plan_ref, int) or str(plan_ref).isdigit() else None
    if plan_id is not None:
        return plan_id
    with uow:
        return find_plan(uow, plan_ref).id


def evaluated(
    uow: UnitOfWork,
    plan_ref: str | int,
    at: dt.date,
    weights: Mapping[str, Any] | None = None,
    *,
    org_unit: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> tuple[EvaluationInput, PlanEvaluation]:
    """The engine's input and its evaluation, from the memo while the data is unchanged.

    Both are shared between callers: treat them as read-only.
    """
    plan_id = _plan_id(uow, plan_ref)
    weights_key = json.dumps(weights, sort_keys=True, default=str) if weights else ""

    def compute() -> tuple[EvaluationInput, PlanEvaluation]:
        inp = gather_input(uow, plan_id, at, weights, org_unit=org_unit, tolerance=tolerance)
        return inp, evaluate(inp)

    return memoised(
        uow,
        ("evaluation", plan_id, at, weights_key, org_unit, tolerance),
        compute,
        ignoring=NOT_EVALUATED_ACTIONS,
        plan=plan_id,
        plan_entities=PLAN_ENTITIES,
    )
