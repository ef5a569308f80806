"""The department ranking (部门考核排名) an office can publish: who is ranked, and how.

Who: only member departments (``DepartmentClass.MEMBER``) that lead at least ``MIN_ITEMS``
items. Leading bodies (区委, 区政府, 领导小组), groups (各镇街（园区）, 区直有关部门), single
places (金山街道) and departments with fewer items are listed apart, each with its reason.

How: a department's score (``scoring.department_scores``: mean item score − deductions +
bonus, as configured) is a mean over few items or many; one item's status moves a one-item
department's score by 100 points and 区卫生健康委's 116-item score by less than one. So the
rank is by a score adjusted for the number of items, a Bayesian average that pulls a score
toward the mean of the ranked departments as strongly as ``PRIOR_ITEMS`` items would:

    排名得分 = (事项数 × 部门得分 + PRIOR_ITEMS × 平均得分) ÷ (事项数 + PRIOR_ITEMS)

A department with 116 items keeps its score (within a point or two); one with 3 items moves
5/8 of the way to the mean. Ties in the adjusted score go by on-time rate and share a rank.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from yigai.domain.departments import NOT_RANKED_REASONS, DepartmentClass, classify_by_name
from yigai.domain.plan import DepartmentKind, PlanDraft
from yigai.evaluation.results import DepartmentScore, RankingMethod
from yigai.evaluation.scoring import ScoringScheme

MIN_ITEMS = 3
PRIOR_ITEMS = 5.0
FEW_ITEMS = "牵头事项少于{n}项"
_CLASS_ORDER = (DepartmentClass.MEMBER, DepartmentClass.LEADING, DepartmentClass.GROUP, DepartmentClass.PLACE)


def lead_kinds(draft: PlanDraft) -> dict[str, DepartmentKind]:
    """Lead department name → the parser's kind (a name ever marked a group is a group)."""
    kinds: dict[str, DepartmentKind] = {}
    for task in draft.tasks:
        for resp in (task.responsibility, *(m.responsibility for m in task.measures)):
            for ref in resp.lead:
                if ref.name and kinds.get(ref.name) is not DepartmentKind.GROUP:
                    kinds[ref.name] = ref.kind
    return kinds


def department_classes(
    names: Iterable[str], kinds: Mapping[str, DepartmentKind], overrides: Mapping[str, DepartmentClass]
) -> dict[str, DepartmentClass]:
    """Each name's class: the office's explicit choice, else what its name (and parser kind) implies."""
    return {
        name: overrides.get(name) or classify_by_name(name, kinds.get(name, DepartmentKind.DEPARTMENT))
        for name in names
    }


def rank_departments(
    rows: list[DepartmentScore],
    classes: Mapping[str, DepartmentClass],
    scheme: ScoringScheme,
    *,
    min_items: int = MIN_ITEMS,
    prior_items: float = PRIOR_ITEMS,
) -> tuple[list[DepartmentScore], list[DepartmentScore], RankingMethod]:
    """(ranked members in rank order, the others with their reason, the method). Sets rank and rank_score."""
    ranked: list[DepartmentScore] = []
    others: list[DepartmentScore] = []
    for row in rows:
        row.department_class = classes.get(row.name) or classify_by_name(row.name)
        row.rank, row.rank_score, row.not_ranked = 0, None, ""
        if row.department_class is not DepartmentClass.MEMBER:
            row.not_ranked = NOT_RANKED_REASONS[row.department_class]
            others.append(row)
        elif row.items < min_items:
            row.not_ranked = FEW_ITEMS.format(n=min_items)
            others.append(row)
        else:
            ranked.append(row)
    mean = sum(r.score for r in ranked) / len(ranked) if ranked else 0.0
    for row in ranked:
        row.rank_score = round((row.items * row.score + prior_items * mean) / (row.items + prior_items), 2)
    ranked.sort(key=lambda d: (-(d.rank_score or 0.0), -round(d.on_time_rate, 9), d.name))
    previous: tuple[float, float] | None = None
    for position, row in enumerate(ranked, 1):
        key = (row.rank_score or 0.0, round(row.on_time_rate, 9))
        row.rank = ranked[position - 2].rank if key == previous else position
        previous = key
    others.sort(key=lambda d: (_CLASS_ORDER.index(d.department_class), -d.items, d.name))
    method = RankingMethod(
        min_items=min_items,
        prior_items=prior_items,
        mean_score=round(mean, 2),
        status_scores={s.value: v for s, v in scheme.status_scores.items()},
        late_deduction=scheme.late_deduction,
        missing_deduction=scheme.missing_deduction,
        max_deduction=scheme.max_deduction,
        early_bonus=scheme.early_bonus,
        max_bonus=scheme.max_bonus,
    )
    return ranked, others, method
