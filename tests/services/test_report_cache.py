"""A plan's reports are read once per process and then only what was added, never a stale version."""

from __future__ import annotations

import pytest

from yigai.domain.reports import Evidence
from yigai.services.departments import rename_department
from yigai.services.reports import save_in, save_report
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
    assert _all(loop) == [("T4.M2", "2023Q3", 1, "区卫生健康委", 30.0), ("T4.M2", "2023Q4", 1, "区卫生健康委", 40.0),
                          ("T4.M2", "2023Q4", 2, "区卫生健康委", 60.0)]  # in order, the new rows merged in
    assert len(reads) == 2 and reads[1] > 0
    with loop.app.uow() as uow:
        assert [r.version for r in uow.reports.for_plan(1, "2023Q4")] == [1, 2]


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


def test_one_item_or_no_drafts_are_filtered_from_the_cache(loop: Loop, reads: list[int]) -> None:
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 40, now=at("2024-01-05"))
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 50, submit=True,
                now=at("2024-01-06"))
    save_report(loop.app.uow(), loop.health, 1, "T5.M1", "2023Q4", "区卫健局", "推进中", 10, now=at("2024-01-07"))
    with loop.app.uow() as uow:
        one = uow.reports.for_plan(1, item_id="T4.M2")
        final = uow.reports.for_plan(1, drafts=False)
        both = uow.reports.for_plan(1, "2023Q4", item_id="T5.M1", drafts=False)
    assert [(r.item_id, r.version) for r in one] == [("T4.M2", 1), ("T4.M2", 2)]
    assert [(r.item_id, r.version, r.percent) for r in final] == [("T4.M2", 2, 50.0)]
    assert both == []
    assert reads == [0]  # three filtered reads, one read of the rows
