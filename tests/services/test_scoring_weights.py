"""The office's scoring weights: validated, stored as versions, audited, and used by every evaluation."""

from __future__ import annotations

import datetime as dt

import pytest

from yigai.evaluation.results import ItemStatus
from yigai.evaluation.scoring import default_scheme_dict
from yigai.services.errors import InvalidInputError, PermissionDeniedError
from yigai.services.evaluate import evaluate_plan, evaluated
from yigai.services.reports import save_report
from yigai.services.scoring import office_scheme, reset_office_scheme, scheme_history, set_office_scheme

from .conftest import Loop, at

DAY = dt.date(2023, 12, 31)


def _scores_by_status(loop: Loop, weights: dict | None = None) -> dict[ItemStatus, float]:
    ev = evaluate_plan(loop.app.uow(), loop.plan_id, DAY, weights)
    return {item.status: item.score for item in ev.items}


def _scoring_audit(loop: Loop) -> list[tuple[str, str, dict | None, dict | None]]:
    with loop.app.uow() as uow:
        return [(e.actor, e.entity_key, e.before, e.after) for e in uow.audit.entries(entity="scoring_scheme")]


def test_the_default_applies_until_the_office_saves_its_own(loop: Loop) -> None:
    scheme = office_scheme(loop.app.uow())
    assert scheme.is_default and scheme.stored is None and scheme.values == default_scheme_dict()
    save_report(
        loop.app.uow(),
        loop.health,
        loop.plan_id,
        "T4.M2",
        "2023Q4",
        "区卫生健康委",
        "推进中",
        60,
        submit=True,
        now=at("2024-01-05"),
    )
    before = _scores_by_status(loop)
    assert before[ItemStatus.NOT_REPORTED] == 0

    saved = set_office_scheme(
        loop.app.uow(),
        loop.admin,
        {"status_scores": {"not_reported": 10, "overdue": 5}},
        note="2024年考核办法",
        now=at("2024-01-10"),
    )
    assert saved.stored is not None and saved.stored.version == 1 and not saved.is_default
    assert saved.stored.overrides == {"status_scores": {"not_reported": 10, "overdue": 5}}
    after = _scores_by_status(loop)
    assert after[ItemStatus.NOT_REPORTED] == 10 and after.get(ItemStatus.OVERDUE, 5) == 5
    # the memoised evaluation sees the change (an audited write)
    assert evaluated(loop.app.uow(), loop.plan_id, DAY)[0].weights["status_scores"]["not_reported"] == 10
    assert _scoring_audit(loop) == [
        (
            "admin",
            "1",
            {"status_scores.not_reported": 0, "status_scores.overdue": 0},
            {"status_scores.not_reported": 10, "status_scores.overdue": 5},
        )
    ]


def test_each_change_is_a_new_version_and_nothing_is_overwritten(loop: Loop) -> None:
    uow = loop.app.uow
    set_office_scheme(uow(), loop.admin, {"parts": {"tasks": 70, "indicators": 30}}, now=at("2024-01-10"))
    set_office_scheme(uow(), loop.admin, {"deductions": {"max": 30}}, now=at("2024-02-10"))
    same = set_office_scheme(uow(), loop.admin, {"deductions": {"max": 30}}, now=at("2024-03-10"))
    assert same.stored is not None and same.stored.version == 2  # unchanged: no version, no audit entry
    history = scheme_history(uow())
    assert [(h.version, h.overrides) for h in history] == [
        (2, {"parts": {"tasks": 70, "indicators": 30}, "deductions": {"max": 30}}),
        (1, {"parts": {"tasks": 70, "indicators": 30}}),
    ]
    back = reset_office_scheme(uow(), loop.admin, now=at("2024-04-10"))
    assert back.is_default and back.values == default_scheme_dict()
    assert [h.version for h in scheme_history(uow())] == [3, 2, 1] and scheme_history(uow())[0].overrides == {}
    assert [key for _, key, _, _ in _scoring_audit(loop)] == ["1", "2", "3"]
    assert _scoring_audit(loop)[-1][2] == {"parts.tasks": 70, "parts.indicators": 30, "deductions.max": 30}


@pytest.mark.parametrize(
    ("changes", "where", "zh"),
    [
        ({"status_scores": {"completed": -1}}, "status_scores.completed", "「事项状态得分 · 已完成」"),
        ({"status_scores": {"on_track": 120}}, "status_scores.on_track", "0-100"),
        ({"parts": {"tasks": 0, "indicators": 0}}, "parts", "大于0"),
        ({"indicators": {"missing_value_score": 2}}, "indicators.missing_value_score", "0-1"),
        ({"parts": {"taks": 50}}, "parts.taks", "未知"),
        ({"parts": {"tasks": "六十"}}, "parts.tasks", "不小于0的数"),
        ({"status": {"near_deadline_percent": 101}}, "status.near_deadline_percent", "0-100"),
    ],
)
def test_bad_weights_are_refused_in_chinese_and_nothing_is_stored(
    loop: Loop, changes: dict, where: str, zh: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        set_office_scheme(loop.app.uow(), loop.admin, changes)
    assert refused.value.where == where and zh in refused.value.message_zh
    assert office_scheme(loop.app.uow()).stored is None and _scoring_audit(loop) == []


def test_only_the_office_changes_weights(loop: Loop) -> None:
    for user in (loop.health, loop.clinic, loop.viewer):
        with pytest.raises(PermissionDeniedError):
            set_office_scheme(loop.app.uow(), user, {"parts": {"tasks": 50}})
        with pytest.raises(PermissionDeniedError):
            reset_office_scheme(loop.app.uow(), user)
    assert office_scheme(loop.app.uow()).stored is None


def test_weights_given_for_one_run_go_over_the_office_scheme(loop: Loop) -> None:
    set_office_scheme(loop.app.uow(), loop.admin, {"status_scores": {"not_reported": 10}})
    one_run = _scores_by_status(loop, {"status_scores": {"not_started": 40}})
    assert one_run[ItemStatus.NOT_REPORTED] == 10  # the office's
    ev = evaluate_plan(loop.app.uow(), loop.plan_id, DAY, {"status_scores": {"not_started": 40}})
    assert ev is not None
    inp = evaluated(loop.app.uow(), loop.plan_id, DAY, {"status_scores": {"not_started": 40}})[0]
    assert inp.weights["status_scores"] == {
        **default_scheme_dict()["status_scores"],
        "not_reported": 10,
        "not_started": 40,
    }
