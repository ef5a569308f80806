"""Backup and restore of an installation: the database, the evidence files and the record store.

A backup is one ``.tar.gz`` holding ``manifest.json`` (format, yigai version, schema revision,
backend, the SHA-256 and size of every member), the database (``database.sqlite3`` taken with
SQLite's online backup API, or ``database.pgdump`` from ``pg_dump --format=custom``), the
evidence files under ``evidence/`` and the record store as ``records.duckdb``.

It is consistent while the server runs: the database is copied from one snapshot (the backup
API or pg_dump's transaction) *before* the evidence files, and an evidence file is written
before the database row that refers to it commits, so every file the copied database names
is in the archive (files added meanwhile are extra and harmless). The record store is copied
through a read-only DuckDB connection (``COPY FROM DATABASE``), which a running load blocks
until it has committed.

Restore goes into an empty instance only — an existing database, evidence folder or record
store is never overwritten — and checks every member's checksum before writing anything.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from yigai import __version__
from yigai.domain.errors import YigaiError
from yigai.settings import Settings
from yigai.storage.engine import create_db_engine, normalize_url
from yigai.storage.migrate import current_revision

FORMAT = "yigai-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
RECORDS_MEMBER = "records.duckdb"
EVIDENCE_PREFIX = "evidence/"


class BackupError(YigaiError):
    message_zh = "备份失败"


class RestoreError(YigaiError):
    message_zh = "恢复失败"


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    backend: str
    revision: str | None
    members: int
    evidence_files: int
    records: bool
    bytes: int


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore of the newest installed PostgreSQL (they read older servers' dumps)."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed (apt-get install postgresql-client)",
            message_zh=f"未安装 {name}（请安装 postgresql-client）",
            where=name,
        )
    return found


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq options and environment for the database of ``url`` (password only via the environment)."""
    args = ["--dbname", str(url.database or "")]
    host = url.query.get("host") or url.host
    if host:
        args += ["--host", str(host)]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(
            "an in-memory SQLite database cannot be backed up",
            message_zh="内存数据库无法备份",
            where="YIGAI_DATABASE_URL",
        )
    return Path(url.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # one consistent snapshot, while others keep writing
    finally:
        dst.close()
        src.close()


def _copy_records(source: Path, target: Path) -> None:
    import duckdb

    con = duckdb.connect()  # in memory: attaches the store read-only and the copy read-write
    try:
        con.execute(f"ATTACH '{_quoted(source)}' AS live (READ_ONLY)")
        con.execute(f"ATTACH '{_quoted(target)}' AS backup_copy")
        con.execute("COPY FROM DATABASE live TO backup_copy")
    except duckdb.Error as exc:
        raise BackupError(
            f"cannot copy the record store {source}: {exc}", message_zh="无法复制业务数据库", where=str(source)
        ) from exc
    finally:
        con.close()


def _quoted(path: Path) -> str:
    return path.as_posix().replace("'", "''")


def _evidence_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".tmp-"))


def backup(settings: Settings, out: Path, *, now: dt.datetime | None = None) -> BackupSummary:
    """Write a backup archive of the installation ``settings`` describes to ``out`` (atomically)."""
    url = make_url(normalize_url(settings.database_url))
    backend = url.get_backend_name()
    engine = create_db_engine(settings.database_url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="yigai-backup-", dir=out.parent) as tmp_dir:
        work = Path(tmp_dir)
        members: list[tuple[str, Path]] = []
        if backend == "sqlite":
            _copy_sqlite(_sqlite_path(url), work / SQLITE_MEMBER)
            members.append((SQLITE_MEMBER, work / SQLITE_MEMBER))
        elif backend == "postgresql":
            args, env = _pg_args(url)
            done = subprocess.run(
                [
                    _pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(work / PG_MEMBER),
                    *args,
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise BackupError(
                    f"pg_dump failed: {done.stderr.strip()}", message_zh="pg_dump 执行失败", where=str(url.database)
                )
            members.append((PG_MEMBER, work / PG_MEMBER))
        else:
            raise BackupError(
                f"no backup method for {backend}", message_zh=f"不支持备份 {backend} 数据库", where="YIGAI_DATABASE_URL"
            )
        evidence = [
            (EVIDENCE_PREFIX + p.relative_to(settings.evidence_dir).as_posix(), p)
            for p in _evidence_files(settings.evidence_dir)
        ]
        members += evidence
        has_records = settings.analytics_path.is_file()
        if has_records:
            _copy_records(settings.analytics_path, work / RECORDS_MEMBER)
            members.append((RECORDS_MEMBER, work / RECORDS_MEMBER))
        manifest = {
            "format": FORMAT,
            "yigai": __version__,
            "backend": backend,
            "revision": revision,
            "created_at": (now or dt.datetime.now(dt.UTC)).isoformat(),
            "members": {name: {"sha256": _sha256(path), "bytes": path.stat().st_size} for name, path in members},
        }
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for name, path in members:
                tar.add(path, arcname=name, recursive=False)
        os.replace(partial, out)
    return BackupSummary(out, backend, revision, len(members), len(evidence), has_records, out.stat().st_size)


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    backend: str
    revision: str | None
    evidence_files: int
    records: bool


def _read_manifest(tar: tarfile.TarFile, source: Path) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
        manifest = json.loads(member.read().decode("utf-8")) if member else None
    except (KeyError, ValueError) as exc:
        raise RestoreError(
            f"{source.name} is not a yigai backup (no manifest)", message_zh="不是 yigai 备份文件", where=str(source)
        ) from exc
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("members"), dict)
    ):
        raise RestoreError(
            f"{source.name}: unknown backup format", message_zh="备份文件格式无法识别", where=str(source)
        )
    return manifest


