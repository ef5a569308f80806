"""The one wiring point: settings in, a ready application object out.

Nothing connects at import time; ``build`` creates the data directory and the
engine, brings the schema to the latest migration and hands out units of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from yigai.domain.errors import ConfigurationError
from yigai.settings import Settings
from yigai.storage.engine import create_db_engine, session_factory
from yigai.storage.migrate import upgrade_to_head
from yigai.storage.uow import SqlUnitOfWork


@dataclass(slots=True)
class App:
    """What the CLI (and later the web app) needs: settings and units of work."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    def uow(self) -> SqlUnitOfWork:
        """A fresh unit of work; use it in a ``with`` block."""
        return SqlUnitOfWork(self.sessions)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def build(settings: Settings, *, migrate: bool = True) -> App:
    """Create the data directory and engine, migrate to head, return the App."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot create the data directory: {exc.strerror}",
            message_zh="无法创建数据目录",
            where=str(settings.data_dir),
        ) from exc
    engine = create_db_engine(settings.database_url)
    try:
        if migrate:
            upgrade_to_head(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = getattr(exc, "orig", None) or exc
        raise ConfigurationError(
            f"cannot open or migrate the database: {reason}",
            message_zh="无法打开或升级数据库",
            where=engine.url.render_as_string(hide_password=True),
        ) from exc
    return App(settings=settings, engine=engine, sessions=session_factory(engine))
