"""Plan review on seed 000: upload a draft, read it with its spans, correct it, publish it; who may."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from yigai.bootstrap import App
from yigai.data import seed_paths
from yigai.domain.errors import DocumentError, NotFoundError
from yigai.domain.plan import Category, DeadlineKind, PlanDraft, PlanType, Span
from yigai.domain.serialize import plan_from_dict, plan_to_stored_dict
from yigai.domain.users import Role, User
from yigai.parsing import parse_file
from yigai.services.errors import (
    DuplicateError,
    IllegalTransitionError,
    InvalidInputError,
    PermissionDeniedError,
    PlanHasReportsError,
    UnknownItemError,
)
from yigai.services.plan_review import (
    delete_task,
    discard_draft,
    get_review,
    list_drafts,
    publish,
    set_meta,
    set_task_departments,
    set_task_field,
    upload_plan,
)
from yigai.services.plans import get_plan, import_file, list_plans
from yigai.services.reports import save_report
from yigai.services.schedules import set_schedule
from yigai.services.users import acting_user, create_user
from yigai.storage.draft_repository import DraftStatus

SEED_000 = seed_paths()[
    0
]  # 青浦区 工作方案, 青卫健医政〔2022〕14号: T3 led by 区卫健委, with 区财政局 and 区发展改革委
AT = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def admin(app: App) -> User:
    return acting_user(app.uow())


@pytest.fixture
def draft_id(app: App, admin: User) -> int:
    return upload_plan(app.uow(), admin, SEED_000, now=AT)


def _text(review_text: str, span: Span | None) -> str:
    assert span is not None
    return review_text[span.start : span.end]


def test_stored_drafts_round_trip_through_json(seed_drafts: list[PlanDraft], sample_draft: PlanDraft) -> None:
    for draft in [sample_draft, *seed_drafts]:
        data = json.loads(json.dumps(plan_to_stored_dict(draft), ensure_ascii=False))
        assert plan_from_dict(data, draft.source_text) == draft


def test_upload_stores_a_draft_with_its_source_and_every_span(app: App, draft_id: int) -> None:
    review = get_review(app.uow(), draft_id)
    assert review.info.status is DraftStatus.DRAFT and review.info.version == 1
    assert review.info.created_by == "admin" and review.info.created_at == AT
    assert review.source_text == parse_file(SEED_000).source_text
    assert review.draft.meta.doc_number == "青卫健医政〔2022〕14号"
    assert (review.counts.tasks, review.counts.targets) == (15, 7)
    keys = {f.key: f for f in review.spans}
    text = review.source_text
    doc = keys["meta.doc_number"]
    assert "青卫健医政〔2022〕14" in text[doc.start : doc.end]
    lead = keys["T3.lead.0"]
    assert (text[lead.start : lead.end], lead.item, lead.label) == ("区卫健委", "T3", "牵头：区卫生健康委")
    assert text[keys["T3.deadline"].start : keys["T3.deadline"].end] == "“十四五”末"
    assert all(0 <= f.start < f.end <= len(text) for f in review.spans)
    assert [f.start for f in review.spans] == sorted(f.start for f in review.spans)
    assert review.duplicate is None
    assert [(c.version, c.action, c.actor) for c in review.corrections] == [(1, "upload", "admin")]


def test_drafts_are_invisible_until_published(app: App, admin: User, draft_id: int) -> None:
    assert list_plans(app.uow()) == []
    assert [d.id for d in list_drafts(app.uow())] == [draft_id]
    with pytest.raises(NotFoundError):
        get_plan(app.uow(), draft_id)
    with pytest.raises(NotFoundError):  # no schedule (hence no reports) for a draft
        set_schedule(app.uow(), admin, draft_id, "quarterly", "2022Q3", "2023Q4", 15)
    plan_id = publish(app.uow(), admin, draft_id, now=AT)
    assert [p.id for p in list_plans(app.uow())] == [plan_id]
    assert list_drafts(app.uow()) == []
    assert [(d.id, d.status, d.published_plan_id) for d in list_drafts(app.uow(), include_closed=True)] == [
        (draft_id, DraftStatus.PUBLISHED, plan_id)
    ]
    set_schedule(app.uow(), admin, plan_id, "quarterly", "2022Q3", "2023Q4", 15)


def test_correct_a_department_then_publish(app: App, admin: User, draft_id: int) -> None:
    before = get_review(app.uow(), draft_id).draft.task("T3").responsibility
    assert [r.name for r in before.lead] == ["区卫生健康委"]
    assert [r.name for r in before.cooperating] == ["区财政局", "区发展改革委"]

    # 区卫健局 is an alias of the printed lead; 区医保局 is new; 区发展改革委 is dropped
    resp = set_task_departments(app.uow(), admin, draft_id, "T3", ["区卫健局"], "区医保局、区财政局", now=AT)
    text = get_review(app.uow(), draft_id).source_text
    assert [(r.name, r.raw, r.known) for r in resp.lead] == [("区卫生健康委", "区卫健委", True)]
    assert _text(text, resp.lead[0].span) == "区卫健委"  # the printed name and span are kept
    assert next((r.name, r.raw, r.span) for r in resp.cooperating) == ("区医保局", "区医保局", None)
    assert resp.cooperating[1].span == before.cooperating[0].span
    assert resp.raw == before.raw and resp.span == before.span  # the printed clause stays the provenance

    review = get_review(app.uow(), draft_id)
    assert review.info.version == 2
    last = review.corrections[-1]
    assert (last.version, last.action, last.item, last.actor) == (2, "departments", "T3", "admin")
    assert [d["name"] for d in last.before["cooperating"]] == ["区财政局", "区发展改革委"]
    assert [d["name"] for d in last.after["cooperating"]] == ["区医保局", "区财政局"]

    plan_id = publish(app.uow(), admin, draft_id, now=AT)
    stored = get_plan(app.uow(), plan_id).draft.task("T3").responsibility
    assert [r.name for r in stored.lead] == ["区卫生健康委"]
    assert [r.name for r in stored.cooperating] == ["区医保局", "区财政局"]
    with app.uow() as uow:
        published = uow.audit.entries(entity="plan", entity_key=str(plan_id))
    assert [(e.action, e.after["draft_id"], e.after["version"]) for e in published] == [("plan.publish", draft_id, 2)]
    assert get_review(app.uow(), draft_id).info.status is DraftStatus.PUBLISHED
    with pytest.raises(IllegalTransitionError):
        set_task_field(app.uow(), admin, draft_id, "T3", "title", "改过的标题")
    with pytest.raises(IllegalTransitionError):
        publish(app.uow(), admin, draft_id)


def test_unknown_departments_are_kept_and_flagged_and_clashes_refused(app: App, admin: User, draft_id: int) -> None:
    resp = set_task_departments(app.uow(), admin, draft_id, "T3", ["区卫生健康委", "区智慧医疗专班"], [])
    assert [(r.name, r.known) for r in resp.lead] == [("区卫生健康委", True), ("区智慧医疗专班", False)]
    assert get_review(app.uow(), draft_id).unknown_departments == ["区智慧医疗专班"]
    with pytest.raises(InvalidInputError, match="both lead and cooperate"):
        set_task_departments(app.uow(), admin, draft_id, "T3", ["区卫健委"], ["区卫生健康委员会"])
    with pytest.raises(UnknownItemError):
        set_task_departments(app.uow(), admin, draft_id, "T99", ["区卫健委"], [])
    assert get_review(app.uow(), draft_id).info.version == 2  # refused corrections store nothing


def test_fields_meta_and_deleting_a_task(app: App, admin: User, draft_id: int) -> None:
    uow = app.uow
    printed = get_review(uow(), draft_id).draft.task("T3").deadline
    deadline = set_task_field(uow(), admin, draft_id, "T3", "deadline", "2023年底")
    assert (deadline.kind, deadline.date, deadline.raw, deadline.span) == (
        DeadlineKind.DATE,
        dt.date(2023, 12, 31),
        "2023年底",
        printed.span,
    )
    assert set_task_field(uow(), admin, draft_id, "T4", "deadline", "持续推进").kind is DeadlineKind.CONTINUOUS
    assert set_task_field(uow(), admin, draft_id, "T4", "deadline", "2024-06-30").date == dt.date(2024, 6, 30)
    with pytest.raises(InvalidInputError, match="cannot read the deadline"):
        set_task_field(uow(), admin, draft_id, "T4", "deadline", "尽快")
    assert set_task_field(uow(), admin, draft_id, "T3", "title", "  筑牢公共卫生 防线 ") == "筑牢公共卫生 防线"
    assert set_task_field(uow(), admin, draft_id, "T3", "category", ["政策类", "指标类"]) == [
        Category.POLICY,
        Category.INDICATOR,
    ]
    with pytest.raises(InvalidInputError):
        set_task_field(uow(), admin, draft_id, "T3", "category", "其他类")
    with pytest.raises(InvalidInputError):
        set_task_field(uow(), admin, draft_id, "T3", "text", "x")

    meta = set_meta(uow(), admin, draft_id, doc_number="青卫健医政〔2022〕15号", date="2022-08-01", type="实施方案")
    assert (meta.doc_number, meta.date, meta.type) == (
        "青卫健医政〔2022〕15号",
        dt.date(2022, 8, 1),
        PlanType.IMPLEMENTATION_PLAN,
    )
    with pytest.raises(InvalidInputError):
        set_meta(uow(), admin, draft_id, level="village")
    with pytest.raises(InvalidInputError):
        set_meta(uow(), admin, draft_id, colour="red")

    delete_task(uow(), admin, draft_id, "T5")  # T5 has two targets
    review = get_review(uow(), draft_id)
    assert [t.id for t in review.draft.tasks][3:6] == ["T4", "T6", "T7"]  # the other ids are kept
    assert [t.task for t in review.draft.targets] == ["T1", "T3", "T3", "T3", None, None, "T13"]
    assert [c.action for c in review.corrections] == [
        "upload",
        "deadline",
        "deadline",
        "deadline",
        "title",
        "category",
        "meta",
        "delete",
    ]
    assert review.info.version == 8
    meta_change = review.corrections[-2]
    assert meta_change.before == {"doc_number": "青卫健医政〔2022〕14号", "date": "2022-12-05", "type": "工作方案"}
    assert meta_change.after == {"doc_number": "青卫健医政〔2022〕15号", "date": "2022-08-01", "type": "实施方案"}

    plan = get_plan(uow(), publish(uow(), admin, draft_id)).draft
    assert plan.meta.doc_number == "青卫健医政〔2022〕15号" and plan.task("T3").title == "筑牢公共卫生 防线"
    assert plan.task("T3").deadline.date == dt.date(2023, 12, 31) and "T5" not in {t.id for t in plan.tasks}


def test_a_published_document_is_replaced_only_when_asked_and_without_reports(app: App, admin: User) -> None:
    uow = app.uow
    plan_id = import_file(uow(), SEED_000).plan_id
    draft_id = upload_plan(uow(), admin, SEED_000)
    review = get_review(uow(), draft_id)
    assert review.duplicate is not None
    assert (review.duplicate.plan_id, review.duplicate.matched_by, review.duplicate.reports) == (plan_id, "sha256", 0)
    set_task_departments(uow(), admin, draft_id, "T3", ["区卫健委"], ["区医保局"])
    with pytest.raises(DuplicateError, match=f"already published as plan {plan_id}"):
        publish(uow(), admin, draft_id)
    assert publish(uow(), admin, draft_id, replace=True) == plan_id
    assert [r.name for r in get_plan(uow(), plan_id).draft.task("T3").responsibility.cooperating] == ["区医保局"]
    assert len(list_plans(uow())) == 1

    set_schedule(uow(), admin, plan_id, "quarterly", "2023Q1", "2023Q4", 15)
    save_report(uow(), admin, plan_id, "T3", "2023Q1", "区卫健委", "推进中", 30)
    again = upload_plan(uow(), admin, SEED_000)
    assert get_review(uow(), again).duplicate.reports == 1  # type: ignore[union-attr]
    with pytest.raises(PlanHasReportsError):
        publish(uow(), admin, again, replace=True)
    discard_draft(uow(), admin, again)
    assert get_review(uow(), again).info.status is DraftStatus.DISCARDED
    with pytest.raises(IllegalTransitionError):
        publish(uow(), admin, again, replace=True)


def test_only_the_office_may_upload_correct_publish_or_discard(app: App, admin: User, draft_id: int) -> None:
    uow = app.uow
    viewer = create_user(uow(), admin, "leader", "区领导", Role.VIEWER)
    reporter = create_user(uow(), admin, "wjw", "卫健委填报员", Role.DEPARTMENT_REPORTER, departments=["区卫健委"])
    for user in (viewer, reporter):
        with pytest.raises(PermissionDeniedError):
            upload_plan(uow(), user, SEED_000)
        with pytest.raises(PermissionDeniedError):
            set_task_departments(uow(), user, draft_id, "T3", ["区医保局"], [])
        with pytest.raises(PermissionDeniedError):
            set_task_field(uow(), user, draft_id, "T3", "title", "x")
        with pytest.raises(PermissionDeniedError):
            set_meta(uow(), user, draft_id, title="x")
        with pytest.raises(PermissionDeniedError):
            delete_task(uow(), user, draft_id, "T3")
        with pytest.raises(PermissionDeniedError):
            publish(uow(), user, draft_id)
        with pytest.raises(PermissionDeniedError):
            discard_draft(uow(), user, draft_id)
    assert [d.id for d in list_drafts(uow())] == [draft_id]
    assert get_review(uow(), draft_id).info.version == 1
    assert list_plans(uow()) == []


def test_a_bad_document_stores_no_draft(app: App, admin: User, tmp_path: Path) -> None:
    empty = tmp_path / "空白方案.txt"
    empty.write_text("  \n", "utf-8")
    with pytest.raises(DocumentError):
        upload_plan(app.uow(), admin, empty)
    assert list_drafts(app.uow(), include_closed=True) == []
    with pytest.raises(NotFoundError):
        get_review(app.uow(), 1)


def test_an_upload_keeps_the_name_the_user_gave(app: App, admin: User, tmp_path: Path) -> None:
    temporary = tmp_path / "upload-1f3a.txt"
    temporary.write_bytes(SEED_000.read_bytes())
    draft_id = upload_plan(app.uow(), admin, temporary, source_name="C:\\fakepath\\青浦区工作方案.txt")
    assert get_review(app.uow(), draft_id).info.source_name == "青浦区工作方案.txt"
