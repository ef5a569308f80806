"""The ranking: member departments with enough items, by a score adjusted for their number of items."""

from __future__ import annotations

from yigai.domain.departments import DepartmentClass
from yigai.domain.plan import DepartmentKind
from yigai.evaluation.ranking import department_classes, rank_departments
from yigai.evaluation.results import DepartmentScore
from yigai.evaluation.scoring import load_scheme


def row(name: str, score: float, items: int, on_time: float = 1.0) -> DepartmentScore:
    return DepartmentScore(name, score, 0, items, 0, 0, 0, 0, 1.0, on_time)


def test_few_items_are_pulled_toward_the_mean_and_too_few_are_not_ranked() -> None:
    rows = [
        row("区卫生健康委", 80.0, 116),
        row("区财政局", 100.0, 3),
        row("区医保局", 60.0, 41),
        row("区文旅局", 0.0, 1),
        row("区自然资源局", 100.0, 1),
        row("区委", 90.0, 4),
    ]
    classes = department_classes([r.name for r in rows], {}, {})
    ranked, apart, method = rank_departments(rows, classes, load_scheme())
    # mean of the ranked: (80 + 100 + 60) / 3 = 80
    assert method.mean_score == 80.0 and (method.min_items, method.prior_items) == (3, 5.0)
    # 区财政局 (3 items, 100): (3 × 100 + 5 × 80) / 8 = 87.5 — above 区卫生健康委's (116 × 80 + 400) / 121 = 80,
    # but not the 100 a raw ranking would give three items; 区医保局: (41 × 60 + 400) / 46 = 62.17
    assert [(r.rank, r.name, r.rank_score) for r in ranked] == [
        (1, "区财政局", 87.5),
        (2, "区卫生健康委", 80.0),
        (3, "区医保局", 62.17),
    ]
    assert [(r.name, r.rank, r.department_class) for r in apart] == [
        ("区文旅局", 0, DepartmentClass.MEMBER),
        ("区自然资源局", 0, DepartmentClass.MEMBER),
        ("区委", 0, DepartmentClass.LEADING),
    ]
    assert "少于3项" in apart[0].not_ranked and "领导机构" in apart[2].not_ranked
    assert method.status_scores["completed"] == 100 and method.missing_deduction == 2


def test_equal_scores_share_a_rank() -> None:
    rows = [row("甲局", 70.0, 10), row("乙局", 70.0, 10), row("丙局", 70.0, 10, on_time=0.5)]
    ranked, _, _ = rank_departments(rows, {}, load_scheme())
    assert [(r.rank, r.name) for r in ranked] == [(1, "乙局"), (1, "甲局"), (3, "丙局")]


def test_the_offices_class_wins_over_the_name() -> None:
    kinds = {"各镇街（园区）": DepartmentKind.GROUP}
    classes = department_classes(
        ["区政府", "各镇街（园区）", "区医保局"],
        kinds,
        {"区政府": DepartmentClass.MEMBER, "区医保局": DepartmentClass.LEADING},
    )
    assert classes == {
        "区政府": DepartmentClass.MEMBER,
        "各镇街（园区）": DepartmentClass.GROUP,
        "区医保局": DepartmentClass.LEADING,
    }
