"""Plans are read from the database once per process until their revision changes."""

from __future__ import annotations

import dataclasses

import pytest

from yigai.bootstrap import App
from yigai.domain.plan import PlanDraft
from yigai.services.departments import rename_department
from yigai.services.plans import get_plan, import_draft
from yigai.services.users import acting_user
from yigai.storage import repository


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The plan ids read from the tables (cache misses)."""
    seen: list[int] = []
    original = repository.SqlPlanRepository._load

    def counting(self: repository.SqlPlanRepository, plan_id: int) -> repository.PlanRecord:
        seen.append(plan_id)
        return original(self, plan_id)

    monkeypatch.setattr(repository.SqlPlanRepository, "_load", counting)
    return seen


def test_a_plan_is_read_once_and_each_reader_gets_its_own_copy(
    app: App, sample_draft: PlanDraft, loads: list[int]
) -> None:
    plan_id = import_draft(app.uow(), sample_draft).plan_id
    first, second = get_plan(app.uow(), plan_id), get_plan(app.uow(), plan_id)
    assert loads == [plan_id]
    assert first.draft == second.draft == sample_draft and first.imported_at == second.imported_at
    first.draft.tasks[0].title = "改了"  # a careless caller changes only its own copy
    assert get_plan(app.uow(), plan_id).draft.tasks[0].title == sample_draft.tasks[0].title


def test_a_replace_in_the_same_second_and_a_rename_are_seen(
    app: App, sample_draft: PlanDraft, loads: list[int]
) -> None:
    plan_id = import_draft(app.uow(), sample_draft).plan_id
    get_plan(app.uow(), plan_id)
    revised = dataclasses.replace(sample_draft, tasks=sample_draft.tasks[:2])  # same text, same 文号
    import_draft(app.uow(), revised, replace=True)
    assert len(get_plan(app.uow(), plan_id).draft.tasks) == 2
    rename_department(app.uow(), acting_user(app.uow()), "区财政局", "区财政局（区国资委）")
    cooperating = [r.name for r in get_plan(app.uow(), plan_id).draft.task("T2").responsibility.cooperating]
    assert cooperating == ["区医保局", "区财政局（区国资委）"]
    assert loads == [plan_id] * 3
    get_plan(app.uow(), plan_id)
    assert loads == [plan_id] * 3


def test_databases_do_not_share_cached_plans(app: App, tmp_path: object, sample_draft: PlanDraft) -> None:
    from yigai.bootstrap import build
    from yigai.settings import Settings

    plan_id = import_draft(app.uow(), sample_draft).plan_id
    get_plan(app.uow(), plan_id)
    other_draft = dataclasses.replace(sample_draft, tasks=sample_draft.tasks[:2])
    with build(Settings.from_env({}, data_dir=app.settings.data_dir / "other")) as other:
        assert import_draft(other.uow(), other_draft).plan_id == plan_id
        assert len(get_plan(other.uow(), plan_id).draft.tasks) == 2
    assert len(get_plan(app.uow(), plan_id).draft.tasks) == 3
