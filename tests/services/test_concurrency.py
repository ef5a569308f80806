"""Quarter-end: many people saving the same report at once lose nothing and see no lock errors.

Runs on SQLite and on PostgreSQL (the ``loop`` fixture is parametrised). Each client has its own
unit of work and connection, as web workers do; a barrier releases them together.
"""

from __future__ import annotations

import threading

from yigai.services.reports import report_history, save_report
from yigai.services.values import enter_value, list_values

from .conftest import Loop, at

CLIENTS = 20


def _together(work: list) -> list[BaseException]:
    barrier = threading.Barrier(len(work))
    errors: list[BaseException] = []

    def run(job) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 — collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_twenty_saves_of_one_report_at_once_keep_every_version(loop: Loop) -> None:
    jobs = [
        lambda n=n: save_report(
            loop.app.uow(),
            loop.health,
            1,
            "T4.M2",
            "2023Q4",
            "区卫健局",
            "推进中",
            n,
            narrative=f"第{n}次保存",
            now=at("2024-01-05"),
        )
        for n in range(1, CLIENTS + 1)
    ]
    assert _together(jobs) == []
    history = report_history(loop.app.uow(), 1, "T4.M2", "2023Q4")
    assert [r.version for r in history] == list(range(1, CLIENTS + 1))
    assert sorted(r.percent for r in history) == list(range(1, CLIENTS + 1))  # none lost, none doubled
    assert history[-1].version == CLIENTS  # the latest is the highest version, whoever wrote it


def test_twenty_entries_of_one_value_at_once_keep_every_version(loop: Loop) -> None:
    jobs = [
        lambda n=n: enter_value(
            loop.app.uow(), loop.admin, "FD_COVERAGE", "350104", "2023Q4", 50 + n, now=at("2024-01-05")
        )
        for n in range(1, CLIENTS + 1)
    ]
    assert _together(jobs) == []
    versions = list_values(loop.app.uow(), key="FD_COVERAGE", org_unit="350104", period_id="2023Q4", history=True)
    assert sorted(v.value.version for v in versions) == list(range(1, CLIENTS + 1))
    assert sorted(v.value.value for v in versions) == [50.0 + n for n in range(1, CLIENTS + 1)]
