"""A plan's reports are read once per process and then only what was added, never a stale version."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yigai.domain.reports import Evidence, ProgressReport, ProgressStatus, ReviewState
from yigai.services.departments import rename_department
from yigai.services.reports import save_in, save_report
from yigai.services.review import return_report
from yigai.storage import report_repository
from yigai.storage.report_repository import ReportRepository

from .conftest import Loop, at


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """``after`` of every read of report rows (0: the whole plan)."""
    seen: list[int] = []
    original = ReportRepository._rows

    def counting(self: ReportRepository, plan_id: int, *, after: int = 0) -> list[object]:
        seen.append(after)
        return original(self, plan_id, after=after)  # type: ignore[return-value]

    monkeypatch.setattr(ReportRepository, "_rows", counting)
    report_repository._CACHE.clear()
    return seen


def _all(loop: Loop) -> list[tuple[str, str, int, str, float]]:
    with loop.app.uow() as uow:
        return [(r.item_id, r.period_id, r.version, r.department, r.percent) for r in uow.reports.for_plan(1)]


def test_reports_are_read_once_then_only_what_was_added(loop: Loop, reads: list[int]) -> None:
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 40, now=at("2024-01-05"))
    assert _all(loop) == _all(loop) == [("T4.M2", "2023Q4", 1, "区卫生健康委", 40.0)]
    assert reads == [0]
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q3", "区卫健局", "推进中", 30, now=at("2024-01-06"))
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 60, now=at("2024-01-07"))
    # in order, the new rows merged in, the draft the second 2023Q4 save replaced left out
    assert _all(loop) == [("T4.M2", "2023Q3", 1, "区卫生健康委", 30.0), ("T4.M2", "2023Q4", 2, "区卫生健康委", 60.0)]
    assert len(reads) == 2 and reads[1] > 0
    with loop.app.uow() as uow:
        assert [r.version for r in uow.reports.for_plan(1, "2023Q4")] == [2]
        assert [(r.period_id, r.version) for r in uow.reports.for_item(1, "T4.M2")] == [
            ("2023Q3", 1),
            ("2023Q4", 1),
            ("2023Q4", 2),
        ]


def test_a_rename_and_a_rolled_back_save_are_never_served_stale(loop: Loop, reads: list[int]) -> None:
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 40, now=at("2024-01-05"))
    _all(loop)
    rename_department(loop.app.uow(), loop.admin, "区卫生健康委", "区卫生健康局")
    assert [row[3] for row in _all(loop)] == ["区卫生健康局"]

    with loop.app.uow() as uow:  # saved and read in one unit of work, then rolled back
        save_in(uow, loop.admin, 1, "T5.M1", "2023Q4", "区卫生健康局", "推进中", 10, at=at("2024-01-06"))
        assert len(uow.reports.for_plan(1)) == 2
    save_report(loop.app.uow(), loop.admin, 1, "T5.M1", "2023Q4", "区卫生健康局", "推进中", 90, now=at("2024-01-07"))
    assert _all(loop)[-1] == ("T5.M1", "2023Q4", 1, "区卫生健康局", 90.0)  # the same row id, another report


def test_each_reader_gets_its_own_copies(loop: Loop, reads: list[int]) -> None:
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 40, now=at("2024-01-05"))
    with loop.app.uow() as uow:
        first = uow.reports.for_plan(1)[0]
    first.evidence.append(Evidence("0" * 64, "x.txt", 1, "text/plain"))
    first.percent = 99
    with loop.app.uow() as uow:
        again = uow.reports.for_plan(1)[0]
    assert (again.evidence, again.percent) == ([], 40.0)


def test_superseded_drafts_leave_the_cache_and_the_rest_stays(loop: Loop, reads: list[int]) -> None:
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 40, now=at("2024-01-05"))
    save_report(
        loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 50, submit=True, now=at("2024-01-06")
    )
    save_report(loop.app.uow(), loop.health, 1, "T5.M1", "2023Q4", "区卫健局", "推进中", 10, now=at("2024-01-07"))
    with loop.app.uow() as uow:
        standing = uow.reports.for_plan(1)
        final = uow.reports.for_plan(1, drafts=False)
        none = uow.reports.for_plan(1, "2023Q3")
    assert [(r.item_id, r.version, r.state.value) for r in standing] == [
        ("T4.M2", 2, "submitted"),
        ("T5.M1", 1, "draft"),
    ]
    assert [(r.item_id, r.version, r.percent) for r in final] == [("T4.M2", 2, 50.0)]
    assert none == []
    assert reads == [0]  # three filtered reads, one read of the rows


def test_the_cache_does_not_grow_with_typing(loop: Loop, reads: list[int]) -> None:
    """A department saving its draft over and over leaves one draft in the cache; what was reviewed stays."""
    save_report(
        loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 10, submit=True, now=at("2024-01-02")
    )
    return_report(loop.app.uow(), loop.admin, 1, "T4.M2", "2023Q4", "请补充", now=at("2024-01-03"))
    reviewed = [row[2] for row in _all(loop)]
    for n in range(12):
        save_report(
            loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 20 + n, now=at("2024-01-05")
        )
        assert [row[2] for row in _all(loop)] == reviewed + [reviewed[-1] + n + 1]  # and the newest draft
    (plans,) = report_repository._CACHE.values()
    stamp, cached = plans[1]
    assert [r.state.value for r in cached] == ["submitted", "returned", "draft"] and cached[-1].percent == 31.0
    assert stamp.count == reviewed[-1] + 12 and all(after > 0 for after in reads[1:])  # read incrementally
    with loop.app.uow() as uow:
        assert len(uow.reports.versions(1, "T4.M2", "2023Q4")) == len(uow.reports.for_item(1, "T4.M2")) == stamp.count


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2023Q3", "2023Q4"]),
            st.sampled_from(["T1", "T2", "T3"]),
            st.sampled_from(list(ReviewState)),
        ),
        max_size=30,
    )
)
def test_standing_drops_exactly_the_replaced_drafts(saves: list[tuple[str, str, ReviewState]]) -> None:
    versions: dict[tuple[str, str], int] = {}
    reports = []
    for period, item, state in saves:
        versions[(period, item)] = versions.get((period, item), 0) + 1
        reports.append(
            ProgressReport(
                1,
                item,
                period,
                "区卫生健康委",
                ProgressStatus.IN_PROGRESS,
                0.0,
                "",
                state=state,
                version=versions[(period, item)],
            )
        )
    reports.sort(key=report_repository._order)
    kept = report_repository._standing(reports)
    latest = {(r.period_id, r.item_id): r.version for r in reports}
    assert kept == [
        r for r in reports if r.state is not ReviewState.DRAFT or r.version == latest[(r.period_id, r.item_id)]
    ]
    assert {(r.period_id, r.item_id) for r in kept} == set(latest)  # every report keeps its latest version
