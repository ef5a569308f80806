"""Engine creation from a database URL: SQLite by default, PostgreSQL by URL.

SQLite gets WAL (readers do not block the writer) and foreign keys ON (the
cascades and RESTRICTs in the schema depend on them) on every connection.
PostgreSQL URLs without a driver are pointed at psycopg 3, the optional
``postgres`` extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from yigai.domain.errors import ConfigurationError

SQLITE_BUSY_TIMEOUT_MS = 5000


def normalize_url(url: str) -> str:
    """``postgres://`` and bare ``postgresql://`` → ``postgresql+psycopg://``."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def create_db_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create (but do not connect) the engine; bad URLs raise ConfigurationError."""
    url_text = normalize_url(database_url)
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise ConfigurationError(
            f"invalid database URL {database_url!r}",
            message_zh="数据库地址无效",
            where="YIGAI_DATABASE_URL",
        ) from exc
    backend = url.get_backend_name()
    if backend == "sqlite" and url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, **kwargs)
    except ModuleNotFoundError as exc:
        raise ConfigurationError(
            f"the database driver for {backend} is not installed ({exc.name}); "
            "for PostgreSQL install the extra: pip install 'yigai[postgres]'",
            message_zh=f"未安装 {backend} 数据库驱动（PostgreSQL 请安装 yigai[postgres]）",
            where="YIGAI_DATABASE_URL",
        ) from exc
    except ArgumentError as exc:
        raise ConfigurationError(
            f"unsupported database URL {database_url!r}: {exc}",
            message_zh="不支持的数据库地址",
            where="YIGAI_DATABASE_URL",
        ) from exc
    if backend == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions keep loaded objects usable after commit (the CLI reads them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
