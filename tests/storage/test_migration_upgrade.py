"""Upgrading keeps data, on SQLite and on PostgreSQL; models and migrations agree on both.

The first-revision database is made the way an old installation would hold it: a database with
plans, reports, values and users is taken down to revision 0001 (only the plan tables existed
then), and then upgraded to head again; every row and every column that existed at 0001 must
come through unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from yigai.bootstrap import build
from yigai.data import seed_paths
from yigai.services.indicators import load_catalogue
from yigai.services.orgunits import load_orgunits
from yigai.services.plans import import_file
from yigai.services.users import acting_user
from yigai.services.values import enter_value
from yigai.settings import Settings
from yigai.storage.engine import create_db_engine
from yigai.storage.migrate import current_revision, downgrade, head_revision, upgrade_to_head
from yigai.storage.tables import metadata

FIRST = "0001"


@pytest.fixture(params=("sqlite", "postgresql"))
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return request.getfixturevalue("postgres_databases").empty()


def _dump(engine: Engine) -> dict[str, dict[str, list[Any]]]:
    """Every table's rows, column by column, in primary-key order."""
    found: dict[str, dict[str, list[Any]]] = {}
    insp = inspect(engine)
    q = engine.dialect.identifier_preparer.quote
    with engine.connect() as conn:
        for table in insp.get_table_names():
            if table == "alembic_version":
                continue
            cols = [c["name"] for c in insp.get_columns(table)]
            order = insp.get_pk_constraint(table)["constrained_columns"] or cols[:1]
            rows = conn.execute(
                text(f"SELECT {', '.join(map(q, cols))} FROM {q(table)} ORDER BY {', '.join(map(q, order))}")
            ).all()
            found[table] = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    return found


def test_a_first_revision_database_with_data_upgrades_to_head_intact(empty_url: str, tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path / "var", database_url=empty_url)
    with build(settings) as app:
        admin = acting_user(app.uow())
        for path in seed_paths()[3:5]:
            import_file(app.uow(), path)
        load_orgunits(app.uow(), admin)
        load_catalogue(app.uow(), admin)
        enter_value(app.uow(), admin, "FD_COVERAGE", "350104", "2023", 61.5)
    engine = create_db_engine(empty_url)
    try:
        downgrade(engine, FIRST)
        assert current_revision(engine) == FIRST
        old = _dump(engine)
        assert old["plans"]["id"] and len(old["tasks"]["id"]) > 50  # the first revision holds real data
        upgrade_to_head(engine)
        assert current_revision(engine) == head_revision()
        new = _dump(engine)
        for table, columns in old.items():
            for column, values in columns.items():
                assert new[table][column] == values, f"{table}.{column} changed on upgrade"
    finally:
        engine.dispose()


def test_the_models_and_the_migrations_agree(empty_url: str) -> None:
    engine = create_db_engine(empty_url)
    try:
        upgrade_to_head(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert diff == []
    finally:
        engine.dispose()
