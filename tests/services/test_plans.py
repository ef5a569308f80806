"""Plan use cases on a real SQLite database: idempotent import, replace, look-ups, views."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from yigai.bootstrap import App
from yigai.domain.errors import NotFoundError
from yigai.domain.plan import PlanDraft
from yigai.services.plans import (
    ImportStatus,
    department_matrix,
    get_plan,
    get_summary,
    import_draft,
    import_file,
    list_plans,
    summarize,
    tasks_for_department,
)
from yigai.storage.repository import PlanCounts

DraftFactory = Callable[..., PlanDraft]


def test_import_stores_a_new_plan(app: App, sample_draft: PlanDraft) -> None:
    result = import_draft(app.uow(), sample_draft)
    assert result.status is ImportStatus.IMPORTED
    assert result.counts == PlanCounts(tasks=3, measures=2, departments=8, targets=3, projects=1, warnings=2)
    assert get_plan(app.uow(), result.plan_id).draft == sample_draft


def test_the_same_document_twice_is_one_plan_and_changes_nothing(app: App, sample_draft: PlanDraft) -> None:
    first = import_draft(app.uow(), sample_draft)
    before = list_plans(app.uow())
    again = import_draft(app.uow(), sample_draft)
    assert (again.status, again.plan_id, again.matched_by) == (ImportStatus.ALREADY_IMPORTED, first.plan_id, "sha256")
    assert list_plans(app.uow()) == before  # same rows, same imported_at


def test_same_document_number_with_other_text_is_the_same_plan(app: App, draft_factory: DraftFactory) -> None:
    original = draft_factory()
    reworded = draft_factory(text="同一文号的另一版本", doc_number="仓医改组〔２０２１〕９1 号", title="修订稿")
    first = import_draft(app.uow(), original)
    again = import_draft(app.uow(), reworded)
    assert (again.status, again.plan_id, again.matched_by) == (
        ImportStatus.ALREADY_IMPORTED,
        first.plan_id,
        "doc_number",
    )
    assert get_plan(app.uow(), first.plan_id).draft == original


def test_replace_swaps_the_stored_plan_under_the_same_id(app: App, draft_factory: DraftFactory) -> None:
    original = draft_factory()
    revised = draft_factory(text="修订后的文本", title="修订稿")
    revised.tasks = revised.tasks[:1]
    revised.targets = [t for t in revised.targets if t.task is None]
    first = import_draft(app.uow(), original)
    result = import_draft(app.uow(), revised, replace=True)
    assert (result.status, result.plan_id) == (ImportStatus.REPLACED, first.plan_id)
    [summary] = list_plans(app.uow())
    assert (summary.id, summary.title, summary.counts.tasks) == (first.plan_id, "修订稿", 1)
    assert get_plan(app.uow(), first.plan_id).draft == revised


def test_a_failed_replace_leaves_the_old_plan_intact(app: App, draft_factory: DraftFactory) -> None:
    original = draft_factory()
    broken = draft_factory(text="坏的版本")
    broken.tasks = [broken.tasks[1], dataclasses.replace(broken.tasks[2], id="T2")]  # duplicate id
    first = import_draft(app.uow(), original)
    with pytest.raises(IntegrityError):
        import_draft(app.uow(), broken, replace=True)
    assert get_plan(app.uow(), first.plan_id).draft == original


def test_replace_of_a_new_document_is_a_plain_import(app: App, sample_draft: PlanDraft) -> None:
    assert import_draft(app.uow(), sample_draft, replace=True).status is ImportStatus.IMPORTED


def test_sql_counts_agree_with_the_draft(app: App, sample_draft: PlanDraft, seed_drafts: list[PlanDraft]) -> None:
    drafts = [sample_draft, *seed_drafts]
    ids = [import_draft(app.uow(), d).plan_id for d in drafts]
    summaries = {s.id: s for s in list_plans(app.uow())}
    for plan_id, draft in zip(ids, drafts, strict=True):
        assert summaries[plan_id].counts == summarize(draft)
        assert get_summary(app.uow(), plan_id) == summaries[plan_id]


@pytest.mark.parametrize("ref", ["1", "１", " 1 ", "仓医改组〔2021〕91号", "仓医改组〔２０２１〕９１ 号"])
def test_get_plan_by_id_or_document_number(app: App, sample_draft: PlanDraft, ref: str) -> None:
    import_draft(app.uow(), sample_draft)
    assert get_plan(app.uow(), ref).id == 1


@pytest.mark.parametrize("ref", ["2", "0", "9" * 30, "青卫健医政〔2022〕14号", "nonsense"])
def test_unknown_plan_is_not_found_in_both_languages(app: App, sample_draft: PlanDraft, ref: str) -> None:
    import_draft(app.uow(), sample_draft)
    with pytest.raises(NotFoundError) as info:
        get_plan(app.uow(), ref)
    message = info.value.bilingual()
    assert "未找到计划" in message and "no plan" in message and ref in message


def test_department_matrix_counts_lead_and_cooperating(sample_draft: PlanDraft) -> None:
    rows = department_matrix(sample_draft)
    table = {
        r.name: (
            r.lead_tasks,
            r.cooperating_tasks,
            r.lead_measures,
            r.cooperating_measures,
            r.lead_projects,
            r.cooperating_projects,
        )
        for r in rows
    }
    assert table == {
        "区卫健局": (2, 0, 0, 0, 1, 0),
        "区医保局": (0, 2, 0, 0, 0, 0),
        "区财政局": (0, 1, 0, 0, 0, 0),
        "区委": (0, 0, 1, 0, 0, 0),
        "区政府": (0, 0, 1, 0, 0, 0),
        "区医改领导小组": (0, 0, 1, 0, 0, 0),
        "各镇街（园区）": (0, 0, 0, 1, 0, 0),
        "区发改局": (0, 0, 0, 0, 0, 1),
    }
    assert rows[0].name == "区卫健局" and (rows[0].lead, rows[0].cooperating) == (2, 0)
    assert rows[-1].name == "区发改局"
    assert {r.name: r.kind for r in rows}["各镇街（园区）"] == "group"
    assert len(rows) == summarize(sample_draft).departments


def test_a_department_named_twice_in_one_clause_counts_once(sample_draft: PlanDraft) -> None:
    task = sample_draft.tasks[0]
    task.responsibility.lead.append(task.responsibility.lead[0])
    assert {r.name: r.lead_tasks for r in department_matrix(sample_draft)}["区卫健局"] == 2


def test_tasks_for_department(sample_draft: PlanDraft) -> None:
    led = tasks_for_department(sample_draft, "区卫健局")
    assert [(t.id, len(t.measures)) for t in led] == [("T1", 2), ("T2", 0)]
    towns = tasks_for_department(sample_draft, "各镇街")  # part of a name; only its measure is kept
    assert [(t.id, [m.id for m in t.measures]) for t in towns] == [("T1", ["T1.M2"])]
    printed = tasks_for_department(sample_draft, "仓山医保局")  # as printed → canonical 区医保局
    assert [t.id for t in printed] == ["T1", "T2"]
    with pytest.raises(NotFoundError, match="区人社局"):
        tasks_for_department(sample_draft, "区人社局")


def test_import_file_parses_and_stores_a_seed(app: App) -> None:
    from yigai.data import seed_paths

    path = seed_paths()[0]
    first = import_file(app.uow(), path)
    again = import_file(app.uow(), path)
    assert (first.status, again.status) == (ImportStatus.IMPORTED, ImportStatus.ALREADY_IMPORTED)
    assert first.source_name == path.name and again.plan_id == first.plan_id


def test_an_import_is_audited(app, seed_drafts) -> None:  # type: ignore[no-untyped-def]
    from yigai.services.plans import import_draft

    result = import_draft(app.uow(), seed_drafts[0], actor="wjw")
    with app.uow() as uow:
        entries = uow.audit.entries(entity="plan", entity_key=str(result.plan_id))
    assert [(e.actor, e.action) for e in entries] == [("wjw", "plan.import")]
