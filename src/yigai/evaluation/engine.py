"""``evaluate``: a plan's whole evaluation at a date; ``compare``: one indicator across plans.

The engine only ties the pure parts together (status → scoring, attainment → trajectory →
projection); services gather the input from storage and reports render the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from yigai.domain.indicators import Direction
from yigai.domain.plan import Comparator
from yigai.evaluation.attainment import attainment
from yigai.evaluation.ranking import department_classes, lead_kinds, rank_departments
from yigai.evaluation.results import (
    EvaluationInput,
    ItemStatus,
    Observation,
    PlanEvaluation,
    TargetEvaluation,
    TargetInput,
)
from yigai.evaluation.scoring import (
    ScoringScheme,
    Tally,
    default_scheme,
    department_scores,
    load_scheme,
    plan_score,
    score_items,
    section_scores,
    task_scores,
)
from yigai.evaluation.status import evaluate_items, latest_ended, task_sections
from yigai.evaluation.trajectory import due_passed_sentence, path_position, project, target_text


def _series_until(series: list[Observation], at: dt.date) -> list[Observation]:
    """Observations of periods ended by ``at``, in time order (an evaluation is "as of")."""
    return sorted((o for o in series if o.period.end <= at), key=lambda o: o.period.end)


def evaluate_target(t: TargetInput, at: dt.date, tolerance: float, default_due: dt.date | None) -> TargetEvaluation:
    """Attainment of the latest value, its place on the baseline → target path, and the projection.

    Without a stated baseline the first observation is the baseline; without a due date the
    plan's end is the due date. Off track: once data for the due date is in, the target is
    not met; before that, the projection to the due date misses it; with too few points for
    a projection, the latest value misses it and is behind the path (or the due date passed).
    Once data for the due date is in, the sentence states the outcome instead of a forecast.
    """
    series = _series_until(t.series, at)
    latest = series[-1] if series else None
    att = attainment(t.comparator, t.value, t.value_high, latest.value if latest else None, t.direction, tolerance)
    due = t.due or default_due
    baseline, baseline_date = t.baseline, t.baseline_date
    if (baseline is None or baseline_date is None) and series:
        baseline, baseline_date = series[0].value, series[0].period.end
    path = path_position(
        baseline,
        baseline_date,
        _path_target(t, baseline),
        due,
        latest.period.end if latest else at,
        latest.value if latest else None,
        t.direction,
    )
    projection = project(
        series,
        due or at,
        comparator=t.comparator,
        target=t.value,
        high=t.value_high,
        unit=t.unit,
        direction=t.direction,
        tolerance=tolerance,
    )
    if latest is not None and due is not None and latest.period.end >= due and t.value is not None:
        projection.sentence = due_passed_sentence(
            latest,
            due,
            comparator=t.comparator,
            target=t.value,
            high=t.value_high,
            unit=t.unit,
            direction=t.direction,
            tolerance=tolerance,
        )
    if latest is None or t.value is None:
        off_track = False
    elif due is None or latest.period.end >= due:
        off_track = att.met is False
    elif projection.enough_data and projection.value_at_due is not None:
        off_track = (
            attainment(t.comparator, t.value, t.value_high, projection.value_at_due, t.direction, tolerance).met
            is False
        )
    else:
        off_track = att.met is False and (path.ahead is False or due <= at)
    return TargetEvaluation(
        index=t.index,
        metric=t.metric,
        unit=t.unit,
        indicator_code=t.indicator_code,
        direction=t.direction,
        latest=latest,
        attainment=att,
        path=path,
        projection=projection,
        off_track=off_track,
        target_text=target_text(t.comparator, t.value, t.value_high, t.unit, t.direction),
    )


def _path_target(t: TargetInput, baseline: float | None) -> float | None:
    """The end of the path: the target, or for a range the edge nearer the baseline."""
    if t.value is None or t.value_high is None or t.comparator is not Comparator.RANGE:
        return t.value
    low, high = sorted((t.value, t.value_high))
    return high if baseline is not None and baseline > high else low


def _scored(t: TargetInput, ev: TargetEvaluation, scheme: ScoringScheme) -> float | None:
    """A target's attainment score for the plan score, or None when it is not scored.

    Scored: targets with a target value that are linked to an indicator or have data.
    """
    if t.value is None or not (t.indicator_code or t.series):
        return None
    if ev.latest is None:
        return scheme.missing_value_score
    return ev.attainment.score


def evaluate(inp: EvaluationInput) -> PlanEvaluation:
    """Evaluate a plan at ``inp.at``: item statuses, targets, scores, the department ranking and rates."""
    scheme = load_scheme(inp.weights) if inp.weights else default_scheme()
    periods = sorted(inp.periods)
    items = evaluate_items(
        inp.draft,
        periods,
        inp.reports,
        inp.at,
        inp.due_days,
        plan_id=inp.plan_id,
        pro_rata_margin=scheme.pro_rata_margin,
        near_deadline_percent=scheme.near_deadline_percent,
    )
    score_items(items, scheme)
    plan_end = periods[-1].end if periods else inp.draft.meta.valid_until
    targets = [evaluate_target(t, inp.at, inp.tolerance, plan_end) for t in inp.targets]
    target_scores = [s for t, ev in zip(inp.targets, targets, strict=True) if (s := _scored(t, ev, scheme)) is not None]
    score, indicator_score = plan_score(items, target_scores, scheme)
    section_of = task_sections(inp.draft)
    tally = Tally()
    for item in items:
        tally.add(item)
    counts = dict.fromkeys(ItemStatus, 0)
    for item in items:
        counts[item.status] += 1
    ended = latest_ended(periods, inp.at)
    rows = department_scores(items, scheme)
    classes = department_classes((r.name for r in rows), lead_kinds(inp.draft), inp.department_classes)
    ranked, not_ranked, method = rank_departments(rows, classes, scheme)
    return PlanEvaluation(
        plan_id=inp.plan_id,
        title=inp.draft.meta.title,
        doc_number=inp.draft.meta.doc_number,
        at=inp.at,
        period_id=ended.id if ended is not None else "",
        items=items,
        targets=targets,
        departments=ranked,
        sections=section_scores(items, section_of),
        score=score,
        counts=counts,
        completion_rate=counts[ItemStatus.COMPLETED] / len(items) if items else 0.0,
        reporting_rate=tally.reporting_rate,
        on_time_rate=tally.on_time_rate,
        task_scores=task_scores(items),
        indicator_score=indicator_score,
        not_ranked=not_ranked,
        ranking_method=method,
    )


# ------------------------------------------------------------------ comparison


@dataclass(slots=True)
class ComparisonRow:
    """One plan's or region's standing on an indicator."""

    label: str  # plan title or region name
    plan_id: int | None
    indicator_code: str
    metric: str
    unit: str
    direction: Direction
    target: str  # as printed: "≥80%"
    latest: Observation | None
    met: bool | None
    score: float  # attainment 0-1
    projection: str
    rank: int = 0


def _row(label: str, plan_id: int | None, t: TargetEvaluation) -> ComparisonRow:
    return ComparisonRow(
        label=label,
        plan_id=plan_id,
        indicator_code=t.indicator_code,
        metric=t.metric,
        unit=t.unit,
        direction=t.direction,
        target=t.target_text,
        latest=t.latest,
        met=t.attainment.met,
        score=t.attainment.score,
        projection=t.projection.sentence,
    )


def compare(
    sources: Iterable[PlanEvaluation] | Mapping[str, TargetInput],
    indicator_code: str = "",
    *,
    at: dt.date | None = None,
    tolerance: float = 0.05,
) -> list[ComparisonRow]:
    """Rank plans or regions on one indicator.

    ``sources`` is either plan evaluations (each contributes its targets linked to
    ``indicator_code``) or region label → target input with its series (evaluated at ``at``,
    by default as of the latest observation of any of them). Rows are sorted best first: attainment score, then the latest value in
    the indicator's direction, then label; rows without data come last. Ranks are 1..n.
    """
    rows: list[ComparisonRow] = []
    if isinstance(sources, Mapping):
        ends = [o.period.end for t in sources.values() for o in t.series]
        when = at or (max(ends) if ends else dt.date.min)
        for label, t in sources.items():
            if indicator_code and t.indicator_code and t.indicator_code != indicator_code:
                continue
            ev = evaluate_target(t, when, tolerance, t.due)
            rows.append(_row(label, None, ev))
    else:
        for pe in sources:
            for t in pe.targets:
                if t.indicator_code != indicator_code:
                    continue
                rows.append(_row(pe.title, pe.plan_id, t))

    def key(r: ComparisonRow) -> tuple[int, float, float, str]:
        if r.latest is None:
            return (1, 0.0, 0.0, r.label)
        sign = {Direction.HIGHER_IS_BETTER: -1.0, Direction.LOWER_IS_BETTER: 1.0}.get(r.direction, 0.0)
        return (0, -r.score, sign * r.latest.value, r.label)

    rows.sort(key=key)
    for rank, row in enumerate(rows, 1):
        row.rank = rank
    return rows
