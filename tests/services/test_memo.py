"""Memoised reads are served again until a write they can depend on; shared plan reads are not copies."""

from __future__ import annotations

from yigai.services.auth import open_session
from yigai.services.memo import memoised
from yigai.services.plans import get_plan
from yigai.services.reports import save_report
from yigai.services.review_desk import waiting_count

from .conftest import Loop, at


def test_a_memoised_read_is_recomputed_after_a_write_and_not_after_a_sign_in(loop: Loop) -> None:
    calls: list[int] = []

    def read() -> int:
        calls.append(1)
        return len(calls)

    assert memoised(loop.app.uow(), ("probe",), read) == 1
    assert memoised(loop.app.uow(), ("probe",), read) == 1
    assert memoised(loop.app.uow(), ("other probe",), read) == 2  # the key names the read
    open_session(loop.app.uow(), loop.viewer)  # an audited sign-in changes no data a page shows
    assert memoised(loop.app.uow(), ("probe",), read) == 1
    save_report(
        loop.app.uow(), loop.health, loop.plan_id, "T4.M2", "2023Q3", "区卫生健康委", "推进中", 20, now=at("2023-10-10")
    )
    assert memoised(loop.app.uow(), ("probe",), read) == 3
    # a read that said draft saves cannot change it keeps its value across one
    assert memoised(loop.app.uow(), ("drafts ignored",), read, ignoring=("report.save", "auth.")) == 4
    save_report(
        loop.app.uow(), loop.health, loop.plan_id, "T4.M2", "2023Q3", "区卫生健康委", "推进中", 30, now=at("2023-10-10")
    )
    assert memoised(loop.app.uow(), ("drafts ignored",), read, ignoring=("report.save", "auth.")) == 4


def test_the_review_badge_follows_submissions(loop: Loop) -> None:
    before = waiting_count(loop.app.uow())
    save_report(
        loop.app.uow(),
        loop.health,
        loop.plan_id,
        "T4.M2",
        "2023Q3",
        "区卫生健康委",
        "推进中",
        40,
        submit=True,
        now=at("2023-10-11"),
    )
    assert waiting_count(loop.app.uow()) == before + 1


def test_a_shared_plan_read_is_the_cached_draft_and_a_private_read_a_copy(loop: Loop) -> None:
    shared = get_plan(loop.app.uow(), loop.plan_id, shared=True).draft
    assert get_plan(loop.app.uow(), loop.plan_id, shared=True).draft is shared
    private = get_plan(loop.app.uow(), loop.plan_id).draft
    assert private is not shared and private == shared
    private.tasks[0].title = "改过的标题"  # a writer changes its own copy only
    assert get_plan(loop.app.uow(), loop.plan_id, shared=True).draft.tasks[0].title != "改过的标题"
