"""Repository and unit of work against a real, migrated SQLite database."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from yigai.bootstrap import App
from yigai.domain.plan import PlanDraft, PlanMeta
from yigai.storage.mapping import doc_number_key
from yigai.storage.models import DepartmentRow, MeasureRow, ResponsibilityRow, TaskRow

DraftFactory = Callable[..., PlanDraft]


def test_a_stored_plan_reads_back_equal_field_by_field(app: App, sample_draft: PlanDraft) -> None:
    with app.uow() as uow:
        plan_id = uow.plans.add(sample_draft)
        uow.commit()
    with app.uow() as uow:
        record = uow.plans.get(plan_id)
    assert record is not None
    assert record.id == plan_id
    assert record.draft == sample_draft


def test_leaving_without_commit_rolls_back(app: App, sample_draft: PlanDraft) -> None:
    with app.uow() as uow:
        plan_id = uow.plans.add(sample_draft)
    with app.uow() as uow:
        assert uow.plans.get(plan_id) is None
        assert uow.plans.summaries() == []


def test_an_exception_inside_the_block_rolls_back(app: App, sample_draft: PlanDraft) -> None:
    with pytest.raises(RuntimeError), app.uow() as uow:
        uow.plans.add(sample_draft)
        raise RuntimeError("boom")
    with app.uow() as uow:
        assert uow.plans.summaries() == []


def test_departments_are_a_registry_per_region(app: App, draft_factory: DraftFactory) -> None:
    first = draft_factory()
    second = draft_factory(text="另一份文件", doc_number="仓医改组〔2021〕92号")
    other_region = draft_factory(text="第三份文件", doc_number="杨卫健委〔2022〕146号")
    other_region.meta = dataclasses.replace(other_region.meta, region="杨浦区")
    with app.uow() as uow:
        for d in (first, second, other_region):
            uow.plans.add(d)
        uow.commit()
        session = uow.plans.session
        names = session.execute(
            select(DepartmentRow.region, func.count()).group_by(DepartmentRow.region).order_by(DepartmentRow.region)
        ).all()
    # the sample names 8 distinct departments; plans of one region share them
    assert names == [("仓山区", 8), ("杨浦区", 8)]


def test_foreign_keys_protect_referenced_departments(app: App, sample_draft: PlanDraft) -> None:
    with app.uow() as uow:
        uow.plans.add(sample_draft)
        uow.commit()
    with app.uow() as uow, pytest.raises(IntegrityError):
        uow.plans.session.execute(delete(DepartmentRow))
        uow.plans.session.flush()


def test_replace_keeps_the_id_and_leaves_no_orphans(app: App, sample_draft: PlanDraft) -> None:
    with app.uow() as uow:
        plan_id = uow.plans.add(sample_draft)
        uow.commit()
    smaller = dataclasses.replace(sample_draft, tasks=sample_draft.tasks[1:2], projects=[], targets=[], sha256="0" * 64)
    with app.uow() as uow:
        uow.plans.replace(plan_id, smaller)
        uow.commit()
    with app.uow() as uow:
        record = uow.plans.get(plan_id)
        session = uow.plans.session
        counts = (
            session.scalar(select(func.count()).select_from(TaskRow)),
            session.scalar(select(func.count()).select_from(MeasureRow)),
            session.scalar(select(func.count()).select_from(ResponsibilityRow)),
        )
    assert record is not None and record.draft == smaller
    assert counts == (1, 0, 3)  # T2: lead 区卫健局, cooperating 区医保局 and 区财政局


@pytest.mark.parametrize(
    "written",
    [
        "仓医改组〔2021〕91号",
        "仓医改组〔2021〕91 号",
        "仓医改组〔２０２１〕９１号",
        "仓医改组(2021)91号",
        " 仓医改组［2021］91号 ",
    ],
)
def test_find_by_document_number_ignores_spacing_width_and_brackets(
    app: App, sample_draft: PlanDraft, written: str
) -> None:
    with app.uow() as uow:
        plan_id = uow.plans.add(sample_draft)
        uow.commit()
        assert uow.plans.id_by_doc_number(written) == plan_id
        found = uow.plans.find_existing(sha256="f" * 64, doc_number=written)
    assert found is not None and (found.id, found.matched_by) == (plan_id, "doc_number")


def test_find_existing_prefers_the_same_text(app: App, sample_draft: PlanDraft) -> None:
    with app.uow() as uow:
        plan_id = uow.plans.add(sample_draft)
        found = uow.plans.find_existing(sha256=sample_draft.sha256, doc_number="")
        assert found is not None and (found.id, found.matched_by) == (plan_id, "sha256")
        assert uow.plans.find_existing(sha256="f" * 64, doc_number="") is None
        assert uow.plans.find_existing(sha256="f" * 64, doc_number="沪府办发〔2021〕31号") is None


def test_plans_without_document_number_do_not_collide(app: App, sample_draft: PlanDraft) -> None:
    a = dataclasses.replace(sample_draft, meta=PlanMeta(title="甲"), sha256="a" * 64)
    b = dataclasses.replace(sample_draft, meta=PlanMeta(title="乙"), sha256="b" * 64)
    with app.uow() as uow:
        uow.plans.add(a)
        uow.plans.add(b)
        uow.commit()
        assert [s.title for s in uow.plans.summaries()] == ["甲", "乙"]


def test_doc_number_key() -> None:
    assert doc_number_key("沪府办发 〔２０２１〕３１号") == "沪府办发〔2021〕31号"
    assert doc_number_key("青卫健医政〔2022〕14 号") == doc_number_key("青卫健医政【2022】14号")
    assert doc_number_key("  ") is None


def test_seed_plans_round_trip(app: App, seed_drafts: list[PlanDraft]) -> None:
    with app.uow() as uow:
        ids = [uow.plans.add(d) for d in seed_drafts]
        uow.commit()
    with app.uow() as uow:
        for plan_id, draft in zip(ids, seed_drafts, strict=True):
            record = uow.plans.get(plan_id)
            assert record is not None and record.draft == draft


def test_a_dangling_task_reference_is_refused_not_dropped(app: App, sample_draft: PlanDraft) -> None:
    sample_draft.targets[0].task = "T99"
    with app.uow() as uow, pytest.raises(ValueError, match="T99"):
        uow.plans.add(sample_draft)
