"""Engine creation: SQLite pragmas, PostgreSQL URLs, clear errors for bad URLs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from yigai.domain.errors import ConfigurationError
from yigai.storage.engine import create_db_engine, normalize_url


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'sub' / 'db.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "sub" / "db.sqlite3").exists()
    engine.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db/yigai", "postgresql+psycopg://u:p@db/yigai"),
        ("postgres://u@db/yigai", "postgresql+psycopg://u@db/yigai"),
        ("postgresql+psycopg://u@db/yigai", "postgresql+psycopg://u@db/yigai"),
        ("sqlite:///var/yigai.sqlite3", "sqlite:///var/yigai.sqlite3"),
    ],
)
def test_postgres_urls_default_to_psycopg(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


@pytest.mark.parametrize("url", ["not a url", "nosuchdb://x/y", "postgresql+nosuchdriver://u@h/db"])
def test_bad_urls_raise_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        create_db_engine(url)
    assert info.value.where == "YIGAI_DATABASE_URL"
    assert "数据库" in info.value.bilingual()


def test_missing_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    with pytest.raises(ConfigurationError, match=r"yigai\[postgres\]"):
        create_db_engine("postgresql://u@localhost/yigai")
