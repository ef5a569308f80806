"""Run the packaged Alembic migrations from code; no alembic.ini is needed.

``upgrade_to_head(engine)`` is what ``bootstrap.build`` calls. For developers::

    python -m yigai.storage.migrate revision "add reports table"   # autogenerate
    python -m yigai.storage.migrate upgrade                        # YIGAI_DATABASE_URL
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(database_url: str | None = None) -> Config:
    """An in-memory Alembic config pointing at the migrations inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database to the latest schema; a no-op when it is already there."""
    if current_revision(engine) == head_revision():
        return
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def downgrade(engine: Engine, revision: str = "base") -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def main(argv: list[str]) -> int:
    """Developer entry point: ``upgrade`` or ``revision MESSAGE`` against YIGAI_DATABASE_URL."""
    from yigai.settings import Settings

    settings = Settings.from_env()
    cfg = alembic_config(settings.database_url)
    if argv[:1] == ["upgrade"]:
        command.upgrade(cfg, "head")
    elif argv[:1] == ["revision"] and len(argv) == 2:
        command.revision(cfg, message=argv[1], autogenerate=True)
    else:
        print("usage: python -m yigai.storage.migrate upgrade | revision MESSAGE", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
