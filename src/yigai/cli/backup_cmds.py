"""``yigai backup`` and ``yigai restore``: the database, evidence files and record store in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yigai.cli.common import info
from yigai.settings import Settings


def backup_cmd(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Archive to write (.tar.gz); replaced atomically.", show_default=False)
    ],
) -> None:
    """备份 Back up the database, evidence files and record store, while the server keeps running.

    The configured database (YIGAI_DATABASE_URL; SQLite via its online backup API, PostgreSQL via
    pg_dump), every evidence file and the record store go into one archive with a manifest of
    SHA-256 checksums.

    Example: yigai backup --out /backup/yigai-2026-11-26.tar.gz
    """
    from yigai.services.backup import backup

    summary = backup(Settings.from_env(), out)
    info(
        f"已备份 backed up: {summary.path} ({summary.bytes:,} bytes) — {summary.backend} 数据库 "
        f"revision {summary.revision}, 佐证材料 {summary.evidence_files} 个 evidence files, "
        f"业务数据库 record store: {'有 yes' if summary.records else '无 none'}"
    )


def restore_cmd(
    archive: Annotated[
        Path,
        typer.Argument(help="A backup written by `yigai backup`.", exists=True, dir_okay=False, show_default=False),
    ],
) -> None:
    """恢复 Restore a backup into an empty instance (a new database and an empty data directory).

    Every member's checksum is checked before anything is written; an instance that already holds
    data is never overwritten. Then `yigai serve` upgrades the schema if the backup is older.

    Example: yigai restore /backup/yigai-2026-11-26.tar.gz  (with YIGAI_DATA_DIR and YIGAI_DATABASE_URL
    naming the new, empty instance)
    """
    from yigai.services.backup import restore

    summary = restore(Settings.from_env(), archive)
    info(
        f"已恢复 restored: {summary.backend} 数据库 revision {summary.revision}, "
        f"佐证材料 {summary.evidence_files} 个 evidence files, "
        f"业务数据库 record store: {'有 yes' if summary.records else '无 none'}"
    )


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
