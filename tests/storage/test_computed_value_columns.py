"""Migration 0006: the computed-value columns of data_values are added and dropped without losing a value.

Run on SQLite and on PostgreSQL (the ``settings`` fixture of tests/storage/conftest.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, inspect

from yigai.bootstrap import build
from yigai.clock import OFFICE_TZ
from yigai.domain.indicators import DataValue, ValueSource
from yigai.domain.orgunits import OrgUnit, OrgUnitLevel
from yigai.settings import Settings
from yigai.storage.engine import session_factory
from yigai.storage.migrate import current_revision, downgrade, head_revision, upgrade_to_head
from yigai.storage.uow import SqlUnitOfWork

NEW = {"numerator", "denominator", "definition_version", "inputs_hash"}


def rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT key, org_unit, period_id, version, value, source, author FROM data_values ORDER BY id"
            )
        ]


def columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("data_values")}


def test_upgrade_keeps_existing_values_and_downgrade_drops_only_the_new_columns(settings: Settings) -> None:
    engine = build(settings).engine  # at head; taken back to 0005 to play an older database
    downgrade(engine, "0005")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO org_units (code, name, level, path, groups, position) "
            "VALUES ('D1', '一区', 'district', '/D1', '[]', 0)"
        )
        for version, value in ((1, 12.5), (2, 13.0)):
            conn.exec_driver_sql(
                "INSERT INTO data_values (key, org_unit, period_id, version, value, source, author, saved_at, "
                f"comment, outlier) VALUES ('FD_COVERAGE', 'D1', '2023', {version}, {value}, 'entered', 'clerk', "
                "'2024-01-05 02:00:00', '', false)"
            )
    before = rows(engine)
    assert NEW.isdisjoint(columns(engine))

    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision() and NEW <= columns(engine)
    assert rows(engine) == before
    with engine.connect() as conn:
        added = conn.exec_driver_sql(
            "SELECT numerator, denominator, definition_version, inputs_hash FROM data_values"
        ).all()
    assert [tuple(r) for r in added] == [(None, None, "", ""), (None, None, "", "")]

    uow = SqlUnitOfWork(session_factory(engine))
    with uow:
        assert [r.value.definition_version for r in uow.values.query(all_versions=True)] == ["", ""]
        uow.values.add_many(
            [
                (
                    DataValue(
                        "FD_COVERAGE",
                        "D1",
                        "2023",
                        13.5,
                        ValueSource.COMPUTED,
                        "analyst",
                        3,
                        dt.datetime(2024, 2, 1, tzinfo=OFFICE_TZ),
                        numerator=27.0,
                        denominator=200.0,
                        definition_version="FD@1",
                        inputs_hash="ab" * 32,
                    ),
                    False,
                )
            ]
        )
        uow.commit()
    with uow:
        current = uow.values.latest("FD_COVERAGE", "D1", "2023")
        assert current is not None and current.value.version == 3
        assert (
            current.value.numerator,
            current.value.denominator,
            current.value.definition_version,
            current.value.inputs_hash,
        ) == (27.0, 200.0, "FD@1", "ab" * 32)
        assert uow.values.current_versions(["FD_COVERAGE"])[("FD_COVERAGE", "D1", "2023")].version == 3

    downgrade(engine, "0005")
    assert current_revision(engine) == "0005" and NEW.isdisjoint(columns(engine))
    assert len(rows(engine)) == 3 and rows(engine)[:2] == before
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM org_units").scalar_one() == 1
    engine.dispose()


def test_current_versions_picks_the_newest_version_per_identity(settings: Settings) -> None:
    engine = build(settings).engine
    uow = SqlUnitOfWork(session_factory(engine))
    at = dt.datetime(2024, 2, 1, tzinfo=OFFICE_TZ)
    with uow:
        uow.orgunits.upsert([OrgUnit("D1", "一区", OrgUnitLevel.DISTRICT)])
        uow.values.add_many(
            [
                (DataValue("A", "D1", "2023", 1.0, ValueSource.COMPUTED, "x", 1, at, definition_version="A@1"), False),
                (DataValue("A", "D1", "2023", 2.0, ValueSource.COMPUTED, "x", 2, at, definition_version="A@2"), False),
                (DataValue("A", "D1", "2023Q1", 3.0, ValueSource.COMPUTED, "x", 1, at), False),
                (DataValue("B", "D1", "2023", 4.0, ValueSource.ENTERED, "x", 1, at), False),
            ]
        )
        current = uow.values.current_versions(["A"])
        only_year = uow.values.current_versions(["A", "B"], ["2023"])
    assert {k: (c.version, c.value, c.definition_version) for k, c in current.items()} == {
        ("A", "D1", "2023"): (2, 2.0, "A@2"),
        ("A", "D1", "2023Q1"): (1, 3.0, ""),
    }
    assert set(only_year) == {("A", "D1", "2023"), ("B", "D1", "2023")}
    engine.dispose()