def _require_empty(settings: Settings) -> None:
    engine = create_db_engine(settings.database_url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise RestoreError(
            "the target database is not empty; restore into a new, empty database",
            message_zh="目标数据库不是空库，请恢复到新建的空数据库",
            where="YIGAI_DATABASE_URL",
        )
    for path in (settings.evidence_dir, settings.analytics_path):
        if path.exists() and (path.is_file() or any(path.iterdir())):
            raise RestoreError(
                f"{path} already exists; restore into an empty data directory",
                message_zh=f"{path} 已存在，请恢复到空的数据目录",
                where=str(path),
            )


def restore(settings: Settings, source: Path) -> RestoreSummary:
    """Restore ``source`` into the empty installation ``settings`` describes (any backend to the same one)."""
    url = make_url(normalize_url(settings.database_url))
    backend = url.get_backend_name()
    try:
        tar = tarfile.open(source, "r:gz")  # noqa: SIM115 — entered in the `with` below, after the error check
    except (OSError, tarfile.TarError) as exc:
        raise RestoreError(f"cannot open {source}: {exc}", message_zh="无法打开备份文件", where=str(source)) from exc
    with tar, tempfile.TemporaryDirectory(prefix="yigai-restore-") as tmp_dir:
        manifest = _read_manifest(tar, source)
        if manifest["backend"] != backend:
            raise RestoreError(
                f"the backup is of a {manifest['backend']} database, the target is {backend}",
                message_zh=f"备份来自 {manifest['backend']} 数据库，目标为 {backend}",
                where="YIGAI_DATABASE_URL",
            )
        _require_empty(settings)
        work = Path(tmp_dir)
        expected: dict[str, dict[str, object]] = manifest["members"]
        names = set(tar.getnames()) - {MANIFEST}
        if names != set(expected):
            raise RestoreError(
                f"{source.name}: members differ from the manifest",
                message_zh="备份文件内容与清单不符",
                where=str(source),
            )
        tar.extractall(work, members=[m for m in tar.getmembers() if m.name != MANIFEST], filter="data")
        for name, meta in expected.items():
            if _sha256(work / name) != meta["sha256"]:
                raise RestoreError(
                    f"{name}: checksum mismatch, the backup is damaged",
                    message_zh=f"{name} 校验失败，备份文件已损坏",
                    where=name,
                )
        if backend == "sqlite":
            target = _sqlite_path(url)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # _require_empty saw no tables: an empty file at most
            shutil.copyfile(work / SQLITE_MEMBER, target.with_suffix(target.suffix + ".restoring"))
            os.replace(target.with_suffix(target.suffix + ".restoring"), target)
        else:
            args, env = _pg_args(url)
            done = subprocess.run(
                [
                    _pg_tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    *args,
                    str(work / PG_MEMBER),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise RestoreError(
                    f"pg_restore failed: {done.stderr.strip()}",
                    message_zh="pg_restore 执行失败",
                    where=str(url.database),
                )
        evidence = sorted(n for n in expected if n.startswith(EVIDENCE_PREFIX))
        for name in evidence:
            target = settings.evidence_dir / name[len(EVIDENCE_PREFIX) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / name, target)
        has_records = RECORDS_MEMBER in expected
        if has_records:
            settings.analytics_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / RECORDS_MEMBER, settings.analytics_path)
    return RestoreSummary(backend, manifest.get("revision"), len(evidence), has_records)
