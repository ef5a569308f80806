"""Backup and restore: an empty instance restored from a backup holds every row and every file.

Runs on SQLite (online backup API) and PostgreSQL (pg_dump/pg_restore): the ``loop`` fixture is
parametrised over both.
"""

from __future__ import annotations

import hashlib
import tarfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sqlalchemy import Engine, inspect, text

from yigai.bootstrap import build
from yigai.services.backup import BackupError, RestoreError, backup, restore
from yigai.services.reports import save_report
from yigai.services.values import enter_value
from yigai.settings import Settings
from yigai.storage.engine import create_db_engine

from .conftest import Loop, at


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    insp = inspect(engine)
    q = engine.dialect.identifier_preparer.quote
    found = {}
    with engine.connect() as conn:
        for table in sorted(insp.get_table_names()):
            cols = [c["name"] for c in insp.get_columns(table)]
            found[table] = sorted(
                tuple(map(repr, r)) for r in conn.execute(text(f"SELECT {', '.join(map(q, cols))} FROM {q(table)}"))
            )
    return found


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _target(loop: Loop, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if loop.app.engine.url.get_backend_name() == "sqlite":
        return Settings.from_env({}, data_dir=tmp_path / "restored")
    url = request.getfixturevalue("postgres_databases").empty()
    return Settings.from_env({}, data_dir=tmp_path / "restored", database_url=url)


def test_restore_into_an_empty_instance_gives_back_every_table_and_file(
    loop: Loop, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    save_report(loop.app.uow(), loop.health, 1, "T4.M2", "2023Q4", "区卫健局", "推进中", 40, now=at("2024-01-05"))
    enter_value(loop.app.uow(), loop.admin, "FD_COVERAGE", "350104", "2023", 61.5, now=at("2024-01-06"))
    for n in range(3):
        loop.store.put(f"佐证材料 {n}".encode())
    records = loop.app.settings.analytics_path
    with duckdb.connect(str(records)) as con:
        con.execute("CREATE TABLE towns AS SELECT 't1' AS town_code, '城门镇' AS town_name")
    source = loop.app.settings
    archive = tmp_path / "backups" / "yigai.tar.gz"

    summary = backup(source, archive)
    assert summary.evidence_files == 3 and summary.records
    with tarfile.open(archive) as tar:
        assert "manifest.json" in tar.getnames()

    target = _target(loop, tmp_path, request)
    restored = restore(target, archive)
    assert restored.evidence_files == 3 and restored.records
    with build(target) as app:
        assert _rows(app.engine) == _rows(loop.app.engine)
    assert _files(target.evidence_dir) == _files(source.evidence_dir)
    with duckdb.connect(str(target.analytics_path), read_only=True) as con:
        assert con.execute("SELECT town_name FROM towns").fetchall() == [("城门镇",)]


def test_restore_never_overwrites_an_instance_that_has_data(
    loop: Loop, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    archive = tmp_path / "b.tar.gz"
    backup(loop.app.settings, archive)
    with pytest.raises(RestoreError) as info:
        restore(loop.app.settings, archive)
    assert "空" in info.value.bilingual()
    assert _rows(loop.app.engine)["plans"]  # still there


def test_a_damaged_backup_is_refused_before_anything_is_written(
    loop: Loop, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    archive = tmp_path / "b.tar.gz"
    loop.store.put(b"evidence")
    backup(loop.app.settings, archive)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("evidence/"):
                data = b"tampered"
                member.size = len(data)
            import io

            dst.addfile(member, io.BytesIO(data))
    target = _target(loop, tmp_path, request)
    with pytest.raises(RestoreError, match="checksum"):
        restore(target, damaged)
    assert not target.evidence_dir.exists()
    engine = create_db_engine(target.database_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_not_a_backup_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    with pytest.raises(RestoreError):
        restore(Settings.from_env({}, data_dir=tmp_path / "x"), junk)
    with pytest.raises(BackupError):
        backup(Settings.from_env({}, data_dir=tmp_path, database_url="sqlite://"), tmp_path / "m.tar.gz")
