"""The packaged Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from yigai.storage.engine import create_db_engine
from yigai.storage.migrate import MIGRATIONS_DIR, current_revision, downgrade, head_revision, upgrade_to_head
from yigai.storage.tables import metadata

ROOT = Path(__file__).resolve().parents[2]


def test_upgrade_builds_the_model_schema(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision() == "0009"
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []
    engine.dispose()


def test_downgrade_then_upgrade_again(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    upgrade_to_head(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert current_revision(engine) is None
    upgrade_to_head(engine)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_package_data_ships_every_migration_file() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"][
        "yigai"
    ]
    package_root = MIGRATIONS_DIR.parents[1]
    files = [
        p.relative_to(package_root).as_posix()
        for p in MIGRATIONS_DIR.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert "storage/migrations/script.py.mako" in files
    assert any(f.startswith("storage/migrations/versions/") for f in files)
    unshipped = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert unshipped == []


def test_plan_revisions_are_added_and_dropped_without_losing_a_plan(tmp_path: Path) -> None:
    from yigai.bootstrap import build
    from yigai.data import seed_paths
    from yigai.services.plans import import_file
    from yigai.settings import Settings

    with build(Settings.from_env({}, data_dir=tmp_path)) as app:
        for path in seed_paths()[:2]:
            import_file(app.uow(), path)

        def counts() -> list[int]:
            with app.engine.connect() as conn:
                return [conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one() for t in ("plans", "tasks")]

        before = counts()
        downgrade(app.engine, "0004")
        assert counts() == before and "revision" not in {c["name"] for c in inspect(app.engine).get_columns("plans")}
        upgrade_to_head(app.engine)
        assert counts() == before
        with app.engine.connect() as conn:
            revisions = [r for (r,) in conn.exec_driver_sql("SELECT revision FROM plans")]
        assert len(set(revisions)) == 2 and all(len(r) == 32 for r in revisions)
